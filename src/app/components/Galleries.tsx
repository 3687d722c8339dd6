import { useLab } from '../store';
import { RgbaCanvas } from './RgbaCanvas';

/** Blend prototypes as they form: each with a few members of its cluster, cluster size and class. */
export function PrototypeGallery() {
  const items = useLab((s) => s.run.prototypes);
  const iter = useLab((s) => s.run.prototypeIter);
  const classes = useLab((s) => s.dataset?.classes);
  return (
    <section className="panel gallery-panel" data-testid="prototype-gallery">
      <div className="panel-head">
        <h2>Blend prototypes</h2>
        {items.length > 0 && (
          <span className="muted small">
            iteration {iter} · {items.length} shown
          </span>
        )}
      </div>
      {items.length === 0 ? (
        <p className="muted">
          Press Condense: each clean sub-class cluster is blended into one image; a sample of them appears here as they
          form.
        </p>
      ) : (
        <div className="protos">
          {items.map((p) => (
            <figure key={p.cluster} className="proto" data-testid="prototype-item">
              <RgbaCanvas
                image={p.image}
                scale={2}
                title={`cluster ${p.cluster}`}
                testId="prototype-image"
                label={`Blend prototype of cluster ${p.cluster}: ${classes?.[p.label] ?? `class ${p.label}`}, ${p.size} images`}
              />
              <div className="members">
                {p.members.slice(0, 4).map((m, i) => (
                  <RgbaCanvas
                    key={i}
                    image={m}
                    scale={0.75}
                    title="cluster member"
                    label={`member ${i + 1} of cluster ${p.cluster}`}
                  />
                ))}
              </div>
              <figcaption>
                {classes?.[p.label] ?? `class ${p.label}`} · {p.size} img
              </figcaption>
            </figure>
          ))}
        </div>
      )}
    </section>
  );
}

/** Reduced-retain summary: free (condensed) clusters vs residual real images, and the size ratio. */
export function ReducedRetain() {
  const clusters = useLab((s) => s.run.clusters);
  const cond = useLab((s) => s.run.condense);
  if (!clusters && !cond) return null;
  const retain = cond?.retainSize ?? clusters?.retainSize ?? 0;
  const reduced = cond?.reducedRetainSize ?? clusters?.reducedRetainSize ?? 0;
  const free = cond?.freeClusters ?? clusters?.freeClusters ?? 0;
  const residual = cond?.residualImages ?? clusters?.residualImages ?? 0;
  const ratio = retain ? reduced / retain : 0;
  const sizes = cond?.clusterSizes ?? clusters?.sizes ?? [];
  const meanSize = sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : 0;
  return (
    <section className="panel" data-testid="reduced-retain">
      <h2>Reduced retain set</h2>
      <div className="stats">
        <Stat label="retain images" value={retain.toLocaleString()} />
        <Stat label="free clusters → prototypes" value={free.toLocaleString()} />
        <Stat label="residual real images" value={residual.toLocaleString()} />
        <Stat label="reduced retain set" value={reduced.toLocaleString()} />
        <Stat label="size vs retain" value={`${(100 * ratio).toFixed(1)} %`} />
        <Stat label="mean cluster size" value={meanSize.toFixed(1)} />
        {cond && (
          <Stat
            label="k-means / partition / Blend"
            value={`${cond.kmeansSeconds.toFixed(1)} / ${cond.partitionSeconds.toFixed(2)} / ${cond.blendSeconds.toFixed(1)} s`}
          />
        )}
        {cond && (
          <Stat
            label="final Blend loss"
            value={Number.isFinite(cond.finalLoss) ? cond.finalLoss.toExponential(2) : '–'}
          />
        )}
      </div>
      <div className="ratio-bar" title="reduced retain set as a share of the retain set">
        <div className="ratio-residual" style={{ width: `${retain ? (100 * residual) / retain : 0}%` }} />
        <div className="ratio-free" style={{ width: `${retain ? (100 * free) / retain : 0}%` }} />
      </div>
      <p className="muted small">
        Orange: residual real images (clusters that contain forget images); green: one prototype per clean cluster.
      </p>
    </section>
  );
}

export function Stat(props: { label: string; value: string; testId?: string }) {
  return (
    <div className="stat" data-testid={props.testId}>
      <div className="stat-value">{props.value}</div>
      <div className="stat-label">{props.label}</div>
    </div>
  );
}
