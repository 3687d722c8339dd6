import type { ReactNode } from 'react';
import { PRESETS } from '../core/lite';
import { INSPECT_VIEWS, TOP_VIEWS, type InspectView, type TopView } from './views';
import { StatusStrip } from './components/StatusStrip';
import { CopyLink } from './components/SharePanel';
import { MethodPicker } from './components/PerClassView';
import { PaperReports } from './components/PaperReports';
import { useLab } from './store';
import { Controls } from './components/Controls';
import { Notices } from './components/Notices';
import { Progress } from './components/Progress';
import { AcfTerms, CondenseLoss, LossHistogram, MethodCurves, TimingChart } from './components/Charts';
import { SummaryTable } from './components/SummaryTable';
import { PrototypeGallery, ReducedRetain } from './components/Galleries';
import { ForgetGallery } from './components/ForgetGallery';
import { DatasetPanel } from './components/DatasetPanel';
import { DevicePanel } from './components/DevicePanel';
import { SharePanel } from './components/SharePanel';
import { ReproducePanel } from './components/ReproducePanel';
import { TradeoffPanel } from './components/TradeoffChart';
import { ErrorBoundary } from './components/ErrorBoundary';
import { PerClassView } from './components/PerClassView';
import { AttackView } from './components/AttackView';
import { RunsPanel } from './components/RunsPanel';
import { CompareView } from './components/CompareView';
import { AuditNavBadge, AuditView } from './components/AuditView';

/** One view of the page behind its own error boundary; it retries when the shown run changes. */
function View({ name, children }: { name: string; children: ReactNode }) {
  const run = useLab((s) => s.run);
  return (
    <ErrorBoundary name={name} resetKey={run}>
      {children}
    </ErrorBoundary>
  );
}

