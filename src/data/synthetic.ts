import { seededRandom } from '../engine/random.ts';

/**
 * A MovieLens-shaped synthetic data set, drawn user by user so it never holds more than
 * one user's ratings: movie popularity follows a Zipf law and user activity a Pareto law
 * (both heavy-tailed, as in ML-25M, where every user has at least 20 ratings), and a
 * rating is `mu + b_u + b_i + noise` rounded to the half-star scale.
 */
export interface SyntheticSpec {
  readonly ratings: number;
  readonly users: number;
  readonly movies: number;
  readonly seed: number;
}

/** Zipf exponent of movie popularity and Pareto shape of user activity. */
const MOVIE_ZIPF = 1.2;
const MOVIE_ZIPF_OFFSET = 20;
const USER_PARETO = 2.6;
const MIN_PER_USER = 20;
/** No user rates more than this share of the catalogue (ML-25M's most active: about half). */
const MAX_SHARE = 0.4;

export interface SyntheticUser {
  /** MovieLens-style user id (1-based). */
  readonly userId: number;
  /** Movie ids, ascending, as MovieLens files list them. */
  readonly movieIds: Int32Array;
  readonly ratings: Float32Array;
  readonly timestamps: Float64Array;
}

export function validateSpec(spec: SyntheticSpec): void {
  const { ratings, users, movies } = spec;
  for (const [name, v] of Object.entries({ ratings, users, movies })) {
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`--${name} must be a positive integer, got ${v}`);
  }
  if (ratings < users)
    throw new RangeError(
      `--ratings (${ratings}) must be at least --users (${users}): every user rates something`,
    );
  const cap = Math.max(1, Math.floor(movies * MAX_SHARE));
  if (ratings > users * cap) {
    throw new RangeError(
      `--ratings (${ratings}) is more than ${users} users can give to ${movies} movies (at most ${cap} each)`,
    );
  }
}

/** How many ratings each user gives: heavy-tailed, at least 20 where the total allows, summing to `ratings`. */
export function userActivity(spec: SyntheticSpec): Int32Array {
  const { ratings, users, movies } = spec;
  const rand = seededRandom(spec.seed ^ 0x5eed);
  const cap = Math.max(1, Math.floor(movies * MAX_SHARE));
  const floor = Math.min(MIN_PER_USER, Math.floor(ratings / users), cap);
  const weight = new Float64Array(users);
  for (let u = 0; u < users; u++) weight[u] = (1 - rand()) ** (-1 / USER_PARETO) - 1;
  // share the ratings above the floor in proportion to the weights; a user the share
  // would take past the cap stops there and the rest is shared again among the others
  const counts = new Int32Array(users).fill(floor);
  const capped = new Uint8Array(users);
  let left = ratings - floor * users;
  for (let round = 0; round < 50 && left > users; round++) {
    let open = 0;
    for (let u = 0; u < users; u++) if (!capped[u]) open += weight[u];
    if (open === 0) break;
    let given = 0;
    for (let u = 0; u < users; u++) {
      if (capped[u]) continue;
      const add = Math.min(cap - counts[u], Math.floor((left * weight[u]) / open));
      counts[u] += add;
      given += add;
      if (counts[u] === cap) capped[u] = 1;
    }
    left -= given;
    if (given === 0) break;
  }
  let sum = ratings - left;
  // rounding and the cap leave a remainder: hand it out one by one, round robin
  for (let u = 0; sum < ratings; u = (u + 1) % users) {
    if (counts[u] < cap) {
      counts[u]++;
      sum++;
    }
  }
  return counts;
}

/** Walker's alias table over `weights`: O(1) draws in proportion to them. */
function aliasTable(weights: Float64Array): { prob: Float64Array; alias: Int32Array } {
  const n = weights.length;
  let total = 0;
  for (const w of weights) total += w;
  const prob = new Float64Array(n);
  const alias = new Int32Array(n);
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < n; i++) {
    prob[i] = (weights[i] * n) / total;
    (prob[i] < 1 ? small : large).push(i);
  }
  while (small.length > 0 && large.length > 0) {
    const s = small.pop() as number;
    const l = large.pop() as number;
    alias[s] = l;
    prob[l] += prob[s] - 1;
    (prob[l] < 1 ? small : large).push(l);
  }
  for (const i of [...small, ...large]) prob[i] = 1;
  return { prob, alias };
}

/** A standard normal draw (Box-Muller). */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * The users of the data set, one at a time, in id order. Movie ids are 1..movies, with
 * popularity ranks shuffled over them.
 */
export function* syntheticUsers(spec: SyntheticSpec): Generator<SyntheticUser> {
  validateSpec(spec);
  const { users, movies } = spec;
  const rand = seededRandom(spec.seed);
  const counts = userActivity(spec);
  const weights = new Float64Array(movies);
  const rankOf = Int32Array.from({ length: movies }, (_, i) => i);
  for (let i = movies - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [rankOf[i], rankOf[j]] = [rankOf[j], rankOf[i]];
  }
  const movieBias = new Float64Array(movies);
  for (let i = 0; i < movies; i++) {
    weights[i] = 1 / (rankOf[i] + MOVIE_ZIPF_OFFSET) ** MOVIE_ZIPF;
    // popular movies are liked a little more, as in the real data
    movieBias[i] = 0.45 * normal(rand) + 0.3 * (1 - rankOf[i] / movies) - 0.15;
  }
  const { prob, alias } = aliasTable(weights);
  const seenBy = new Int32Array(movies).fill(-1);
  let most = 0;
  for (const c of counts) most = Math.max(most, c);
  const chosen = new Int32Array(most);
  let clock = 1_000_000_000;
  for (let u = 0; u < users; u++) {
    const n = counts[u];
    const userBias = 0.4 * normal(rand);
    let k = 0;
    while (k < n) {
      const slot = Math.floor(rand() * movies);
      const i = rand() < prob[slot] ? slot : alias[slot];
      if (seenBy[i] === u) continue;
      seenBy[i] = u;
      chosen[k++] = i;
    }
    const picked = chosen.subarray(0, n).sort();
    const movieIds = new Int32Array(n);
    const ratings = new Float32Array(n);
    const timestamps = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const i = picked[t];
      const x = 3.53 + userBias + movieBias[i] + 0.85 * normal(rand);
      movieIds[t] = i + 1;
      ratings[t] = Math.min(5, Math.max(0.5, Math.round(x * 2) / 2));
      clock += 1 + Math.floor(rand() * 60);
      timestamps[t] = clock;
    }
    yield { userId: u + 1, movieIds, ratings, timestamps };
  }
}

export const GENRES = [
  'Action',
  'Adventure',
  'Animation',
  'Children',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'IMAX',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

/** A title, year and one to three genres for each synthetic movie, seeded. */
export function* syntheticMovies(
  spec: SyntheticSpec,
): Generator<{ movieId: number; title: string; genres: string[] }> {
  const rand = seededRandom(spec.seed ^ 0x600d);
  for (let i = 1; i <= spec.movies; i++) {
    const year = 1920 + Math.floor(rand() * 100);
    const n = 1 + Math.floor(rand() * 3);
    const genres = new Set<string>();
    while (genres.size < n) genres.add(GENRES[Math.floor(rand() * GENRES.length)]);
    yield { movieId: i, title: `Synthetic Movie ${i} (${year})`, genres: [...genres].sort() };
  }
}
