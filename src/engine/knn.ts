import { type Baseline, baselineEstimate } from './baseline.ts';
import { rowMeans } from './matrix.ts';
import { clip, type Scale } from './scale.ts';
import { computeRow, rowScratch, type SimilaritySpace } from './similarity.ts';
import { TopK } from './top-k.ts';

/**
 * How a kNN prediction centres the neighbours' ratings (Surprise's KNNBasic,
 * KNNWithMeans and KNNBaseline), written for item-based (`a` = item i, neighbours j
 * among the items the user rated; user-based swaps the roles):
 * - `plain`: `pred = sum s_ij r_uj / sum s_ij`
 * - `mean`: `pred = mean_i + sum s_ij (r_uj - mean_j) / sum s_ij`
 * - `baseline`: `pred = b_ui + sum s_ij (r_uj - b_uj) / sum s_ij`
 */
export type KnnCentring = 'plain' | 'mean' | 'baseline';

export interface KnnOptions {
  /** Neighbours used per prediction, chosen among those who rated the target. */
  readonly k: number;
  /** Fewer positive neighbours than this and the prediction falls back to the baseline. */
  readonly minK: number;
  readonly centring: KnnCentring;
}

export interface KnnPredictions {
  /** Estimated rating, clipped to the scale. */
  readonly estimate: Float64Array;
  /** Neighbours behind each estimate; 0 means it is the baseline (fallback). */
  readonly neighbours: Int32Array;
  /** Sum of the similarities of those neighbours: how much evidence there was. */
  readonly weight: Float64Array;
}

/**
 * Predicts `r(users[t], items[t])` for every t. Pairs are grouped by the entity whose
 * similarity row is needed, and each row is computed once from the inverted index, so
 * the k neighbours are the k most similar among those who rated the target, not the first
 * k of a truncated global list. Unknown users or items (index -1) get the baseline.
 */
export function predictKnn(
  space: SimilaritySpace,
  baseline: Baseline,
  options: KnnOptions,
  scale: Scale,
  users: Int32Array,
  items: Int32Array,
): KnnPredictions {
  const predictor = pairPredictor(space, baseline, options, scale, users, items);
  const scratch = rowScratch(space.rows.rows);
  for (let a = 0; a < space.rows.rows; a++) {
    if (!predictor.wants(a)) continue;
    computeRow(space, a, scratch);
    predictor.visit(a, scratch.sim);
  }
  return predictor.result;
}

/**
 * Something that consumes similarity rows of `space` during a pass over its entities:
 * `wants(a)` says whether row a is needed, `visit(a, sim)` receives it (dense, indexed by
 * entity). buildNeighbourLists accepts one, so predictions can share its pass.
 */
export interface RowVisitor {
  readonly space: SimilaritySpace;
  wants(a: number): boolean;
  visit(a: number, sim: Float64Array): void;
}

/** A RowVisitor that predicts the given pairs; `result` is complete once every wanted row was visited. */
export interface PairPredictor extends RowVisitor {
  readonly result: KnnPredictions;
}

export function pairPredictor(
  space: SimilaritySpace,
  baseline: Baseline,
  options: KnnOptions,
  scale: Scale,
  users: Int32Array,
  items: Int32Array,
): PairPredictor {
  const n = users.length;
  const estimate = new Float64Array(n);
  const neighbours = new Int32Array(n);
  const weight = new Float64Array(n);
  const itemSide = space.side === 'item';
  const entityOf = itemSide ? items : users;
  const otherOf = itemSide ? users : items;
  const { rows, cols } = space;
  const means = options.centring === 'mean' ? rowMeans(rows, baseline.mu) : undefined;

  // Counting sort of the pairs by entity; pairs with an unknown side get the baseline now.
  const order = new Int32Array(n);
  const start = new Int32Array(rows.rows + 1);
  for (let t = 0; t < n; t++) {
    const a = entityOf[t];
    if (a >= 0 && otherOf[t] >= 0) start[a + 1]++;
    else estimate[t] = clip(baselineEstimate(baseline, users[t], items[t]), scale);
  }
  for (let a = 0; a < rows.rows; a++) start[a + 1] += start[a];
  const next = start.slice(0, rows.rows);
  for (let t = 0; t < n; t++) {
    const a = entityOf[t];
    if (a >= 0 && otherOf[t] >= 0) order[next[a]++] = t;
  }

  const k = options.k;
  const top = new TopK(k);
  const picked = new Int32Array(k);
  const pickedSim = new Float64Array(k);
  const visit = (a: number, simRow: Float64Array): void => {
    for (let s = start[a]; s < start[a + 1]; s++) {
      const t = order[s];
      const o = otherOf[t];
      top.clear();
      const end = cols.rowEnd[o];
      for (let q = cols.rowPtr[o]; q < end; q++) {
        const sim = simRow[cols.colIdx[q]];
        // cheap rejection once the heap is full: most candidates lose to its worst
        if (sim > 0 && top.admits(sim)) top.offer(sim, q);
      }
      // the sums below do not depend on order, so the heap need not be sorted
      const count = top.drainUnordered(picked, pickedSim);
      const u = users[t];
      const i = items[t];
      const base = baselineEstimate(baseline, u, i);
      if (count < options.minK || count === 0) {
        estimate[t] = clip(base, scale);
        continue;
      }
      let num = 0;
      let den = 0;
      for (let c = 0; c < count; c++) {
        const q = picked[c];
        const sim = pickedSim[c];
        const b = cols.colIdx[q];
        let r = cols.values[q];
        if (options.centring === 'mean' && means) r -= means[b];
        else if (options.centring === 'baseline') {
          r -= itemSide ? baselineEstimate(baseline, u, b) : baselineEstimate(baseline, b, i);
        }
        num += sim * r;
        den += sim;
      }
      let est = num / den;
      if (options.centring === 'mean' && means) est += means[a];
      else if (options.centring === 'baseline') est += base;
      estimate[t] = clip(est, scale);
      neighbours[t] = count;
      weight[t] = den;
    }
  };
  return {
    space,
    wants: (a) => start[a + 1] > start[a],
    visit,
    result: { estimate, neighbours, weight },
  };
}
