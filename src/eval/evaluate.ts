import type { RatingColumns } from '../data/types.ts';
import { type AlgorithmName, algorithmByName, algorithmNames } from '../engine/algorithms.ts';
import { defaultHybridFitOptions, fitHybridWeights } from '../engine/hybrid.ts';
import { buildIdIndex, type IdIndex } from '../engine/id-index.ts';
import type { KnnCentring } from '../engine/knn.ts';
import { buildRatingMatrix, type RatingMatrix } from '../engine/matrix.ts';
import {
  defaultModelConfig,
  type FitParts,
  fitModelPredicting,
  type HybridWeights,
  type Model,
  type ModelConfig,
} from '../engine/model.ts';
import { predictRatings } from '../engine/predict.ts';
import { rankingScores } from '../engine/ranking-metrics.ts';
import { recommendForUser, recommendScratch } from '../engine/recommend.ts';
import type { Scale } from '../engine/scale.ts';
import type { SimilarityMetric } from '../engine/similarity.ts';
import { cutoffCurves } from './cutoff-curves.ts';
import type { Fold } from './splits.ts';

/**
 * The evaluation's name of each engine algorithm: `--algorithm`, report labels, docs and
 * scripts use these, so they outlive any renaming in the engine.
 */
export const evalNameOf = {
  popularity: 'popularity',
  baseline: 'baseline',
  user: 'user-knn',
  item: 'item-knn',
  mf: 'mf',
  hybrid: 'hybrid',
} as const satisfies Record<AlgorithmName, string>;

/** An algorithm by its evaluation name. */
export type Algorithm = (typeof evalNameOf)[AlgorithmName];

/** The evaluation names, in the engine's registry order. */
export const algorithms: ReadonlyArray<Algorithm> = algorithmNames.map((name) => evalNameOf[name]);

const byEvalName = new Map<string, AlgorithmName>(
  algorithmNames.map((name) => [evalNameOf[name], name]),
);

/** The engine name of an evaluation name. */
export function algorithmOfEvalName(algorithm: Algorithm): AlgorithmName {
  const name = byEvalName.get(algorithm);
  if (name === undefined) throw new Error(`no algorithm is evaluated as ${algorithm}`);
  return name;
}

export interface EvalOptions {
  readonly algorithm: Algorithm;
  /** Neighbours per rating prediction. */
  readonly k?: number;
  /** Similarity for rating prediction. */
  readonly similarity?: SimilarityMetric;
  readonly shrinkage?: number;
  readonly centring?: KnnCentring;
  /** Fixed hybrid weights; when absent they are fitted on a slice of each fold's training data. */
  readonly hybridWeights?: HybridWeights;
  /** Length of the top-N lists scored (and the hybrid weights fitted on): the @10 metrics. */
  readonly topN?: number;
  /**
   * Precision and recall are also taken at every cutoff 1..maxCutoff (default 20), from
   * lists of `max(topN, maxCutoff)` movies whose first topN are the top-N lists.
   */
  readonly maxCutoff?: number;
  /** A test rating at or above this is relevant. */
  readonly relevantFrom?: number;
  /**
   * Fit the hybrid's weights on whole users holding at most this many training ratings
   * (the service's HYBRID_FIT_RATINGS; default: hybrid.ts's default, 2,000,000).
   */
  readonly fitRatings?: number;
}

export interface Metrics {
  readonly rmse: number;
  readonly mae: number;
  /** Share of test ratings that neighbours predicted (the rest fell back). */
  readonly neighbourShare: number;
  readonly precisionAt10: number;
  readonly recallAt10: number;
  readonly ndcgAt10: number;
  readonly mapAt10: number;
  /** Distinct movies recommended to the evaluated users / movies in the training data. */
  readonly coverage: number;
  /** Precision at cutoffs 1..maxCutoff: `precisionAt[c - 1]` is precision@c. */
  readonly precisionAt: ReadonlyArray<number>;
  /** Recall at cutoffs 1..maxCutoff: `recallAt[c - 1]` is recall@c. */
  readonly recallAt: ReadonlyArray<number>;
  readonly fitSeconds: number;
  readonly predictSeconds: number;
}

export interface FoldResult extends Metrics {
  readonly name: string;
  readonly testRatings: number;
  readonly rankedUsers: number;
  readonly hybridWeights?: HybridWeights;
}

export interface EvalResult extends Metrics {
  readonly algorithm: Algorithm;
  readonly folds: ReadonlyArray<FoldResult>;
}

