import type { Algorithm } from './algorithms/algorithm.ts';
import { baseline } from './algorithms/baseline.ts';
import { factors } from './algorithms/factors.ts';
import { hybrid } from './algorithms/hybrid.ts';
import { itemKnn } from './algorithms/item-knn.ts';
import { popularity } from './algorithms/popularity.ts';
import { userKnn } from './algorithms/user-knn.ts';

export type {
  Algorithm,
  AlgorithmFits,
  ListReads,
  TopNScorer,
} from './algorithms/algorithm.ts';

/**
 * Every algorithm the engine offers, each defined once in algorithms/. The order is the
 * order reports and tables list them in. Adding one here makes it a strategy of
 * predictRatings, recommendForUser and explain; the evaluation's CLI names and the
 * GraphQL enum each map it in one line (evalNameOf in eval/evaluate.ts, strategyOf in
 * graphql/strategies.ts), and the type checker points at both until they do.
 */
const registered = [popularity, baseline, userKnn, itemKnn, factors, hybrid] as const;

/** An algorithm's engine name ('user', 'item', 'hybrid', ...). */
export type AlgorithmName = (typeof registered)[number]['name'];

/** The engine names, in registry order. */
export const algorithmNames: ReadonlyArray<AlgorithmName> = registered.map((a) => a.name);

/** Each algorithm by its engine name. */
export const algorithmByName: Readonly<Record<AlgorithmName, Algorithm>> = Object.fromEntries(
  registered.map((a) => [a.name, a]),
) as Record<AlgorithmName, Algorithm>;
