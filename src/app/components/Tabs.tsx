import { useId, useRef, type KeyboardEvent } from 'react';

export interface TabDef<K extends string> {
  key: K;
  label: string;
}

/**
 * WAI-ARIA tabs (https://www.w3.org/WAI/ARIA/apg/patterns/tabs/): a `tablist` of `tab` buttons with
 * `aria-selected` and `aria-controls`, a roving tabindex (only the selected tab is in the Tab order), and
 * ←/→/Home/End moving the selection (automatic activation); the `tabpanel` is labelled by its selected tab.
 * Looks like the page's segmented buttons (`.seg`).
 */
export function useTabs<K extends string>(opts: {
  tabs: ReadonlyArray<TabDef<K>>;
  selected: K;
  onSelect: (k: K) => void;
  /** accessible name of the tab list */
  label: string;
}) {
  const base = useId();
  const refs = useRef(new Map<K, HTMLButtonElement>());
  const tabId = (k: K) => `${base}-tab-${k}`;
  const panelId = `${base}-panel`;
  const { tabs, selected, onSelect } = opts;

  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = Math.max(
      0,
      tabs.findIndex((t) => t.key === selected),
    );
    const n = tabs.length;
    const to = { ArrowRight: (i + 1) % n, ArrowLeft: (i - 1 + n) % n, Home: 0, End: n - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = tabs[to].key;
    onSelect(next);
    refs.current.get(next)?.focus();
  };

  const tabList = (
    <div className="seg" role="tablist" aria-label={opts.label}>
      {tabs.map((t, i) => {
        const on = t.key === selected;
        // roving tabindex: the selected tab (or the first, if none is) is the one Tab reaches
        const focusable = on || (i === 0 && !tabs.some((x) => x.key === selected));
        return (
          <button
            key={t.key}
            ref={(el) => {
              if (el) refs.current.set(t.key, el);
              else refs.current.delete(t.key);
            }}
            type="button"
            role="tab"
            id={tabId(t.key)}
            aria-selected={on}
            aria-controls={panelId}
            tabIndex={focusable ? 0 : -1}
            className={on ? 'on' : ''}
            onClick={() => onSelect(t.key)}
            onKeyDown={onKeyDown}
          >
            {t.label}
          </button>
        );
      })}
    </div>
  );
  /** spread onto the element that shows the selected tab's content */
  const panelProps = { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId(selected), tabIndex: 0 } as const;
  return { tabList, panelProps };
}