/** The model configuration an evaluation run fits: defaults overridden by the options. */
export function configFor(
  options: EvalOptions,
  scale: Scale,
): { config: ModelConfig; parts: FitParts } {
  const { fits } = algorithmByName[algorithmOfEvalName(options.algorithm)];
  const parts = { item: fits.item, user: fits.user, factors: fits.factors };
  const side = (s: ModelConfig['item']): ModelConfig['item'] => ({
    ...s,
    predictSimilarity: {
      ...s.predictSimilarity,
      metric: options.similarity ?? s.predictSimilarity.metric,
      shrinkage: options.shrinkage ?? s.predictSimilarity.shrinkage,
    },
    knn: { ...s.knn, k: options.k ?? s.knn.k, centring: options.centring ?? s.knn.centring },
  });
  const config: ModelConfig = {
    ...defaultModelConfig,
    scale,
    item: side(defaultModelConfig.item),
    user: side(defaultModelConfig.user),
    hybrid: options.hybridWeights ?? defaultModelConfig.hybrid,
  };
  return { config, parts };
}

interface EncodedFold {
  readonly matrix: RatingMatrix;
  readonly users: IdIndex;
  readonly items: IdIndex;
  readonly testUsers: Int32Array;
  readonly testItems: Int32Array;
  readonly testValues: Float32Array;
}

/** Dense indexes come from the training data; test ids it lacks become -1. */
function encodeFold(train: RatingColumns, test: RatingColumns): EncodedFold {
  const users = buildIdIndex(train.userIds);
  const items = buildIdIndex(train.movieIds);
  const ui = new Int32Array(train.length);
  const ii = new Int32Array(train.length);
  for (let t = 0; t < train.length; t++) {
    ui[t] = users.indexOf(train.userIds[t]);
    ii[t] = items.indexOf(train.movieIds[t]);
  }
  const matrix = buildRatingMatrix(ui, ii, train.values, users.size, items.size);
  const testUsers = new Int32Array(test.length);
  const testItems = new Int32Array(test.length);
  for (let t = 0; t < test.length; t++) {
    testUsers[t] = users.indexOf(test.userIds[t]);
    testItems[t] = items.indexOf(test.movieIds[t]);
  }
  return { matrix, users, items, testUsers, testItems, testValues: test.values };
}

/**
 * The model an evaluation run fits on a fold's training ratings (weights fitted on a
 * slice of them when the algorithm blends), with the fold's dense encoding.
 */
function fitFold(fold: Fold, options: EvalOptions, scale: Scale) {
  const topN = options.topN ?? 10;
  const relevantFrom = options.relevantFrom ?? 4;
  const enc = encodeFold(fold.train, fold.test);
  const strategy = algorithmOfEvalName(options.algorithm);
  let { config, parts } = configFor(options, scale);
  let hybridWeights: HybridWeights | undefined;
  if (algorithmByName[strategy].fits.blend) {
    hybridWeights =
      options.hybridWeights ??
      fitHybridWeights(
        enc.matrix,
        config,
        {
          ...defaultHybridFitOptions,
          relevantFrom,
          topN,
          maxRatings: options.fitRatings ?? defaultHybridFitOptions.maxRatings,
        },
        undefined,
        enc.items.ids,
      );
    config = { ...config, hybrid: hybridWeights };
  }
  // The pass that builds the neighbour lists also computes the test pairs' similarity rows
  // (see fitModelPredicting), so that work counts as fitting here.
  const fitted = fitModelPredicting(
    enc.matrix,
    config,
    { ...parts, itemKeys: enc.items.ids },
    enc.testUsers,
    enc.testItems,
  );
  return { enc, strategy, fitted, model: fitted.model, hybridWeights };
}

/** A user's top-n movie ids (MovieLens ids), exactly as the ranking metrics score them. */
function topNIds(
  model: Model,
  strategy: AlgorithmName,
  enc: EncodedFold,
  userId: number,
  n: number,
  scratch: ReturnType<typeof recommendScratch>,
) {
  const recs = recommendForUser(model, enc.users.indexOf(userId), { strategy, n }, scratch);
  return { recs, ids: recs.map((r) => enc.items.ids[r.item]) };
}

/**
 * The top-N lists an evaluation run scores for these users on this fold (MovieLens movie
 * ids, best first): what the published ranking metrics describe.
 */
export function foldTopN(
  fold: Fold,
  options: EvalOptions,
  scale: Scale,
  userIds: ReadonlyArray<number>,
): Map<number, number[]> {
  const { enc, strategy, model } = fitFold(fold, options, scale);
  const scratch = recommendScratch(model);
  const n = options.topN ?? 10;
  return new Map(userIds.map((id) => [id, topNIds(model, strategy, enc, id, n, scratch).ids]));
}

