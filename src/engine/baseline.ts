import { globalMean, type RatingMatrix } from './matrix.ts';

/**
 * Baseline predictor `b_ui = mu + b_u + b_i` (Koren 2010), fitted by alternating
 * least squares with damping:
 * `b_i = sum_{u in U_i} (r_ui - mu - b_u) / (regItem + |U_i|)`, then
 * `b_u = sum_{i in I_u} (r_ui - mu - b_i) / (regUser + |I_u|)`.
 */
export interface Baseline {
  readonly mu: number;
  readonly userBias: Float64Array;
  readonly itemBias: Float64Array;
}

export interface BaselineOptions {
  readonly regUser: number;
  readonly regItem: number;
  readonly epochs: number;
}

export const defaultBaselineOptions: BaselineOptions = { regUser: 15, regItem: 10, epochs: 10 };

export function fitBaseline(
  m: RatingMatrix,
  options: BaselineOptions = defaultBaselineOptions,
): Baseline {
  const mu = globalMean(m.byUser);
  const userBias = new Float64Array(m.nUsers);
  const itemBias = new Float64Array(m.nItems);
  const { byUser, byItem } = m;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = 0; i < m.nItems; i++) {
      let s = 0;
      const start = byItem.rowPtr[i];
      const end = byItem.rowEnd[i];
      for (let p = start; p < end; p++) s += byItem.values[p] - mu - userBias[byItem.colIdx[p]];
      const n = options.regItem + end - start;
      itemBias[i] = n > 0 ? s / n : 0;
    }
    for (let u = 0; u < m.nUsers; u++) {
      let s = 0;
      const start = byUser.rowPtr[u];
      const end = byUser.rowEnd[u];
      for (let p = start; p < end; p++) s += byUser.values[p] - mu - itemBias[byUser.colIdx[p]];
      const n = options.regUser + end - start;
      userBias[u] = n > 0 ? s / n : 0;
    }
  }
  return { mu, userBias, itemBias };
}

/** `b_ui`; an unknown user or item (index -1) contributes no bias. */
export function baselineEstimate(b: Baseline, u: number, i: number): number {
  return b.mu + (u >= 0 ? b.userBias[u] : 0) + (i >= 0 ? b.itemBias[i] : 0);
}