function Toolbar() {
  const busy = useLab((s) => s.busy);
  const ready = useLab((s) => s.workerReady);
  const preset = useLab((s) => s.preset);
  const applyPreset = useLab((s) => s.applyPreset);
  const condense = useLab((s) => s.condense);
  const unlearn = useLab((s) => s.unlearn);
  const compare = useLab((s) => s.compare);
  const stop = useLab((s) => s.stop);
  const reset = useLab((s) => s.reset);
  const condensed = useLab((s) => s.condensed);
  const nMethods = useLab((s) => (s.params.methods as string[]).length);
  const dataset = useLab((s) => s.dataset);
  const canRun = ready && !!dataset && !busy;
  return (
    <div className="toolbar">
      <label className="preset">
        <span>Preset</span>
        <select
          value={preset ?? ''}
          onChange={(e) => e.target.value && applyPreset(e.target.value)}
          disabled={!!busy}
          data-testid="preset-select"
          title={preset ? PRESETS[preset]?.description : 'custom settings'}
        >
          <option value="">custom</option>
          {Object.entries(PRESETS).map(([k, p]) => (
            <option key={k} value={k} title={p.description}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <div className="actions">
        <button
          className="primary"
          disabled={!canRun}
          onClick={condense}
          data-testid="btn-condense"
          title="Train the original model if needed, then k-means sub-classes + Blend"
        >
          Condense
        </button>
        <button
          className="primary"
          disabled={!canRun}
          onClick={unlearn}
          data-testid="btn-unlearn"
          title={
            condensed
              ? 'Run the selected methods on the reduced retain set (w/ DC)'
              : 'Run the selected methods on the full retain set (w/o DC)'
          }
        >
          Unlearn{condensed ? ' (w/ DC)' : ''}
        </button>
        <button
          className="primary"
          disabled={!canRun}
          onClick={compare}
          data-testid="btn-compare"
          title="All selected methods, w/o and w/ DC (per the Compare-arms setting)"
        >
          Compare {nMethods} method{nMethods === 1 ? '' : 's'}
        </button>
        <button
          className="danger"
          disabled={!busy}
          onClick={stop}
          data-testid="btn-stop"
          title="Stop the current stage within one step"
        >
          Stop
        </button>
        <button
          onClick={reset}
          data-testid="btn-reset"
          title="Drop the model, condensed set and results (settings are kept)"
        >
          Reset
        </button>
        <CopyLink />
      </div>
    </div>
  );
}

/** The navigation between the views (views.ts); the current one is `aria-current="page"` and in the URL. */
function ViewNav() {
  const place = useLab((s) => s.place);
  const setPlace = useLab((s) => s.setPlace);
  return (
    <nav className="view-nav" aria-label="Views">
      {TOP_VIEWS.map((v) => (
        <button
          key={v.id}
          type="button"
          className={place.top === v.id ? 'on' : ''}
          aria-current={place.top === v.id ? 'page' : undefined}
          title={v.help}
          data-testid={`nav-${v.id}`}
          onClick={() => setPlace({ top: v.id })}
        >
          {v.label}
          {v.id === 'audit' && <AuditNavBadge />}
        </button>
      ))}
    </nav>
  );
}

/**
 * The per-method views under Inspect: React components of the ids in views.ts's INSPECT_VIEWS. A new per-method
 * view (e.g. an Audit view) is one entry there and one here; it reads the store's `selectedMethod`.
 */
const INSPECT_PANELS: Record<InspectView, { name: string; render: () => ReactNode }> = {
  perclass: { name: 'Per class', render: () => <PerClassView /> },
  attack: { name: 'Attack', render: () => <AttackView /> },
  losses: {
    name: 'Losses',
    render: () => (
      <div className="grid2">
        <LossHistogram />
        <AcfTerms />
      </div>
    ),
  },
  gallery: { name: 'Forget images', render: () => <ForgetGallery /> },
};

function InspectViewPanel() {
  const place = useLab((s) => s.place);
  const setPlace = useLab((s) => s.setPlace);
  const panel = INSPECT_PANELS[place.inspect];
  return (
    <>
      <div className="panel inspect-head">
        <MethodPicker testId="inspect-method" label="Method shown in every per-method view" />
        <nav className="seg" aria-label="Per-method views">
          {INSPECT_VIEWS.map((v) => (
            <button
              key={v.id}
              type="button"
              className={place.inspect === v.id ? 'on' : ''}
              aria-current={place.inspect === v.id ? 'page' : undefined}
              title={v.help}
              data-testid={`nav-inspect-${v.id}`}
              onClick={() => setPlace({ top: 'inspect', inspect: v.id })}
            >
              {v.label}
            </button>
          ))}
        </nav>
        <span className="muted small">One method for every view here; pick it here or in any view’s menu.</span>
      </div>
      <View name={panel.name}>{panel.render()}</View>
    </>
  );
}

/** What each top view shows (ids from views.ts). */
const TOP_PANELS: Record<TopView, () => ReactNode> = {
  setup: () => (
    <div className="setup-grid">
      <section className="setup-settings" aria-label="Settings">
        <View name="Settings">
          <Controls />
        </View>
      </section>
      <div className="setup-side">
        <View name="Dataset">
          <DatasetPanel />
        </View>
        <View name="Device">
          <DevicePanel />
        </View>
      </div>
    </div>
  ),
  run: () => (
    <>
      <View name="Progress">
        <Progress />
      </View>
      <View name="Summary table">
        <SummaryTable />
      </View>
      <div className="grid2">
        <View name="Per-epoch curves">
          <MethodCurves />
        </View>
        <View name="Time per method">
          <TimingChart />
        </View>
      </div>
      <View name="Prototypes">
        <PrototypeGallery />
      </View>
      <div className="grid2">
        <View name="Reduced retain set">
          <ReducedRetain />
        </View>
        <View name="Pretraining & Blend">
          <CondenseLoss />
        </View>
      </div>
    </>
  ),
  inspect: () => <InspectViewPanel />,
  runs: () => (
    <>
      <View name="Share & keep">
        <SharePanel />
      </View>
      <View name="Runs">
        <RunsPanel />
      </View>
      <View name="Compare runs">
        <CompareView />
      </View>
    </>
  ),
  paper: () => (
    <>
      <View name="Committed reports">
        <PaperReports />
      </View>
      <View name="Reproduce">
        <ReproducePanel />
      </View>
      <View name="Trade-off sweep">
        <TradeoffPanel />
      </View>
    </>
  ),
  audit: () => (
    <View name="Audit">
      <AuditView />
    </View>
  ),
};

export function App() {
  const preset = useLab((s) => s.preset);
  const top = useLab((s) => s.place.top);
  const label = TOP_VIEWS.find((v) => v.id === top)?.label ?? top;
  return (
    <div className="app">
      <header className="header">
        <div className="brand">
          <h1>Unlearning Lab</h1>
          <span className="tagline">Blend condensation + accelerated unlearning, in your browser</span>
        </div>
        <View name="Toolbar">
          <Toolbar />
        </View>
      </header>
      {preset && PRESETS[preset] && (
        <section className="preset-desc muted small" aria-label="Preset">
          {PRESETS[preset].description}
        </section>
      )}
      <div className="sticky-top">
        <ViewNav />
        <View name="Status">
          <StatusStrip />
        </View>
      </div>
      <View name="Notices">
        <Notices />
      </View>
      <main className={`main view-${top}`} data-testid={`view-${top}-page`} aria-label={`${label} view`}>
        {TOP_PANELS[top]()}
      </main>
      <footer className="footer muted small">
        Every number on this page comes from the run in this tab (the Paper view’s committed reports say where they come
        from). Method definitions and defaults follow the paper’s reference code (see README).
      </footer>
    </div>
  );
}
