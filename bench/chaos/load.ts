import { post } from './graphql-client.ts';
import { Prng } from './prng.ts';
import { sleep } from './processes.ts';

/**
 * The load: a few concurrent clients, each sending `rateMovie` and `removeRating` to
 * random replicas, about one in five as a pair of mutations of the same (user, movie)
 * sent to two replicas at once; and readers asking for neighbour lists and
 * recommendations, because a read is what installs a list from Redis or computes one and
 * writes it back. Every mutation is recorded with what came back; only HTTP 200 without
 * errors counts as acknowledged. Reads are only counted.
 */
export interface Mutation {
  readonly seq: number;
  readonly kind: 'rate' | 'remove';
  readonly userId: number;
  readonly movieId: number;
  /** The value sent (rate only). */
  readonly value: number | null;
  readonly replica: number;
  /** Sent to a second replica at the same time as another mutation of the same pair. */
  readonly dual: boolean;
  /** performance.now() when it was sent and when its answer (or failure) came. */
  readonly sentAt: number;
  endedAt: number;
  outcome: 'ack' | 'rejected' | 'timeout' | 'network';
  /** Acknowledged rate: the rating's timestamp as returned (ms since the epoch). */
  ratedAtMs: number | null;
  /** The returned value (rate: the rating; remove: the rating removed). */
  returnedValue: number | null;
  /** Rejected: the error code. */
  code: string | null;
}

export interface LoadPlan {
  readonly seed: number;
  readonly clients: number;
  /** Share of the mutations sent as a pair to two replicas at once (default 0.2). */
  readonly dualShare: number;
  /** Concurrent readers. */
  readonly readers: number;
  readonly userIds: ReadonlyArray<number>;
  readonly movieIds: ReadonlyArray<number>;
  /** (user, movie) keys rated in the data set, within the pools: removable from the start. */
  readonly initiallyRated: ReadonlyArray<string>;
  readonly timeoutMs: number;
  /** Hard bound on mutations per client. */
  readonly maxPerClient: number;
}

const RATE =
  'mutation($u: ID!, $m: ID!, $r: Float!) { rateMovie(input: {userId: $u, movieId: $m, rating: $r}) { rating { value ratedAt } } }';
const REMOVE =
  'mutation($u: ID!, $m: ID!) { removeRating(input: {userId: $u, movieId: $m}) { rating { value ratedAt } } }';

interface RatePayload {
  rateMovie: { rating: { value: number; ratedAt: string } };
}
interface RemovePayload {
  removeRating: { rating: { value: number; ratedAt: string } };
}

const READ = `query($m1: ID!, $m2: ID!, $m3: ID!, $u1: ID!, $u2: ID!) {
  a: similarMovies(movieId: $m1, first: 50) { similarity }
  b: similarMovies(movieId: $m2, first: 50) { similarity }
  c: movie(id: $m3) { similar(first: 50) { similarity } }
  d: user(id: $u1) { similarUsers(first: 50) { similarity } }
  e: recommendations(userId: $u2, first: 10) { score }
}`;

export interface LoadResult {
  readonly mutations: Mutation[];
  readonly reads: number;
  readonly readsAnswered: number;
}

export const pairKey = (userId: number, movieId: number): string => `${userId}:${movieId}`;

/**
 * Runs the clients until `stop()` says so (checked between mutations) and returns every
 * mutation sent, in the order they were sent.
 */
