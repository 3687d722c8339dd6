/**
 * One threshold everywhere (issue 20 item 4): an original model *memorises* its training set at a train accuracy of
 * MEMORISES_TRAIN_ACC % or more; below that, every report and the page say "original does not memorise (train X %)".
 */
export const MEMORISES_TRAIN_ACC = 98;

/** "original memorises (train X %)" or "original does not memorise (train X %)" — the one wording. */
export function memorisationNote(trainAcc: number): string {
  if (!Number.isFinite(trainAcc)) return 'original: train accuracy not recorded';
  return trainAcc >= MEMORISES_TRAIN_ACC
    ? `original memorises (train ${trainAcc.toFixed(1)} %)`
    : `original does not memorise (train ${trainAcc.toFixed(1)} %)`;
}
