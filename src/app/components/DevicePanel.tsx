import { useState } from 'react';
import { useLab } from '../store';
import { fmtBytes } from '../format';
import { clearLabData } from '../clear-data';

/** Clears the lab's cached weights, datasets and stored runs, and says how much that freed. */
function ClearCachedData() {
  const [state, setState] = useState<{ busy: boolean; text: string | null }>({ busy: false, text: null });
  const onClick = async () => {
    setState({ busy: true, text: null });
    try {
      const r = await clearLabData();
      useLab.getState().forgetAllRuns();
      const freed = r.freedBytes === null ? 'the browser gives no size estimate' : `freed ${fmtBytes(r.freedBytes)}`;
      setState({ busy: false, text: `Cleared cached weights, datasets and stored runs (${freed}).` });
    } catch (e) {
      setState({ busy: false, text: `Could not clear: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  return (
    <div className="clear-cache">
      <button
        type="button"
        onClick={onClick}
        disabled={state.busy}
        data-testid="clear-cache"
        title="Removes cached pretrained weights, imported and downloaded datasets, stored runs and reproduce cells"
      >
        {state.busy ? 'Clearing…' : 'Clear cached data'}
      </button>
      {state.text && (
        <span className="muted small" role="status" data-testid="clear-cache-result">
          {' '}
          {state.text}
        </span>
      )}
    </div>
  );
}

/** Backend in use and why, self-check, throughput of the last stage, memory. */
export function DevicePanel() {
  const b = useLab((s) => s.backend);
  const ready = useLab((s) => s.workerReady);
  const mem = useLab((s) => s.memory);
  const ips = useLab((s) => s.run.imgPerSec);
  const ipsStage = useLab((s) => s.run.imgPerSecStage);
  const restarts = useLab((s) => s.workerRestarts);
  const queued = useLab((s) => s.queued);
  const gpuDiag = useLab((s) => s.gpuDiag);
  const busy = useLab((s) => s.busy);
  return (
    <section className="panel device-panel" data-testid="device-panel">
      <h2>Device</h2>
      {b?.notice && (
        <p className="notice error small" data-testid="backend-notice">
          {b.notice}
        </p>
      )}
      <dl className="kv">
        <dt>Backend</dt>
        <dd>
          <span className="backend-name" data-testid="device-backend">
            {b ? b.backend : ready ? '?' : 'starting…'}
          </span>
          {b && b.pref !== 'auto' && <span className="muted small"> (forced: {b.pref})</span>}
        </dd>
        <dt>Training workers</dt>
        <dd data-testid="training-workers">
          {b?.workers ?? '–'}
          {b?.workers !== undefined && (
            <span className="muted small">
              {b.workers > 1 ? ' data-parallel WASM workers' : ' (in the lab worker)'}
            </span>
          )}
        </dd>
        {b?.adapter && (
          <>
            <dt>Adapter</dt>
            <dd className="small" data-testid="gpu-adapter">
              {b.adapter}
            </dd>
          </>
        )}
        {b?.tuning && (
          <>
            <dt>Kernels</dt>
            <dd className="small" data-testid="gpu-tuning">
              {b.tuning}
            </dd>
          </>
        )}
        <dt>Self-check</dt>
        <dd data-testid="self-check">{b?.selfCheck ? `${b.selfCheck.ok ? '✓' : '✗'} ${b.selfCheck.message}` : '–'}</dd>
        <dt>Throughput</dt>
        <dd data-testid="img-per-sec">
          {ips !== null ? `${ips.toFixed(0)} images/s` : '–'}
          {ipsStage && <span className="muted small"> ({ipsStage})</span>}
        </dd>
        <dt>Memory</dt>
        <dd data-testid="memory">
          {mem ? `${mem.numTensors.toLocaleString()} tensors · ${fmtBytes(mem.numBytes)}` : '–'}
        </dd>
        <dt>Worker</dt>
        <dd data-testid="worker-state">
          {ready ? 'ready' : 'starting'}
          {queued > 0 ? ` · ${queued} command(s) in flight` : ''}
          {restarts > 0 ? ` · restarted ${restarts}×` : ''}
        </dd>
        {b?.versions && (
          <>
            <dt>Versions</dt>
            <dd className="small">
              {Object.entries(b.versions)
                .map(([k, v]) => `${k} ${v}`)
                .join(' · ')}
            </dd>
          </>
        )}
      </dl>
      {b?.backend === 'webgpu' && (
        <details className="why" data-testid="gpu-diag-box">
          <summary>WebGPU diagnostics</summary>
          <button
            type="button"
            data-testid="btn-gpu-diagnose"
            disabled={!!busy}
            onClick={() => void useLab.getState().gpuDiagnose()}
          >
            Check AddN and the filter gradient
          </button>{' '}
          <button
            type="button"
            data-testid="btn-gpu-provoke"
            disabled={!!busy}
            onClick={() => void useLab.getState().gpuDiagnose(true)}
            title="runs tfjs' unfixed AddN once: a real device error, to see the fallback to WASM"
          >
            Provoke a device error
          </button>
          {gpuDiag && (
            <pre className="small" data-testid="gpu-diag">
              {gpuDiag}
            </pre>
          )}
        </details>
      )}
      <ClearCachedData />
      {b && b.reasons.length > 0 && (
        <details className="why" open={b.pref === 'auto'}>
          <summary>Why {b.backend}?</summary>
          <ul data-testid="backend-reasons">
            {b.reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
