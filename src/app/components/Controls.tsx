import type { ReactNode } from 'react';
import type { Group, ParamDef, ParamValue, Params } from '../params';
import { resolvedHParam, visibleParams } from '../params';
import { useLab } from '../store';

const GROUPS: Array<{ group: Group; title: string }> = [
  { group: 'data', title: 'Data' },
  { group: 'model', title: 'Original model' },
  { group: 'forget', title: 'What to forget' },
  { group: 'condense', title: 'Blend condensation' },
  { group: 'methods', title: 'Unlearning methods' },
  { group: 'hparams', title: 'Key hyper-parameters' },
  { group: 'run', title: 'Run' },
  { group: 'device', title: 'Device' },
];

/** All controls, generated from the parameter table. */
export function Controls() {
  const params = useLab((s) => s.params);
  const busy = useLab((s) => s.busy);
  const classes = useLab((s) => s.dataset?.classes);
  return (
    <div className="controls">
      {GROUPS.map(({ group, title }) => {
        const defs = visibleParams(params, group);
        if (!defs.length) return null;
        return (
          <fieldset key={group} className={`group group-${group}`} disabled={!!busy && group !== 'device'}>
            <legend>{title}</legend>
            {group === 'hparams' && (
              <p className="hint">
                Empty = the paper’s default for this dataset, model and arm (shown grey: w/o DC / w/ DC, epochs already
                scaled). Values you type are used as is.
              </p>
            )}
            {defs
              .filter((p) => !p.advanced)
              .map((p) => (
                <Control
                  key={p.name}
                  def={p}
                  value={params[p.name]}
                  classes={classes}
                  hidden={hiddenFor(p, params)}
                  params={params}
                />
              ))}
            {defs.some((p) => p.advanced) && (
              <details className="more">
                <summary>more settings</summary>
                {defs
                  .filter((p) => p.advanced)
                  .map((p) => (
                    <Control
                      key={p.name}
                      def={p}
                      value={params[p.name]}
                      classes={classes}
                      hidden={hiddenFor(p, params)}
                      params={params}
                    />
                  ))}
              </details>
            )}
          </fieldset>
        );
      })}
    </div>
  );
}

function hiddenFor(p: ParamDef, params: Record<string, ParamValue>): boolean {
  if (p.name === 'forgetClass') return params.forgetMode !== 'class';
  if (p.name === 'forgetFraction' || p.name === 'rounds') return params.forgetMode !== 'uniform';
  return false;
}

function Row(props: { def: ParamDef; children: ReactNode; wide?: boolean }) {
  const { def } = props;
  return (
    <label className={`row ${props.wide ? 'row-wide' : ''}`} title={def.help}>
      <span className="row-label">
        {def.label}
        {def.help && <span className="row-help"> — {def.help}</span>}
      </span>
      {props.children}
    </label>
  );
}

function Control(props: { def: ParamDef; value: ParamValue; classes?: string[]; hidden: boolean; params: Params }) {
  const set = useLab((s) => s.setParam);
  const { def, value } = props;
  if (props.hidden) return null;
  const tid = `param-${def.key}`;
  switch (def.type) {
    case 'int':
    case 'float':
      return (
        <Row def={def}>
          <NumberInput def={def} value={value as number} onCommit={(v) => set(def.name, v)} testId={tid} />
        </Row>
      );
    case 'optnum': {
      const a = resolvedHParam(props.params, def, false);
      const b = resolvedHParam(props.params, def, true);
      const fmt = (x: number | null) => (x === null ? '?' : Number(x.toPrecision(3)).toString());
      const placeholder = a === b ? fmt(a) : `${fmt(a)} / ${fmt(b)}`;
      return (
        <Row def={def}>
          <OptNumberInput
            value={value as number | null}
            placeholder={placeholder}
            title={`${def.help ?? ''} — empty: paper default (w/o DC / w/ DC: ${placeholder})`}
            onCommit={(v) => set(def.name, v)}
            testId={tid}
          />
        </Row>
      );
    }
    case 'bool':
      return (
        <label className="row row-check" title={def.help}>
          <input
            type="checkbox"
            checked={value as boolean}
            onChange={(e) => set(def.name, e.target.checked)}
            data-testid={tid}
          />
          <span>{def.label}</span>
        </label>
      );
    case 'enum':
      if (def.control === 'radio') {
        return (
          <div className="row row-radio" role="radiogroup" aria-label={def.label} data-testid={tid}>
            <span className="row-label">{def.label}</span>
            <div className="radios">
              {def.options.map((o) => (
                <label key={o.value} className="radio">
                  <input
                    type="radio"
                    name={def.name}
                    value={o.value}
                    checked={value === o.value}
                    onChange={() => set(def.name, o.value)}
                  />
                  {o.label}
                </label>
              ))}
            </div>
          </div>
        );
      }
      return (
        <Row def={def}>
          <select value={value as string} onChange={(e) => set(def.name, e.target.value)} data-testid={tid}>
            {def.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </Row>
      );
    case 'optint': {
      const n = def.max - def.min + 1;
      return (
        <Row def={def}>
          <select
            value={value === null ? 'auto' : String(value)}
            onChange={(e) => set(def.name, e.target.value === 'auto' ? null : Number(e.target.value))}
            data-testid={tid}
          >
            <option value="auto">{def.nullLabel}</option>
            {Array.from({ length: n }, (_, i) => def.min + i).map((c) => (
              <option key={c} value={c}>
                {c}
                {props.classes?.[c] ? ` · ${props.classes[c]}` : ''}
              </option>
            ))}
          </select>
        </Row>
      );
    }
    case 'multi': {
      const sel = new Set(value as string[]);
      return (
        <div className="row row-wide" data-testid={tid}>
          <div className="checks">
            {def.options.map((o) => (
              <label key={o.value} className="check">
                <input
                  type="checkbox"
                  value={o.value}
                  checked={sel.has(o.value)}
                  onChange={(e) => {
                    const next = new Set(sel);
                    if (e.target.checked) next.add(o.value);
                    else next.delete(o.value);
                    set(
                      def.name,
                      def.options.map((x) => x.value).filter((v) => next.has(v)),
                    );
                  }}
                />
                {o.label}
              </label>
            ))}
          </div>
        </div>
      );
    }
  }
}

/** Number field that commits on blur / Enter, so half-typed values are never validated. */
function NumberInput(props: {
  def: ParamDef & { min: number; max: number; step?: number };
  value: number;
  onCommit: (v: number) => void;
  testId: string;
}) {
  const { def } = props;
  return (
    <input
      key={props.value}
      type="number"
      defaultValue={props.value}
      min={def.min}
      max={def.max}
      step={def.step ?? (def.type === 'int' ? 1 : 'any')}
      data-testid={props.testId}
      onBlur={(e) => {
        const v = Number(e.target.value);
        if (e.target.value.trim() === '' || v === props.value) return;
        props.onCommit(v);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
      }}
    />
  );
}

/** Optional number: empty means "default" (null). */
function OptNumberInput(props: {
  value: number | null;
  placeholder: string;
  title: string;
  onCommit: (v: number | null) => void;
  testId: string;
}) {
  return (
    <input
      key={String(props.value)}
      type="number"
      step="any"
      defaultValue={props.value ?? ''}
      placeholder={props.placeholder}
      title={props.title}
      data-testid={props.testId}
      onBlur={(e) => {
        const t = e.target.value.trim();
        const v = t === '' ? null : Number(t);
        if (v === props.value) return;
        props.onCommit(v);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
      }}
    />
  );
}
