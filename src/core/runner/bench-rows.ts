/** A benchmark row (results-format.md). */
export interface BenchRow {
  id: string;
  value: number;
  unit: string;
  target?: number | null;
  setting: string;
  note?: string;
}
