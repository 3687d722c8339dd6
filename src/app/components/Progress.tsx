import { useEffect, useState } from 'react';
import { useLab } from '../store';
import { STAGE_LABELS, fmtSeconds } from '../format';

const SOURCE_LABELS = { trained: 'trained', cache: 'from the weights cache', shipped: 'shipped with the site' };

/** One progress bar per stage with its ETA; finished stages show their time. */
export function Progress() {
  const stages = useLab((s) => s.run.stages);
  const busy = useLab((s) => s.busy);
  const dp = useLab((s) => s.datasetProgress);
  const source = useLab((s) => s.run.pretrain?.source);
  const [, tick] = useState(0);
  useEffect(() => {
    if (!busy) return;
    const h = setInterval(() => tick((x) => x + 1), 1000);
    return () => clearInterval(h);
  }, [busy]);
  const shown = stages.filter((s) => s.stage !== 'evaluate' || s.status === 'running').slice(-14);
  return (
    <section className="panel progress-panel" data-testid="progress">
      <h2>Progress</h2>
      <p className="muted small" data-testid="progress-time-note">
        Times here are each stage’s wall time, evaluations included; the summary table’s Time is the method’s own
        unlearning time (evaluations left out), so it is shorter.
      </p>
      {dp && (
        <div className="stage">
          <div className="stage-head">
            <span>{dp.message}</span>
            <span>{dp.total ? `${Math.round((100 * dp.loaded) / dp.total)} %` : ''}</span>
          </div>
          <div className="bar">
            <div className="bar-fill" style={{ width: `${dp.total ? (100 * dp.loaded) / dp.total : 0}%` }} />
          </div>
        </div>
      )}
      {shown.length === 0 && !dp && <p className="muted">No stage has run yet. Press Condense, Unlearn or Compare.</p>}
      {shown.map((s) => {
        const key = `${s.stage}:${s.label ?? ''}`;
        const p = s.progress;
        const running = s.status === 'running';
        const elapsed = running ? (Date.now() - s.startedAt) / 1000 : s.seconds;
        return (
          <div className={`stage stage-${s.status}`} key={key} data-testid={`stage-${s.stage}`}>
            <div className="stage-head">
              <span className="stage-name">
                {STAGE_LABELS[s.stage] ?? s.stage}
                {s.label && s.label.toLowerCase() !== (STAGE_LABELS[s.stage] ?? '').toLowerCase()
                  ? ` · ${s.label}`
                  : ''}
                {s.stage === 'pretrain' && s.status === 'done' && source ? ` · ${SOURCE_LABELS[source]}` : ''}
              </span>
              <span className="stage-meta">
                {p && running && p.label && p.label !== s.label ? `${p.label} · ` : ''}
                {p && running && p.epochs > 1 ? `epoch ${Math.min(p.epoch, p.epochs)}/${p.epochs} · ` : ''}
                {p && running ? `step ${p.step}/${p.steps} · ` : ''}
                {p?.loss !== undefined && running ? `loss ${p.loss.toFixed(3)} · ` : ''}
                {running
                  ? `${fmtSeconds(elapsed)} elapsed${s.etaSeconds !== undefined ? ` · ETA ${fmtSeconds(s.etaSeconds)}` : ''}`
                  : s.status === 'done'
                    ? `${fmtSeconds(s.seconds)} wall${s.stage === 'unlearn' ? ', incl. evaluation' : ''}`
                    : s.status}
              </span>
            </div>
            <div className="bar">
              <div
                className="bar-fill"
                style={{ width: `${Math.round(100 * (s.status === 'done' ? 1 : s.fraction))}%` }}
              />
            </div>
          </div>
        );
      })}
    </section>
  );
}
