import { armOf } from '../../core/lite';
import { useLab } from '../store';
import { STAGE_LABELS, fmtGap, fmtNum, fmtSeconds } from '../format';
import { methodLabel, pickMethod } from '../modelViews';

const ACTIVITY: Record<string, string> = {
  init: 'starting backend',
  setSpec: 'preparing data',
  loadDataset: 'loading dataset',
  importArchive: 'importing archive',
  reset: 'resetting',
};

const DATASET_NAMES: Record<string, string> = { cifar10: 'CIFAR-10', svhn: 'SVHN', synthetic: 'Synthetic' };

/**
 * The compact summary always in sight (issue 22 item 1), above every view: what runs now, on which backend and
 * dataset, and the selected method's forget / test / MIA next to Retrain's (same arm), with a way to the Run view.
 */
export function StatusStrip() {
  const busy = useLab((s) => s.busy);
  const activity = useLab((s) => s.activity);
  const backend = useLab((s) => s.backend);
  const ready = useLab((s) => s.workerReady);
  const ds = useLab((s) => s.dataset);
  const stages = useLab((s) => s.run.stages);
  const methods = useLab((s) => s.run.methods);
  const selected = useLab((s) => s.selectedMethod);
  const planned = useLab((s) => s.run.spec?.unlearn.methods.length);
  const top = useLab((s) => s.place.top);
  const setPlace = useLab((s) => s.setPlace);
  const viewing = useLab((s) => s.viewingImport);
  const live = useLab((s) => s.params.live === true);
  const liveLast = useLab((s) => s.liveLast);
  const setParam = useLab((s) => s.setParam);
  const running = [...stages].reverse().find((s) => s.status === 'running');
  const cur = pickMethod(methods, selected);
  const ref = cur
    ? methods.find((m) => m.name === 'Retrain' && armOf(m.withDC) === armOf(cur.withDC) && m.round === cur.round)
    : undefined;
  const metric = (label: string, v: number | undefined, r: number | undefined) => (
    <span className="strip-metric">
      {label} {fmtNum(v)}
      {ref && cur !== ref && <span className="muted"> ({fmtGap(v, r)})</span>}
    </span>
  );
  return (
    <div className="status-strip" data-testid="status-strip" role="region" aria-label="Status and summary">
      <span className={`status-pill ${busy ? 'running' : activity ? 'loading' : 'idle'}`} data-testid="run-status">
        {busy ? `running: ${busy.command}` : activity ? `working: ${ACTIVITY[activity] ?? activity}` : 'idle'}
      </span>
      {running && (
        <span className="small" data-testid="strip-stage">
          {STAGE_LABELS[running.stage] ?? running.stage}
          {running.label ? ` · ${running.label}` : ''} · {Math.round(100 * running.fraction)} %
          {running.etaSeconds !== undefined ? ` · ETA ${fmtSeconds(running.etaSeconds)}` : ''}
        </span>
      )}
      <span className="small">
        <span className="muted">backend</span>{' '}
        <span className="backend-name" data-testid="backend-name">
          {backend ? backend.backend : ready ? '?' : 'starting…'}
        </span>
      </span>
      <span className="small">
        <span className="muted">dataset</span>{' '}
        <span data-testid="dataset-name" data-ready={ds ? '1' : '0'}>
          {ds ? (DATASET_NAMES[ds.id] ?? ds.id) : 'loading…'}
        </span>
      </span>
      {viewing && !busy && (
        <span className="small" data-testid="strip-viewing">
          <span className="muted">showing</span> {viewing}
        </span>
      )}
      <label className="small live-toggle" title="Live mode: a changed knob reruns what it affects">
        <input
          type="checkbox"
          checked={live}
          onChange={(e) => setParam('live', e.target.checked)}
          data-testid="live-toggle"
        />{' '}
        live
      </label>
      {live && liveLast && (
        <span
          className="small"
          data-testid="live-status"
          data-n={liveLast.n}
          data-fast={liveLast.fast ? '1' : '0'}
          data-seconds={liveLast.seconds ?? ''}
          data-methods={liveLast.methods?.join(',') ?? ''}
        >
          {liveLast.knob}:{' '}
          {liveLast.fast
            ? liveLast.methods?.length === 0
              ? 'no row to rerun'
              : liveLast.seconds === null
                ? `rerunning ${liveLast.methods?.join(', ') ?? 'the methods'}…`
                : `first number in ${liveLast.seconds.toFixed(1)} s (reran ${liveLast.methods?.join(', ') ?? 'the methods'})`
            : liveLast.seconds === null
              ? 'not live — a normal job (new original model or condensation)…'
              : `normal job, first number in ${fmtSeconds(liveLast.seconds)}`}
        </span>
      )}
      {cur && (
        <span className="strip-summary small" data-testid="compact-summary">
          <strong>{methodLabel(cur)}</strong>
          {metric('forget', cur.metrics.forgetAcc, ref?.metrics.forgetAcc)}
          {metric('test', cur.metrics.testAcc, ref?.metrics.testAcc)}
          {metric('MIA', cur.metrics.miaFiltered ?? cur.metrics.mia, ref?.metrics.miaFiltered ?? ref?.metrics.mia)}
          <span className="muted">
            {ref && cur !== ref ? '(gap to Retrain) · ' : ''}
            {methods.length}
            {planned ? ` of ${planned * (new Set(methods.map((m) => armOf(m.withDC))).size || 1)}` : ''} results
          </span>
          {top !== 'run' && (
            <button className="link-btn" onClick={() => setPlace({ top: 'run' })} data-testid="strip-to-run">
              summary table
            </button>
          )}
        </span>
      )}
    </div>
  );
}
