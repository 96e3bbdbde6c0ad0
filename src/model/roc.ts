/**
 * Ranking metrics of a detector: ROC curve, ROC AUC, and the catch rate at a fixed false-positive rate.
 * Convention: a higher `risk` means more likely an attack; positives are attacks, negatives genuine claims.
 */

/** ROC AUC by the Mann–Whitney statistic (ties count one half). NaN when a class is empty. */
export function rocAuc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) return Number.NaN;
  const all = [
    ...positives.map((v) => ({ v, positive: true })),
    ...negatives.map((v) => ({ v, positive: false })),
  ].sort((a, b) => a.v - b.v);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]?.v === all[i]?.v) j += 1;
    const averageRank = (i + 1 + j) / 2; // ranks i+1..j
    for (let k = i; k < j; k += 1) if (all[k]?.positive === true) rankSum += averageRank;
    i = j;
  }
  const n1 = positives.length;
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * negatives.length);
}

/**
 * The alarm threshold at false-positive rate `fpr`: claims with risk strictly above it raise an alarm,
 * and at most `fpr` of the negatives do.
 */
export function thresholdAtFpr(negatives: readonly number[], fpr: number): number {
  const sorted = [...negatives].sort((a, b) => b - a);
  const allowed = Math.floor(fpr * sorted.length);
  // The allowed-th highest negative (0-based) is the first that must not alarm.
  return sorted[allowed] ?? Number.NEGATIVE_INFINITY;
}

/** Share of `values` strictly above `threshold`. */
export function shareAbove(values: readonly number[], threshold: number): number {
  if (values.length === 0) return Number.NaN;
  let n = 0;
  for (const v of values) if (v > threshold) n += 1;
  return n / values.length;
}

/** One point of a ROC curve. */
export interface RocPoint {
  readonly fpr: number;
  readonly tpr: number;
}

/** The ROC curve (one point per distinct threshold, from (0,0) to (1,1)), at most `maxPoints` points. */
export function rocCurve(
  positives: readonly number[],
  negatives: readonly number[],
  maxPoints = 200,
): RocPoint[] {
  const all = [
    ...positives.map((v) => ({ v, positive: true })),
    ...negatives.map((v) => ({ v, positive: false })),
  ].sort((a, b) => b.v - a.v);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]?.v === all[i]?.v) {
      if (all[j]?.positive === true) tp += 1;
      else fp += 1;
      j += 1;
    }
    points.push({ fpr: fp / Math.max(1, negatives.length), tpr: tp / Math.max(1, positives.length) });
    i = j;
  }
  if (points.length <= maxPoints) return points;
  const step = (points.length - 1) / (maxPoints - 1);
  return Array.from({ length: maxPoints }, (_, k) => points[Math.round(k * step)] ?? { fpr: 1, tpr: 1 });
}
