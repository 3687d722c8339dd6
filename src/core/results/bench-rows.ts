/** A benchmark row (results-format.md). */
export interface BenchRow {
  id: string;
  value: number;
  unit: string;
  target?: number | null;
  setting: string;
  note?: string;
  /** rows from interleaved timing repeats: the range (min, max) of the per-repeat values, and how many repeats */
  range?: [number, number];
  repeats?: number;
}