export function evaluateFold(fold: Fold, options: EvalOptions, scale: Scale): FoldResult {
  const topN = options.topN ?? 10;
  const maxCutoff = options.maxCutoff ?? 20;
  const relevantFrom = options.relevantFrom ?? 4;
  const t0 = performance.now();
  const { enc, strategy, fitted, model, hybridWeights } = fitFold(fold, options, scale);
  const t1 = performance.now();

  const pred = predictRatings(model, strategy, enc.testUsers, enc.testItems, fitted);
  let se = 0;
  let ae = 0;
  let fromNeighbours = 0;
  for (let t = 0; t < enc.testValues.length; t++) {
    const err = pred.estimate[t] - enc.testValues[t];
    se += err * err;
    ae += Math.abs(err);
    fromNeighbours += pred.fromNeighbours[t];
  }
  const n = enc.testValues.length;
  const ranking = evaluateRanking(model, strategy, fold.test, enc, topN, maxCutoff, relevantFrom);
  const t2 = performance.now();
  return {
    name: fold.name,
    testRatings: n,
    rmse: Math.sqrt(se / n),
    mae: ae / n,
    neighbourShare: fromNeighbours / n,
    ...ranking,
    fitSeconds: (t1 - t0) / 1000,
    predictSeconds: (t2 - t1) / 1000,
    ...(hybridWeights ? { hybridWeights } : {}),
  };
}

function evaluateRanking(
  model: Model,
  strategy: AlgorithmName,
  test: RatingColumns,
  enc: EncodedFold,
  topN: number,
  maxCutoff: number,
  relevantFrom: number,
) {
  // relevant test movies per test user (raw ids, so movies unknown to training still count)
  const relevantByUser = new Map<number, Set<number>>();
  for (let t = 0; t < test.length; t++) {
    if (test.values[t] < relevantFrom) continue;
    const set = relevantByUser.get(test.userIds[t]) ?? new Set<number>();
    set.add(test.movieIds[t]);
    relevantByUser.set(test.userIds[t], set);
  }
  const scratch = recommendScratch(model);
  const recommended = new Uint8Array(model.matrix.nItems);
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  let ap = 0;
  const precisionAt = new Array<number>(maxCutoff).fill(0);
  const recallAt = new Array<number>(maxCutoff).fill(0);
  // Rankings are total (score, then lower index; popularity fills the rest in a fixed
  // order), so the first topN of a longer list are the top-N list itself: one list per
  // user serves the @topN metrics and every cutoff.
  const n = Math.max(topN, maxCutoff);
  for (const [userId, relevant] of relevantByUser) {
    const { recs, ids } = topNIds(model, strategy, enc, userId, n, scratch);
    const isRelevant = (id: number) => relevant.has(id);
    // coverage counts the top-N lists only, whatever the cutoffs
    for (let r = 0; r < Math.min(topN, recs.length); r++) recommended[recs[r].item] = 1;
    const s = rankingScores(ids, isRelevant, relevant.size, topN);
    precision += s.precision;
    recall += s.recall;
    ndcg += s.ndcg;
    ap += s.ap;
    const curves = cutoffCurves(ids, isRelevant, relevant.size, maxCutoff);
    for (let c = 0; c < maxCutoff; c++) {
      precisionAt[c] += curves.precision[c];
      recallAt[c] += curves.recall[c];
    }
  }
  const users = relevantByUser.size;
  let distinct = 0;
  for (let i = 0; i < recommended.length; i++) distinct += recommended[i];
  const avg = (x: number) => (users > 0 ? x / users : 0);
  return {
    rankedUsers: users,
    precisionAt10: avg(precision),
    recallAt10: avg(recall),
    ndcgAt10: avg(ndcg),
    mapAt10: avg(ap),
    coverage: model.matrix.nItems > 0 ? distinct / model.matrix.nItems : 0,
    precisionAt: precisionAt.map(avg),
    recallAt: recallAt.map(avg),
  };
}

const metricKeys = [
  'rmse',
  'mae',
  'neighbourShare',
  'precisionAt10',
  'recallAt10',
  'ndcgAt10',
  'mapAt10',
  'coverage',
  'fitSeconds',
  'predictSeconds',
] as const;

/** Evaluates every fold on this thread and averages each metric over the folds. */
export function evaluate(
  folds: ReadonlyArray<Fold>,
  options: EvalOptions,
  scale: Scale,
  onFold: (r: FoldResult) => void = () => {},
): EvalResult {
  const results: FoldResult[] = [];
  for (const fold of folds) {
    const r = evaluateFold(fold, options, scale);
    onFold(r);
    results.push(r);
  }
  return averageResults(options.algorithm, results);
}

/**
 * Means over the folds, except the seconds, which add up (the cost of the whole run);
 * precision and recall at each cutoff are averaged cutoff by cutoff.
 */
export function averageResults(
  algorithm: Algorithm,
  results: ReadonlyArray<FoldResult>,
): EvalResult {
  const mean = {} as Record<(typeof metricKeys)[number], number>;
  for (const key of metricKeys) {
    const total = results.reduce((s, r) => s + r[key], 0);
    mean[key] = key === 'fitSeconds' || key === 'predictSeconds' ? total : total / results.length;
  }
  const meanAt = (key: 'precisionAt' | 'recallAt') =>
    (results[0]?.[key] ?? []).map(
      (_, c) => results.reduce((s, r) => s + r[key][c], 0) / results.length,
    );
  return {
    algorithm,
    ...mean,
    precisionAt: meanAt('precisionAt'),
    recallAt: meanAt('recallAt'),
    folds: results,
  };
}
