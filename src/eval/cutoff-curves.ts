/**
 * Precision and recall at every cutoff of one ranked list, for one user, with binary
 * gains: at cutoff c, `precision[c - 1] = hits(c) / c` and
 * `recall[c - 1] = hits(c) / relevantCount`, where `hits(c)` counts the relevant items
 * among the first c recommended. A list shorter than c still divides by c, as
 * rankingScores does at its single cutoff, so `precision[n - 1]` equals its precision.
 */
export interface CutoffCurves {
  readonly precision: ReadonlyArray<number>;
  readonly recall: ReadonlyArray<number>;
}

export function cutoffCurves(
  recommended: ArrayLike<number>,
  isRelevant: (item: number) => boolean,
  relevantCount: number,
  maxCutoff: number,
): CutoffCurves {
  const precision = new Array<number>(maxCutoff);
  const recall = new Array<number>(maxCutoff);
  let hits = 0;
  for (let c = 1; c <= maxCutoff; c++) {
    if (c <= recommended.length && isRelevant(recommended[c - 1])) hits++;
    precision[c - 1] = hits / c;
    recall[c - 1] = relevantCount > 0 ? hits / relevantCount : 0;
  }
  return { precision, recall };
}
