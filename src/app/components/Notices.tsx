import { useLab } from '../store';

/** Notices: URL problems, dataset fallbacks, crashes, errors. All content is rendered as text. */
export function Notices() {
  const notices = useLab((s) => s.notices);
  const dismiss = useLab((s) => s.dismissNotice);
  if (!notices.length) return null;
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div
          key={n.id}
          className={`notice notice-${n.level}`}
          data-testid={n.testId ?? 'notice'}
          role={n.level === 'error' ? 'alert' : 'status'}
        >
          <div className="notice-body">
            <strong>{n.title}</strong>
            {n.lines.length > 0 && (
              <ul>
                {n.lines.map((l, i) => (
                  <li key={i}>{l}</li>
                ))}
              </ul>
            )}
            {n.action && (
              <button className="primary notice-action" data-testid={n.action.testId} onClick={n.action.run}>
                {n.action.label}
              </button>
            )}
          </div>
          <button className="icon-btn" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
