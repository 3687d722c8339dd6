import { useState } from 'react';
import {
  CartesianGrid,
  ComposedChart,
  ErrorBar,
  Legend,
  Line,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { TradeoffFile, TradeoffMetric } from '../../core/lite';
import { parseTradeoffFile, summariseTradeoff, sweepTradeoff, tradeoffChartData } from '../../core/lite';
import { useLab } from '../store';
import { specOf } from '../url';
import { download, METHOD_COLORS } from '../format';

/**
 * The trade-off sweep (issue 10 item 5) drawn: privacy and utility (forget accuracy, MIA, test accuracy) against
 * unlearning seconds, one line per method (A-CF epochs, CF epochs; means over seeds with 95 % error bars), Retrain
 * as a band (its interval over seeds). Reads results/reproduce/tradeoff.json's shape (import), or runs a sweep of the
 * current settings here (Sweep) through the core's sweepTradeoff — the plan of `npm run tradeoff`.
 */
const PANELS: Array<{ metric: TradeoffMetric; title: string; note: string }> = [
  { metric: 'forgetAcc', title: 'Forget acc %', note: 'closer to Retrain = better forgetting' },
  { metric: 'mia', title: 'MIA %', note: 'closer to Retrain (≈50) = more private' },
  { metric: 'testAcc', title: 'Test acc %', note: 'higher = more utility kept' },
];

export function TradeoffChart({ file }: { file: TradeoffFile }) {
  return (
    <div className="grid3" data-testid="tradeoff-chart">
      {PANELS.map(({ metric, title, note }) => {
        const d = tradeoffChartData(file.summary, metric);
        const all = [
          ...d.lines.flatMap((l) => l.points.flatMap((p) => [p.yLo, p.yHi])),
          ...(d.retrain ? [d.retrain.lo, d.retrain.hi] : []),
        ].filter(Number.isFinite);
        const lo = Math.floor(Math.min(...all) - 2),
          hi = Math.ceil(Math.max(...all) + 2);
        return (
          <figure key={metric} className="chart" data-testid={`tradeoff-${metric}`}>
            <figcaption className="small">
              {title} vs seconds <span className="muted">({note})</span>
            </figcaption>
            <ResponsiveContainer width="100%" height={220}>
              <ComposedChart margin={{ top: 8, right: 12, bottom: 16, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis
                  type="number"
                  dataKey="x"
                  name="seconds"
                  unit=" s"
                  domain={[0, 'auto']}
                  label={{ value: 'unlearning seconds', position: 'insideBottom', offset: -8, fontSize: 11 }}
                />
                <YAxis type="number" domain={[lo, hi]} width={40} />
                {d.retrain && (
                  <ReferenceArea
                    y1={d.retrain.lo}
                    y2={Math.max(d.retrain.hi, d.retrain.lo + 0.2)}
                    fill="#9ca3af"
                    fillOpacity={0.3}
                    ifOverflow="extendDomain"
                  />
                )}
                {d.retrain && (
                  <ReferenceLine
                    y={d.retrain.mean}
                    stroke="#374151"
                    strokeDasharray="4 2"
                    label={{
                      value: `Retrain ${d.retrain.epochs} ep (${d.retrain.seconds.toFixed(0)} s, n = ${d.retrain.n})`,
                      fontSize: 10,
                      position: 'insideTopRight',
                    }}
                  />
                )}
                <Tooltip
                  formatter={(v) => (typeof v === 'number' ? v.toFixed(1) : String(v))}
                  labelFormatter={(x) => `${Number(x).toFixed(1)} s`}
                />
                <Legend />
                {d.lines.map((l) => (
                  <Line
                    key={l.method}
                    data={l.points}
                    dataKey="y"
                    name={`${l.method} (epochs)`}
                    stroke={METHOD_COLORS[l.method]}
                    isAnimationActive={false}
                    dot={{ r: 3 }}
                  >
                    <ErrorBar dataKey="err" direction="y" width={4} stroke={METHOD_COLORS[l.method]} />
                  </Line>
                ))}
              </ComposedChart>
            </ResponsiveContainer>
          </figure>
        );
      })}
    </div>
  );
}

/** The panel: Sweep (current settings, capped), import a tradeoff.json, download the sweep. */
export function TradeoffPanel() {
  const busy = useLab((s) => s.busy);
  const ready = useLab((s) => s.workerReady);
  const [file, setFile] = useState<TradeoffFile | null>(null);
  const [cap, setCap] = useState(2);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);

  const sweep = () => {
    const st = useLab.getState();
    let spec;
    try {
      spec = specOf(st.params);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return;
    }
    setError(null);
    void st.runCommand(
      'sweep',
      async () => {
        const send = useLab.getState().send;
        try {
          const out = await sweepTradeoff(
            { ...spec, rounds: 1 },
            {
              pretrain: async (seedSpec, seed) => {
                setStatus(`seed ${seed}: original model`);
                if (!(await send({ kind: 'setSpec', spec: seedSpec })))
                  throw new Error(`seed ${seed}: settings refused`);
                const r = await send({ kind: 'pretrain' });
                if (!r) throw new Error(`seed ${seed}: pretraining did not finish`);
                return r.experiment.split.retainSize;
              },
              unlearn: async (runSpec, run, seed) => {
                setStatus(`seed ${seed}: ${run.method} ${run.epochs} epochs`);
                if (!(await send({ kind: 'setSpec', spec: runSpec })))
                  throw new Error(`seed ${seed}: settings refused`);
                const r = await send({ kind: 'unlearn', methods: [run.method], arms: 'without' });
                if (!r || !r.methods[0]) throw new Error(`seed ${seed}: ${run.method} did not finish`);
                return r.methods[0];
              },
              onPoints: (points) => {
                try {
                  setFile({
                    seeds: [...new Set(points.map((p) => p.seed))],
                    points,
                    summary: summariseTradeoff(points),
                  });
                } catch {
                  /* a point without seconds is drawn once the sweep's summary says so */
                }
              },
            },
            { cap, preset: st.preset ?? undefined },
          );
          setFile(out);
          setStatus(`done: ${out.points.length} points over seeds ${out.seeds.join(', ')}`);
        } catch (e) {
          setStatus('');
          if (!useLab.getState().stopping) setError(e instanceof Error ? e.message : String(e));
        }
      },
      { syncSpec: false },
    );
  };

  const importFile = async (f: File | undefined) => {
    if (!f) return;
    try {
      setFile(parseTradeoffFile(await f.text()));
      setError(null);
      setStatus(`imported ${f.name}`);
    } catch (e) {
      setError(`${f.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  return (
    <section className="panel" data-testid="tradeoff-panel">
      <details open={!!file}>
        <summary>
          <h2 className="inline">Trade-off: privacy and utility against time</h2>
        </summary>
        <p className="muted small">
          The sweep of <code>npm run tradeoff</code> for the current settings and seeds: A-CF at 1, 2, 4, 8, 16 epochs
          and the count nearest the paper’s 704 Adam steps (checkpoints of one run), CF at 1, 2, 5, 10, 25, 50 epochs (a
          run each), Retrain at its paper budget (100 epochs) as the band. The cap drops every budget above it (the
          study itself runs uncapped). Or import a <code>tradeoff.json</code>. Seconds are single measurements per run.
        </p>
        <div className="repro-form">
          <label>
            Max epochs{' '}
            <input
              type="number"
              min={1}
              max={100}
              value={cap}
              disabled={!!busy}
              data-testid="tradeoff-cap"
              onChange={(e) => setCap(Math.max(1, Math.min(100, Math.round(Number(e.target.value) || 1))))}
            />
          </label>{' '}
          <button type="button" onClick={sweep} disabled={!!busy || !ready} data-testid="tradeoff-sweep">
            Sweep
          </button>{' '}
          <label className="small">
            Import tradeoff.json{' '}
            <input
              type="file"
              accept=".json,application/json"
              data-testid="tradeoff-import"
              onChange={(e) => void importFile(e.target.files?.[0])}
            />
          </label>{' '}
          {file && (
            <button
              type="button"
              data-testid="tradeoff-download"
              onClick={() => download('tradeoff.json', JSON.stringify(file, null, 2), 'application/json')}
            >
              Download JSON
            </button>
          )}
        </div>
        {status && (
          <p className="muted small" data-testid="tradeoff-status">
            {status}
          </p>
        )}
        {error && (
          <p className="error small" role="alert">
            {error}
          </p>
        )}
        {file && <TradeoffChart file={file} />}
      </details>
    </section>
  );
}
