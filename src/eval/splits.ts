import { loadOfficialSplit } from '../data/movielens.ts';
import type { Dataset, RatingColumns } from '../data/types.ts';
import { permutation } from '../engine/random.ts';
import { selectColumns } from './columns.ts';

/**
 * How ratings are split into training and test folds:
 * - `official`: ml-100k's own files (`u1..u5` averages the five disjoint 80/20 folds; `ua`, `ub`);
 * - `kfold`: a seeded random k-fold split of all ratings;
 * - `temporal`: each user with at least 5 ratings holds out their latest
 *   `max(1, floor(fraction * n))` ratings (by timestamp, then movie id).
 */
export type SplitSpec =
  | { readonly kind: 'official'; readonly names: ReadonlyArray<string> }
  | { readonly kind: 'kfold'; readonly k: number; readonly seed: number }
  | { readonly kind: 'temporal'; readonly fraction: number };

export interface Fold {
  readonly name: string;
  readonly train: RatingColumns;
  readonly test: RatingColumns;
}

const officialNames = ['u1', 'u2', 'u3', 'u4', 'u5', 'ua', 'ub'];

export function parseSplit(text: string, seed = 42): SplitSpec {
  const range = /^u([1-5])\.\.u([1-5])$/.exec(text);
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    if (from > to) throw new Error(`split ${text}: the range must go upwards, as in u1..u5`);
    return {
      kind: 'official',
      names: Array.from({ length: to - from + 1 }, (_, k) => `u${from + k}`),
    };
  }
  if (officialNames.includes(text)) return { kind: 'official', names: [text] };
  const kfold = /^kfold:(\d+)$/.exec(text);
  if (kfold) {
    const k = Number(kfold[1]);
    if (k < 2) throw new Error(`split ${text}: k-fold needs k >= 2`);
    return { kind: 'kfold', k, seed };
  }
  const temporal = /^temporal:(0?\.\d+)$/.exec(text);
  if (temporal) {
    const fraction = Number(temporal[1]);
    if (!(fraction > 0 && fraction < 1))
      throw new Error(`split ${text}: the fraction must be in (0, 1)`);
    return { kind: 'temporal', fraction };
  }
  throw new Error(
    `unknown split "${text}": expected u1..u5, u1..u5 sub-ranges, ua, ub, kfold:<k> or temporal:<fraction>`,
  );
}

/** How many folds a split makes. */
export function foldCount(spec: SplitSpec): number {
  return spec.kind === 'official' ? spec.names.length : spec.kind === 'kfold' ? spec.k : 1;
}

/** The folds of a split; a fold with nothing to test is an error, not a NaN in the results. */
export async function makeFolds(dataset: Dataset, spec: SplitSpec): Promise<Fold[]> {
  const folds = await splitFolds(dataset, spec);
  for (const fold of folds) {
    if (fold.test.length === 0) {
      throw new Error(
        `split fold ${fold.name} of ${dataset.name} has no test ratings (${dataset.ratings.length} ratings in all): choose fewer folds, or a data set where users have at least 5 ratings for a temporal split`,
      );
    }
  }
  return folds;
}

async function splitFolds(dataset: Dataset, spec: SplitSpec): Promise<Fold[]> {
  if (spec.kind === 'official') {
    if (dataset.format !== 'ml-100k') {
      throw new Error(
        `the official splits ${spec.names.join(', ')} exist only for ml-100k, not ${dataset.name}`,
      );
    }
    const folds: Fold[] = [];
    for (const name of spec.names) {
      const { train, test } = await loadOfficialSplit(dataset.dir, name as 'u1');
      folds.push({ name, train, test });
    }
    return folds;
  }
  if (spec.kind === 'kfold') return kfoldSplit(dataset.ratings, spec.k, spec.seed);
  return [temporalSplit(dataset.ratings, spec.fraction)];
}

export function kfoldSplit(r: RatingColumns, k: number, seed: number): Fold[] {
  const perm = permutation(r.length, seed);
  const foldOf = new Int32Array(r.length);
  for (let t = 0; t < r.length; t++) foldOf[perm[t]] = t % k;
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let p = 0; p < r.length; p++) (foldOf[p] === f ? test : train).push(p);
    folds.push({
      name: `kfold-${f + 1}`,
      train: selectColumns(r, train),
      test: selectColumns(r, test),
    });
  }
  return folds;
}

export function temporalSplit(r: RatingColumns, fraction: number): Fold {
  const order = Int32Array.from({ length: r.length }, (_, p) => p).sort(
    (a, b) =>
      r.userIds[a] - r.userIds[b] ||
      r.timestamps[a] - r.timestamps[b] ||
      r.movieIds[a] - r.movieIds[b],
  );
  const train: number[] = [];
  const test: number[] = [];
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && r.userIds[order[end]] === r.userIds[order[start]]) end++;
    const n = end - start;
    const held = n >= 5 ? Math.max(1, Math.floor(fraction * n)) : 0;
    for (let t = start; t < end; t++) (t >= end - held ? test : train).push(order[t]);
    start = end;
  }
  return {
    name: `temporal-${fraction}`,
    train: selectColumns(r, train),
    test: selectColumns(r, test),
  };
}
