import { type AlgorithmName, algorithmNames } from '../engine/algorithms.ts';
import type { Strategy } from './generated/resolvers.ts';

/**
 * The GraphQL enum value of each engine algorithm (schema.graphql's Strategy is the
 * contract, so the names there stay). null: not offered over GraphQL; the baseline is a
 * reference point for evaluation, not a recommender anyone should be served, and the
 * factor model alone ranks by predicted rating, which puts obscure movies first (its
 * nDCG@10 on ml-100k, 0.08, is below popularity's 0.20: docs/evaluation.md); it serves
 * inside the hybrid.
 */
export const strategyOf = {
  popularity: 'POPULAR',
  baseline: null,
  user: 'USER_BASED',
  item: 'ITEM_BASED',
  mf: null,
  hybrid: 'HYBRID',
} as const satisfies Record<AlgorithmName, Strategy | null>;

type Offered = NonNullable<(typeof strategyOf)[AlgorithmName]>;

const algorithmOf = Object.fromEntries(
  algorithmNames.flatMap((name) => {
    const strategy = strategyOf[name];
    return strategy === null ? [] : [[strategy, name]];
  }),
) as Record<Offered, AlgorithmName>;

/** The engine algorithm behind a GraphQL Strategy. */
export function algorithmOfStrategy(strategy: Strategy): AlgorithmName {
  // indexing by Strategy compiles only while every enum value is offered by an algorithm
  return algorithmOf[strategy];
}
