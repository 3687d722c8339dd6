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
        <button className="primary" disabled={!canRun} onClick={condense} data-testid="btn-condense" title="Train the original model if needed, then k-means sub-classes + Blend">
          Condense
        </button>
        <button
          className="primary"
          disabled={!canRun}
          onClick={unlearn}
          data-testid="btn-unlearn"
          title={condensed ? 'Run the selected methods on the reduced retain set (w/ DC)' : 'Run the selected methods on the full retain set (w/o DC)'}
        >
          Unlearn{condensed ? ' (w/ DC)' : ''}
        </button>
        <button className="primary" disabled={!canRun} onClick={compare} data-testid="btn-compare" title="All selected methods, w/o and w/ DC (per the Compare-arms setting)">
          Compare {nMethods} method{nMethods === 1 ? '' : 's'}
        </button>
        <button className="danger" disabled={!busy} onClick={stop} data-testid="btn-stop" title="Stop the current stage within one step">
          Stop
        </button>
        <button onClick={reset} data-testid="btn-reset" title="Drop the model, condensed set and results (settings are kept)">
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
        <Toolbar />
      </header>
      {preset && PRESETS[preset] && <div className="preset-desc muted small">{PRESETS[preset].description}</div>}
      <Notices />
      <div className="layout">
        <aside className="sidebar">
          <Controls />
        </aside>
        <main className="main">
          <Progress />
          <SummaryTable />
          <div className="grid2">
            <MethodCurves />
            <TimingChart />
          </div>
          <div className="grid2">
            <AcfTerms />
            <LossHistogram />
          </div>
          <ForgetGallery />
          <PrototypeGallery />
          <div className="grid2">
            <ReducedRetain />
            <CondenseLoss />
          </div>
          <ReproducePanel />
        </main>
        <aside className="rightbar">
          <DatasetPanel />
          <DevicePanel />
          <SharePanel />
        </aside>
      </div>
      <footer className="footer muted small">
        Every number on this page comes from the run in this tab. Method definitions and defaults follow the paper’s reference code (see README).
      </footer>
    </div>
  );
}
