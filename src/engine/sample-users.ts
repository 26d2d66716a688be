import { buildRatingMatrix, type RatingMatrix } from './matrix.ts';
import { permutation } from './random.ts';

/**
 * The ratings of a seeded random set of whole users, added in a random order while their
 * ratings fit in `maxRatings`, re-indexed densely; every movie keeps its index. The
 * matrix itself when it is small enough.
 */
export function sampleUsers(m: RatingMatrix, maxRatings: number, seed: number): RatingMatrix {
  if (m.nnz <= maxRatings) return m;
  const { byUser } = m;
  const order = permutation(m.nUsers, seed);
  const chosen = new Uint8Array(m.nUsers);
  let total = 0;
  for (const u of order) {
    const count = byUser.rowEnd[u] - byUser.rowPtr[u];
    if (total + count > maxRatings) continue;
    chosen[u] = 1;
    total += count;
  }
  const users = new Int32Array(total);
  const items = new Int32Array(total);
  const values = new Float32Array(total);
  let t = 0;
  let sampled = 0;
  for (let u = 0; u < m.nUsers; u++) {
    if (!chosen[u]) continue;
    for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) {
      users[t] = sampled;
      items[t] = byUser.colIdx[p];
      values[t++] = byUser.values[p];
    }
    sampled++;
  }
  return buildRatingMatrix(users, items, values, sampled, m.nItems);
}
