import type { ReactNode } from 'react';
import { PRESETS } from '../core/lite';
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
      </div>
    </div>
  );
}

export function App() {
  const preset = useLab((s) => s.preset);
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
      <View name="Notices">
        <Notices />
      </View>
      <div className="layout">
        <aside className="sidebar" aria-label="Settings">
          <View name="Settings">
            <Controls />
          </View>
        </aside>
        <main className="main">
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
          <View name="Runs">
            <RunsPanel />
          </View>
          <View name="Compare runs">
            <CompareView />
          </View>
          <div className="grid2">
            <View name="A-CF loss terms">
              <AcfTerms />
            </View>
            <View name="Loss histogram">
              <LossHistogram />
            </View>
          </div>
          <View name="Per class">
            <PerClassView />
          </View>
          <View name="Attack">
            <AttackView />
          </View>
          <View name="Forget images">
            <ForgetGallery />
          </View>
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
          <View name="Reproduce">
            <ReproducePanel />
          </View>
          <View name="Trade-off sweep">
            <TradeoffPanel />
          </View>
        </main>
        <aside className="rightbar" aria-label="Dataset, device and sharing">
          <View name="Dataset">
            <DatasetPanel />
          </View>
          <View name="Device">
            <DevicePanel />
          </View>
          <View name="Share & keep">
            <SharePanel />
          </View>
        </aside>
      </div>
      <footer className="footer muted small">
        Every number on this page comes from the run in this tab. Method definitions and defaults follow the paper’s
        reference code (see README).
      </footer>
    </div>
  );
}