export async function runLoad(
  plan: LoadPlan,
  urls: () => ReadonlyArray<string>,
  stop: () => boolean,
): Promise<LoadResult> {
  const mutations: Mutation[] = [];
  let reads = 0;
  let readsAnswered = 0;
  const rated = new Set(plan.initiallyRated);
  const seeds = new Prng(plan.seed);
  let seq = 0;

  const send = async (
    kind: 'rate' | 'remove',
    userId: number,
    movieId: number,
    value: number | null,
    replica: number,
    dual: boolean,
  ): Promise<void> => {
    const m: Mutation = {
      seq: seq++,
      kind,
      userId,
      movieId,
      value,
      replica,
      dual,
      sentAt: performance.now(),
      endedAt: 0,
      outcome: 'network',
      ratedAtMs: null,
      returnedValue: null,
      code: null,
    };
    mutations.push(m);
    const url = urls()[replica];
    const variables: Record<string, unknown> = { u: String(userId), m: String(movieId) };
    if (kind === 'rate') variables.r = value;
    const result =
      kind === 'rate'
        ? await post<RatePayload>(url, RATE, variables, plan.timeoutMs)
        : await post<RemovePayload>(url, REMOVE, variables, plan.timeoutMs);
    m.endedAt = performance.now();
    if (!result.ok) {
      m.outcome = result.problem;
      return;
    }
    const { answer } = result;
    if (answer.status !== 200 || answer.errors?.length || answer.data == null) {
      m.outcome = 'rejected';
      m.code = answer.errors?.[0]?.extensions?.code ?? `HTTP ${answer.status}`;
      if (kind === 'remove' && m.code === 'NOT_FOUND') rated.delete(pairKey(userId, movieId));
      return;
    }
    const rating =
      kind === 'rate'
        ? (answer.data as RatePayload).rateMovie.rating
        : (answer.data as RemovePayload).removeRating.rating;
    m.outcome = 'ack';
    m.returnedValue = rating.value;
    if (kind === 'rate') {
      m.ratedAtMs = Date.parse(rating.ratedAt);
      rated.add(pairKey(userId, movieId));
    } else {
      rated.delete(pairKey(userId, movieId));
    }
  };

  const client = async (rng: Prng): Promise<void> => {
    for (let n = 0; n < plan.maxPerClient && !stop(); n++) {
      const replicas = urls().length;
      const value = () => rng.int(1, 10) * 0.5;
      const removable = () => (rated.size > 0 ? rng.pick([...rated]) : null);
      if (rng.chance(plan.dualShare) && replicas >= 2) {
        // the same pair on two replicas at once: either may win, all must agree on which
        const [a, b] = rng.sample(
          Array.from({ length: replicas }, (_, k) => k),
          2,
        );
        const key = rng.chance(0.25) ? removable() : null;
        if (key !== null) {
          const [u, m] = key.split(':').map(Number);
          await Promise.all([
            send('rate', u, m, value(), a, true),
            send('remove', u, m, null, b, true),
          ]);
        } else {
          const u = rng.pick(plan.userIds);
          const m = rng.pick(plan.movieIds);
          const first = value();
          let second = value();
          while (second === first) second = value();
          await Promise.all([
            send('rate', u, m, first, a, true),
            send('rate', u, m, second, b, true),
          ]);
        }
      } else {
        const replica = rng.int(0, replicas - 1);
        const key = rng.chance(0.25) ? removable() : null;
        if (key !== null) {
          const [u, m] = key.split(':').map(Number);
          await send('remove', u, m, null, replica, false);
        } else {
          await send(
            'rate',
            rng.pick(plan.userIds),
            rng.pick(plan.movieIds),
            value(),
            replica,
            false,
          );
        }
      }
      await sleep(rng.int(5, 25));
    }
  };

  const reader = async (rng: Prng): Promise<void> => {
    for (let n = 0; n < plan.maxPerClient && !stop(); n++) {
      const all = urls();
      const url = all[rng.int(0, all.length - 1)];
      reads++;
      const outcome = await post(
        url,
        READ,
        {
          m1: String(rng.pick(plan.movieIds)),
          m2: String(rng.pick(plan.movieIds)),
          m3: String(rng.pick(plan.movieIds)),
          u1: String(rng.pick(plan.userIds)),
          u2: String(rng.pick(plan.userIds)),
        },
        plan.timeoutMs,
      );
      if (outcome.ok && outcome.answer.status === 200 && !outcome.answer.errors?.length) {
        readsAnswered++;
      }
      await sleep(rng.int(5, 25));
    }
  };

  await Promise.all([
    ...Array.from({ length: plan.clients }, () => client(new Prng(seeds.fork()))),
    ...Array.from({ length: plan.readers }, () => reader(new Prng(seeds.fork()))),
  ]);
  return { mutations, reads, readsAnswered };
}
