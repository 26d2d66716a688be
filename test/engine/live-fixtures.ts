import fc from 'fast-check';
import { expect } from 'vitest';
import type { RatingColumns } from '../../src/data/types.ts';
import type { LiveModel } from '../../src/engine/live-model.ts';
import { buildRatingMatrix, type RatingMatrix } from '../../src/engine/matrix.ts';
import { defaultModelConfig, type ModelConfig } from '../../src/engine/model.ts';
import {
  buildNeighbourLists,
  listEnd,
  listStart,
  type NeighbourLists,
} from '../../src/engine/neighbours.ts';
import { similaritySpace } from '../../src/engine/similarity.ts';

/** Small rating sets and event sequences for the live model's tests, and rebuilds to compare with. */

export const weights = {
  user: 0.5,
  item: 0.5,
  userSparse: 0,
  itemSparse: 0,
  factor: 0,
  factorUserSparse: 0,
  factorItemSparse: 0,
  itemShare: 0.5,
  factorShare: 0,
};
export const config: ModelConfig = {
  ...defaultModelConfig,
  scale: { min: 0.5, max: 5 },
  item: { ...defaultModelConfig.item, listSize: 3 },
  user: { ...defaultModelConfig.user, listSize: 3 },
};
export const movieIds = Int32Array.from([10, 20, 30, 40, 50, 60]);

export function columns(rows: ReadonlyArray<readonly [number, number, number]>): RatingColumns {
  return {
    length: rows.length,
    userIds: Int32Array.from(rows, (r) => r[0]),
    movieIds: Int32Array.from(rows, (r) => r[1]),
    values: Float32Array.from(rows, (r) => r[2]),
    timestamps: Float64Array.from(rows, (_, t) => t),
  };
}

export function listOf(lists: NeighbourLists, a: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let q = listStart(lists, a); q < listEnd(lists, a); q++)
    out.push([lists.idx[q], lists.sim[q]]);
  return out;
}

/** A compact matrix of the live model's current ratings, built from scratch. */
export function freshMatrix(live: LiveModel): RatingMatrix {
  const { byUser } = live.model.matrix;
  const users: number[] = [];
  const items: number[] = [];
  const values: number[] = [];
  for (let u = 0; u < byUser.rows; u++) {
    for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) {
      users.push(u);
      items.push(byUser.colIdx[p]);
      values.push(byUser.values[p]);
    }
  }
  return buildRatingMatrix(
    Int32Array.from(users),
    Int32Array.from(items),
    Float32Array.from(values),
    byUser.rows,
    movieIds.length,
  );
}

/**
 * The lists a rebuild from the live model's current ratings gives, with the same
 * parameters (its baseline: the biases stay fixed between rebuilds).
 */
export function rebuiltLists(live: LiveModel, cfg: ModelConfig = config) {
  const m = freshMatrix(live);
  const side = (name: 'item' | 'user') =>
    buildNeighbourLists(
      similaritySpace(m, name, cfg[name].rankSimilarity, live.model.baseline),
      cfg[name].listSize,
    );
  return { item: side('item'), user: side('user') };
}

/** Asserts every list of the live model (made current) equals the rebuild's. */
export function expectListsEqualRebuild(live: LiveModel, cfg: ModelConfig = config) {
  const fresh = rebuiltLists(live, cfg);
  for (const side of ['item', 'user'] as const) {
    const n = side === 'item' ? movieIds.length : live.userCount;
    live.ensureLists(
      side,
      Array.from({ length: n }, (_, a) => a),
    );
    const got = live.model[side]?.lists;
    const want = fresh[side];
    if (!got) throw new Error('missing side');
    for (let a = 0; a < n; a++) {
      const g = listOf(got, a);
      const w = listOf(want, a);
      expect(
        g.map((x) => x[0]),
        `${side} ${a}`,
      ).toEqual(w.map((x) => x[0]));
      g.forEach(([, sim], t) => {
        expect(Math.abs(sim - w[t][1])).toBeLessThan(1e-6);
      });
    }
  }
}

export const rating = fc.integer({ min: 1, max: 10 }).map((h) => h / 2);
export const base = fc.uniqueArray(
  fc.tuple(fc.integer({ min: 1, max: 6 }), fc.constantFrom(...movieIds), rating),
  { selector: (r) => `${r[0]}:${r[1]}`, minLength: 4, maxLength: 20 },
);
export const event = fc.oneof(
  fc.record({
    kind: fc.constant('rate' as const),
    userId: fc.integer({ min: 1, max: 8 }),
    movieId: fc.constantFrom(...movieIds),
    rating,
    timestamp: fc.constant(100),
  }),
  fc.record({
    kind: fc.constant('remove' as const),
    userId: fc.integer({ min: 1, max: 8 }),
    movieId: fc.constantFrom(...movieIds),
    timestamp: fc.constant(100),
  }),
);
