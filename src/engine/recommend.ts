import type { Reason, RecommendScratch, SideScales } from './algorithms/algorithm.ts';
import { type AlgorithmName, algorithmByName } from './algorithms.ts';
import type { Model } from './model.ts';
import { TopK } from './top-k.ts';

export type { Reason, RecommendScratch, SideScales } from './algorithms/algorithm.ts';

export interface RecommendOptions {
  readonly strategy: AlgorithmName;
  readonly n: number;
  /** Leave out the movies the user has rated (default true). */
  readonly excludeRated?: boolean;
  /** When given, only items with `allowed[i] === 1` are recommended (e.g. a genre filter). */
  readonly allowed?: Uint8Array;
}

export interface Recommendation {
  readonly item: number;
  readonly score: number;
  /** `neighbours` when the strategy scored it; `popularity` when it filled an empty slot. */
  readonly source: 'neighbours' | 'baseline' | 'popularity';
}

export function recommendScratch(model: Model): RecommendScratch {
  const n = model.matrix.nItems;
  return {
    itemScores: new Float64Array(n),
    userScores: new Float64Array(n),
    blocked: new Uint8Array(n),
    scales: { item: 1, user: 1, factor: 0 },
  };
}

/**
 * Top-N movies for user `u` (dense index, or -1 for a user the model has never seen).
 * Scores come from neighbourhood mass rather than predicted ratings, which would favour
 * movies with one enthusiastic rater. Ties go to the lower index. Slots the strategy
 * cannot fill (a new user, a user whose neighbours saw nothing new) are filled with the
 * most popular allowed movies, flagged as such.
 */
export function recommendForUser(
  model: Model,
  u: number,
  options: RecommendOptions,
  scratch: RecommendScratch = recommendScratch(model),
): Recommendation[] {
  const { nItems, byUser } = model.matrix;
  const { itemScores, blocked } = scratch;
  const excludeRated = options.excludeRated ?? true;
  blocked.fill(0);
  if (options.allowed) for (let i = 0; i < nItems; i++) blocked[i] = options.allowed[i] ? 0 : 1;
  if (u >= 0 && excludeRated) {
    for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) blocked[byUser.colIdx[p]] = 1;
  }
  const top = new TopK(options.n);
  const scorer = algorithmByName[options.strategy].topN;
  let source: Recommendation['source'] = 'popularity';
  if (scorer?.score(model, u, scratch)) {
    source = scorer.source;
    const all = scorer.candidates === 'all';
    for (let i = 0; i < nItems; i++) {
      const s = itemScores[i];
      if ((all || s > 0) && blocked[i] === 0) top.offer(s, i);
    }
  }
  const ids = new Int32Array(options.n);
  const scores = new Float64Array(options.n);
  const count = top.drainSorted(ids, scores);
  const out: Recommendation[] = [];
  for (let t = 0; t < count; t++) {
    out.push({ item: ids[t], score: scores[t], source });
    blocked[ids[t]] = 1;
  }
  const { order, count: ratingCount } = model.popularity;
  for (let r = 0; r < order.length && out.length < options.n; r++) {
    const i = order[r];
    if (blocked[i] === 0) out.push({ item: i, score: ratingCount[i], source: 'popularity' });
  }
  return out;
}

/**
 * The contributions behind `score(u, item)`, largest first, at most `max` of them:
 * rated movies whose neighbour list holds `item` (`s_ij / S_i * w(r_ui)`), and neighbour
 * users who rated it (`s_uv / S_u * w(r_v,item)`), with the list sums `S` as in ranking.ts,
 * as far as the strategy reads them.
 */
export function explain(
  model: Model,
  u: number,
  item: number,
  strategy: AlgorithmName,
  max: number,
  scales: Readonly<SideScales> = { item: 1, user: 1, factor: 0 },
): Reason[] {
  return explainAll(model, u, [item], strategy, max, scales)[0];
}

/** `explain` for each of several distinct items (a top-N list), reading what they share once. */
export function explainAll(
  model: Model,
  u: number,
  items: ArrayLike<number>,
  strategy: AlgorithmName,
  max: number,
  scales: Readonly<SideScales> = { item: 1, user: 1, factor: 0 },
): Reason[][] {
  const reasons = Array.from({ length: items.length }, (): Reason[] => []);
  if (u < 0) return reasons;
  algorithmByName[strategy].explain(model, u, items, scales, reasons);
  return reasons.map((r) => {
    r.sort((a, b) => b.weight - a.weight || a.index - b.index);
    return r.slice(0, max);
  });
}
