/**
 * WarmCos(W, E) per-epoch LambdaLR factor (docs/paper-notes.md §6.0): epoch e (0-based) → (e+1)/W for e < W, else
 * ½(1 + cos(π·(e − W)/(E − W))). With W = 0 it is plain cosine from epoch 0.
 */
export function warmCos(epoch: number, warmup: number, epochs: number): number {
  if (warmup > 0 && epoch < warmup) return (epoch + 1) / warmup;
  const span = epochs - warmup;
  if (span <= 0) return 1;
  return 0.5 * (1 + Math.cos((Math.PI * (epoch - warmup)) / span));
}
