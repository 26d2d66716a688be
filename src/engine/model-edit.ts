import type { Baseline } from './baseline.ts';
import { withUserRoom } from './factors.ts';
import { findInRow, rowMean } from './matrix.ts';
import type { Model, SideModel } from './model.ts';
import { emptyNeighbourLists, type NeighbourLists } from './neighbours.ts';
import { refreshPopularity } from './popularity.ts';
import { rowNorm, type SimilaritySpace, snap, transformed } from './similarity.ts';
import { addRow, insertEntry, removeEntry, type SlackMatrix } from './slack-matrix.ts';

/**
 * Editing a fitted model in place, one rating at a time, so that afterwards it holds
 * exactly what fitting the same parameters (baseline, weights) on the new ratings would
 * give: the matrix in both orientations, every similarity space's transformed ratings
 * and norms, the users' means and the popularity statistics. Each edit costs time
 * proportional to the ratings it touches: the rater's row and the movie's row (their
 * means and norms), and for adjusted cosine the x of every rating whose mean moved.
 * Neighbour lists are not touched here: which of them a change can reach is the
 * caller's to work out (see live-model.ts).
 */
export interface EditableModel extends Model {
  readonly matrix: SlackMatrix;
}

/** The distinct spaces of a model: a side may use one space to predict and to rank. */
function spacesOf(model: Model): SimilaritySpace[] {
  const out: SimilaritySpace[] = [];
  for (const side of [model.item, model.user]) {
    if (!side) continue;
    out.push(side.predictSpace);
    if (side.rankSpace !== side.predictSpace) out.push(side.rankSpace);
  }
  return out;
}

/** The spaces' per-entry arrays laid out like `byUser` (rows: 'user') or `byItem`. */
function lanesOf(spaces: ReadonlyArray<SimilaritySpace>, rows: 'user' | 'item'): Float32Array[] {
  return spaces.map((s) => (s.side === rows ? s.xRows : s.xCols));
}

/**
 * Adds a user with no ratings (the next dense index) and returns the model that has
 * room for it: per-user arrays grow by doubling, so this is constant time on average.
 */
export function addUser(model: EditableModel): EditableModel {
  const m = model.matrix;
  addRow(m.byUser);
  m.byItem.cols++;
  const u = m.nUsers++;
  const fits = <T extends { length: number }>(a: T) => a.length > u;
  const baseline: Baseline = fits(model.baseline.userBias)
    ? model.baseline
    : { ...model.baseline, userBias: grow64(model.baseline.userBias) };
  const userMeans = fits(model.userMeans) ? model.userMeans : grow64(model.userMeans);
  userMeans[u] = baseline.mu;
  baseline.userBias[u] = 0;
  let user = model.user;
  if (user) {
    const space = (s: SimilaritySpace): SimilaritySpace =>
      s.norms.length === 0 || fits(s.norms) ? s : { ...s, norms: grow64(s.norms) };
    const predictSpace = space(user.predictSpace);
    const rankSpace = user.rankSpace === user.predictSpace ? predictSpace : space(user.rankSpace);
    const lists = fits(user.lists.length) ? user.lists : growLists(user.lists, u + 1);
    lists.length[u] = 0;
    user = { ...user, predictSpace, rankSpace, lists } satisfies SideModel;
    for (const s of [predictSpace, rankSpace]) if (s.norms.length > 0) s.norms[u] = 0;
  }
  const factors = model.factors ? withUserRoom(model.factors, u + 1) : null;
  return { ...model, baseline, userMeans, user, factors };
}

/**
 * Sets user u's rating of item i to `value`, or removes it (`null`). Returns false when
 * the matrix had no room left for a new rating: the model is then unusable and the
 * caller refits it from its ratings (this happens once per many insertions).
 */
export function setRating(
  model: EditableModel,
  u: number,
  i: number,
  value: number | null,
): boolean {
  const m = model.matrix;
  const { byUser, byItem } = m;
  const spaces = spacesOf(model);
  let pu = findInRow(byUser, u, i);
  let pi = pu < 0 ? -1 : findInRow(byItem, i, u);
  if (value === null) {
    if (pu < 0) return true;
    removeEntry(byUser, u, pu, lanesOf(spaces, 'user'));
    removeEntry(byItem, i, pi, lanesOf(spaces, 'item'));
    m.nnz--;
  } else {
    if (pu < 0) {
      pu = insertEntry(byUser, u, i, lanesOf(spaces, 'user'));
      if (pu < 0) return false;
      pi = insertEntry(byItem, i, u, lanesOf(spaces, 'item'));
      if (pi < 0) return false;
      m.nnz++;
    }
    byUser.values[pu] = value;
    byItem.values[pi] = value;
  }
  for (const space of spaces) refreshSpace(model, space, u, i, pu, pi, value !== null);
  model.userMeans[u] = rowMean(byUser, u, model.baseline.mu);
  refreshPopularity(model.popularity, m, i, model.baseline.mu, model.config.popularityDamping);
  return true;
}

/**
 * Rewrites the x of the ratings whose x the change moved, and the norms that depend
 * on them. Means and norms are summed over the row in its order, as a fit does, so
 * the results are the same numbers, not merely close ones.
 */
function refreshSpace(
  model: EditableModel,
  space: SimilaritySpace,
  u: number,
  i: number,
  pu: number,
  pi: number,
  present: boolean,
): void {
  const { byUser, byItem } = model.matrix;
  const itemSide = space.side === 'item';
  // xByUser / xByItem: the space's x laid out like byUser / byItem
  const xByUser = itemSide ? space.xCols : space.xRows;
  const xByItem = itemSide ? space.xRows : space.xCols;
  const metric = space.options.metric;
  if (metric === 'adjusted-cosine' && itemSide) {
    // the rater's mean moved: every rating of the rater is re-centred
    const mean = rowMean(byUser, u, 0);
    for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) {
      const x = snap(byUser.values[p] - mean);
      xByUser[p] = x;
      xByItem[findInRow(byItem, byUser.colIdx[p], u)] = x;
    }
  } else if (metric === 'adjusted-cosine') {
    // the movie's mean moved: every rating of the movie is re-centred
    const mean = rowMean(byItem, i, 0);
    for (let q = byItem.rowPtr[i]; q < byItem.rowEnd[i]; q++) {
      const x = snap(byItem.values[q] - mean);
      xByItem[q] = x;
      xByUser[findInRow(byUser, byItem.colIdx[q], i)] = x;
    }
  } else if (present) {
    const x = transformed(metric, space.side, byUser.values[pu], u, i, NO_MEANS, model.baseline);
    xByUser[pu] = x;
    xByItem[pi] = x;
  }
  if (space.norms.length > 0) {
    if (itemSide) space.norms[i] = rowNorm(byItem, xByItem, i);
    else space.norms[u] = rowNorm(byUser, xByUser, u);
  }
}

const NO_MEANS = new Float64Array(0);

function grow64(a: Float64Array): Float64Array {
  const b = new Float64Array(Math.max(16, a.length * 2));
  b.set(a);
  return b;
}

/** A copy of `lists` with slots for at least n entities (doubling). */
export function growLists(lists: NeighbourLists, n: number): NeighbourLists {
  const grown = emptyNeighbourLists(Math.max(n, lists.length.length * 2), lists.k);
  grown.length.set(lists.length);
  grown.idx.set(lists.idx);
  grown.sim.set(lists.sim);
  grown.support.set(lists.support);
  return grown;
}
