/** Audit test fixtures: random images with random labels (4 classes), so membership is all a model can learn. */
import { Rng } from '../rng';
import type { ImageDataset } from '../types';

export function randomLabelDataset(perClass: number, seed: string): ImageDataset {
  const rng = new Rng(seed);
  const n = perClass * 4;
  const images = new Uint8Array(n * 32 * 32 * 3);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 4);
  return {
    id: 'synthetic',
    classes: ['a', 'b', 'c', 'd'],
    height: 32,
    width: 32,
    channels: 3,
    train: { images, labels, n },
    test: { images: images.slice(0, 16 * 3072), labels: labels.slice(0, 16), n: 16 },
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
  };
}
