import { useLab } from '../store';
import { fmtBytes } from '../format';

/** Backend in use and why, self-check, throughput of the last stage, memory. */
export function DevicePanel() {
  const b = useLab((s) => s.backend);
  const ready = useLab((s) => s.workerReady);
  const mem = useLab((s) => s.memory);
  const ips = useLab((s) => s.run.imgPerSec);
  const ipsStage = useLab((s) => s.run.imgPerSecStage);
  const restarts = useLab((s) => s.workerRestarts);
  const queued = useLab((s) => s.queued);
  return (
    <section className="panel device-panel" data-testid="device-panel">
      <h2>Device</h2>
      <dl className="kv">
        <dt>Backend</dt>
        <dd>
          <span className="backend-name" data-testid="backend-name">
            {b ? b.backend : ready ? '?' : 'starting…'}
          </span>
          {b && b.pref !== 'auto' && <span className="muted small"> (forced: {b.pref})</span>}
        </dd>
        <dt>Training workers</dt>
        <dd data-testid="training-workers">
          {b?.workers ?? '–'}
          {b?.workers !== undefined && <span className="muted small">{b.workers > 1 ? ' data-parallel WASM workers' : ' (in the lab worker)'}</span>}
        </dd>
        <dt>Self-check</dt>
        <dd data-testid="self-check">{b?.selfCheck ? `${b.selfCheck.ok ? '✓' : '✗'} ${b.selfCheck.message}` : '–'}</dd>
        <dt>Throughput</dt>
        <dd data-testid="img-per-sec">{ips !== null ? `${ips.toFixed(0)} images/s` : '–'}{ipsStage && <span className="muted small"> ({ipsStage})</span>}</dd>
        <dt>Memory</dt>
        <dd data-testid="memory">{mem ? `${mem.numTensors.toLocaleString()} tensors · ${fmtBytes(mem.numBytes)}` : '–'}</dd>
        <dt>Worker</dt>
        <dd data-testid="worker-state">
          {ready ? 'ready' : 'starting'}
          {queued > 0 ? ` · ${queued} command(s) in flight` : ''}
          {restarts > 0 ? ` · restarted ${restarts}×` : ''}
        </dd>
        {b?.versions && (
          <>
            <dt>Versions</dt>
            <dd className="small">{Object.entries(b.versions).map(([k, v]) => `${k} ${v}`).join(' · ')}</dd>
          </>
        )}
      </dl>
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
