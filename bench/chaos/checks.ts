import { createHash } from 'node:crypto';
import type { RatingEvent } from '../../src/store/rating-event.ts';
import { compareList, showList } from './compare-lists.ts';
import { type Mutation, pairKey } from './load.ts';
import type { List, RefEvent, Reference } from './reference.ts';
import type { RedisState, ReplicaState, ServedRating } from './state.ts';

/**
 * The final verdict of a schedule, from the reference, the acknowledged mutations, the
 * journals and what the replicas and Redis hold.
 *
 * An acknowledged mutation is lost when
 * - it is in no journal (`notJournaled`): a rate matched by user, movie, value and
 *   timestamp; removes counted per (user, movie), as the answer carries no timestamp;
 * - it was ignored (`ignored`): the reference winner of its (user, movie) is an event the
 *   same replica acknowledged before this mutation was sent (or a data-set rating), so a
 *   later mutation lost to an earlier one it had seen, which is what a clock stepped back
 *   did before the hybrid clock;
 * - it is the reference winner, and some replica serves something else for its
 *   (user, movie) (`notServed`).
 *
 * A mutation that loses to one acknowledged earlier by ANOTHER replica is not lost but
 * `reordered`: the two were concurrent for the service (neither replica had the other's
 * event yet: Redis was down or rolled back, or the stream had not delivered it), so the
 * rating order decides by the replicas' clocks, and a clock stepped back makes the
 * earlier write win. Counted and shown, not a failure (docs/replication.md).
 */
export const LIST_SIZE = 50;
/** Timestamps travel as fractional seconds and come back as ISO milliseconds. */
const MS_TOLERANCE = 1;
/** Examples kept per kind of finding (served ratings, lost, replica lists, Redis lists). */
const MAX_EXAMPLES = 4;

export interface Findings {
  lost: number;
  lostNotJournaled: number;
  lostIgnored: number;
  lostNotServed: number;
  /** Concurrent writes on two replicas ordered by their clocks against real time. */
  reordered: number;
  stateMismatches: number;
  listsCompared: number;
  mismatches: number;
  labelledStale: number;
  /** Lists Redis held (compared or labelled stale). */
  redisLists: number;
  readonly examples: string[];
}

export interface CheckInput {
  readonly reference: Reference;
  readonly mutations: ReadonlyArray<Mutation>;
  /** The events of each replica slot's journal. */
  readonly journals: ReadonlyArray<ReadonlyArray<RatingEvent>>;
  readonly replicas: ReadonlyArray<ReplicaState>;
  readonly redis: RedisState | null;
  /** Users whose ratings were read from every replica. */
  readonly touchedUsers: ReadonlyArray<number>;
}

const ms = (seconds: number) => seconds * 1000;
const near = (a: number, b: number) => Math.abs(a - b) <= MS_TOLERANCE;

export function check(input: CheckInput): Findings {
  const f: Findings = {
    lost: 0,
    lostNotJournaled: 0,
    lostIgnored: 0,
    lostNotServed: 0,
    reordered: 0,
    stateMismatches: 0,
    listsCompared: 0,
    mismatches: 0,
    labelledStale: 0,
    redisLists: 0,
    examples: [],
  };
  const kinds = {
    state: [] as string[],
    lost: [] as string[],
    reordered: [] as string[],
    served: [] as string[],
    redis: [] as string[],
  };
  const keep = (kind: keyof typeof kinds) => (text: string) => {
    if (kinds[kind].length < MAX_EXAMPLES) kinds[kind].push(text);
  };
  let example = keep('state');
  const { reference: ref } = input;

  // --- served ratings against the reference
  const differs = new Set<string>();
  for (const replica of input.replicas) {
    for (const userId of input.touchedUsers) {
      const want =
        ref.byUser.get(userId) ?? new Map<number, { value: number; timestamp: number }>();
      const got = replica.ratings.get(userId) ?? new Map<number, ServedRating>();
      for (const movieId of new Set([...want.keys(), ...got.keys()])) {
        const w = want.get(movieId);
        const g = got.get(movieId);
        const same =
          w !== undefined && g !== undefined
            ? w.value === g.value && near(Math.trunc(ms(w.timestamp)), g.ratedAtMs)
            : w === g;
        if (same) continue;
        const key = pairKey(userId, movieId);
        if (!differs.has(key)) {
          example(
            `replica ${replica.slot} serves user ${userId} movie ${movieId} as ${g ? `${g.value} @${new Date(g.ratedAtMs).toISOString()}` : 'unrated'}, the reference has ${w ? `${w.value} @${new Date(ms(w.timestamp)).toISOString()}` : 'unrated'} (${describeWinner(ref.winners.get(key))})`,
          );
        }
        differs.add(key);
      }
    }
  }
  f.stateMismatches = differs.size;

  // --- acknowledged mutations
  countLost(input, differs, f, keep('lost'), keep('reordered'));
  example = keep('served');

  // --- lists served by every replica
  for (const replica of input.replicas) {
    for (const [side, served, expected] of [
      ['item', replica.itemLists, ref.itemLists],
      ['user', replica.userLists, ref.userLists],
    ] as const) {
      for (const [id, got] of served) {
        const want = expected.get(id) ?? EMPTY;
        f.listsCompared++;
        const problem = compareList(ref, side, id, LIST_SIZE, want, got);
        if (problem !== null) {
          f.mismatches++;
          example(
            `replica ${replica.slot} ${side} list of ${id}: ${problem}; expected ${showList(want)}, got ${showList(got)}`,
          );
        }
      }
    }
  }

  // --- lists held by Redis
  example = keep('redis');
  for (const entry of input.redis?.entries ?? []) {
    f.redisLists++;
    if (entry.stamp !== undefined && entry.stamp.digest !== ref.digest) {
      // labelled as computed from other ratings: a reader never installs it
      f.labelledStale++;
      continue;
    }
    const expected = entry.side === 'item' ? ref.itemLists : ref.userLists;
    const want = expected.get(entry.id) ?? EMPTY;
    f.listsCompared++;
    const problem = compareList(ref, entry.side, entry.id, LIST_SIZE, want, entry.list);
    if (problem !== null) {
      f.mismatches++;
      example(
        `redis version ${entry.version} ${entry.side} list of ${entry.id}${entry.stamp ? ` (stamp ${entry.stamp.digest}@${entry.stamp.position})` : ' (no stamp)'}: ${problem}; expected ${showList(want)}, got ${showList(entry.list)}`,
      );
    }
  }
  f.examples.push(
    ...kinds.lost,
    ...kinds.state,
    ...kinds.served,
    ...kinds.redis,
    ...kinds.reordered,
  );
  return f;
}

const EMPTY: List = { ids: [], sims: [], supports: [] };

function describeWinner(w: RefEvent | undefined): string {
  if (!w) return 'no event';
  const from = w.source === 'dataset' ? 'the data set' : `replica ${w.source}'s journal`;
  return `winner ${w.kind}${w.kind === 'rate' ? ` ${w.value}` : ''} @${new Date(ms(w.timestamp)).toISOString()} from ${from}`;
}

function countLost(
  input: CheckInput,
  differs: ReadonlySet<string>,
  f: Findings,
  example: (text: string) => void,
  reordered: (text: string) => void,
): void {
  const { reference: ref } = input;
  const acked = input.mutations.filter((m) => m.outcome === 'ack');
  // journal rates by (user, movie, value), with their timestamps in ms
  const journalRates = new Map<string, number[]>();
  // journal removes by (user, movie), per slot
  const journalRemoves = new Map<string, number[]>();
  input.journals.forEach((events, slot) => {
    for (const e of events) {
      const key = pairKey(e.userId, e.movieId);
      if (e.kind === 'rate') {
        const k = `${key}:${e.rating}`;
        const list = journalRates.get(k) ?? [];
        list.push(ms(e.timestamp));
        journalRates.set(k, list);
      } else {
        const counts = journalRemoves.get(key) ?? new Array<number>(input.journals.length).fill(0);
        counts[slot]++;
        journalRemoves.set(key, counts);
      }
    }
  });
  const ackedRemoves = new Map<string, Mutation[]>();
  const ackedRates = new Map<string, Mutation[]>();
  for (const m of acked) {
    const key = pairKey(m.userId, m.movieId);
    const byKey = m.kind === 'remove' ? ackedRemoves : ackedRates;
    const list = byKey.get(key) ?? [];
    list.push(m);
    byKey.set(key, list);
  }

  const lost = new Set<Mutation>();
  const lose = (m: Mutation, why: 'notJournaled' | 'ignored' | 'notServed', detail: string) => {
    if (lost.has(m)) return;
    lost.add(m);
    if (why === 'notJournaled') f.lostNotJournaled++;
    else if (why === 'ignored') f.lostIgnored++;
    else f.lostNotServed++;
    example(
      `lost (${why}): ${m.kind} user ${m.userId} movie ${m.movieId}${m.value !== null ? ` value ${m.value}` : ''} on replica ${m.replica}${m.ratedAtMs !== null ? ` @${new Date(m.ratedAtMs).toISOString()}` : ''}: ${detail}`,
    );
  };

  // not journaled
  for (const m of acked) {
    if (m.kind !== 'rate') continue;
    const stamps = journalRates.get(`${pairKey(m.userId, m.movieId)}:${m.value}`) ?? [];
    if (!stamps.some((t) => near(t, m.ratedAtMs as number)))
      lose(m, 'notJournaled', 'in no journal');
  }
  for (const [key, removes] of ackedRemoves) {
    const journaled = (journalRemoves.get(key) ?? []).reduce((s, n) => s + n, 0);
    const byEnd = [...removes].sort((a, b) => a.endedAt - b.endedAt);
    for (let k = journaled; k < byEnd.length; k++) {
      lose(
        byEnd[k],
        'notJournaled',
        `${byEnd.length} removes acknowledged, ${journaled} journaled`,
      );
    }
  }

  /**
   * Whether the winner `w` of `key` was acknowledged before `m` was sent, and by which
   * replica: `m`'s own (`same`), another (`other`), or not before it (null).
   */
  const precedes = (key: string, w: RefEvent, m: Mutation): 'same' | 'other' | null => {
    if (w.source === 'dataset') return 'same';
    if (w.kind === 'rate') {
      const before = (ackedRates.get(key) ?? []).filter(
        (a) =>
          a.value === w.value &&
          near(ms(w.timestamp), a.ratedAtMs as number) &&
          a.endedAt < m.sentAt,
      );
      if (before.length === 0) return null;
      return before.some((a) => a.replica === m.replica) ? 'same' : 'other';
    }
    // a remove: every remove in the winner's journal for this pair was acknowledged, and
    // all of them before m was sent
    const slot = w.source;
    const journaled = journalRemoves.get(key)?.[slot] ?? 0;
    const viaSlot = (ackedRemoves.get(key) ?? []).filter((a) => a.replica === slot);
    if (!(journaled <= viaSlot.length && viaSlot.every((a) => a.endedAt < m.sentAt))) return null;
    return slot === m.replica ? 'same' : 'other';
  };
  /** Whether `m` is (one of) the acknowledged mutations the winner stands for. */
  const isWinner = (w: RefEvent, m: Mutation): boolean =>
    m.kind === 'rate'
      ? w.kind === 'rate' && w.value === m.value && near(ms(w.timestamp), m.ratedAtMs as number)
      : w.kind === 'remove';

  for (const m of acked) {
    if (lost.has(m)) continue;
    const key = pairKey(m.userId, m.movieId);
    const w = ref.winners.get(key);
    if (!w) continue;
    if (isWinner(w, m)) continue;
    const before = precedes(key, w, m);
    if (before === 'same') {
      lose(
        m,
        'ignored',
        `the reference keeps an event its replica acknowledged before it was sent (${describeWinner(w)})`,
      );
    } else if (before === 'other') {
      f.reordered++;
      reordered(
        `reordered: ${m.kind} user ${m.userId} movie ${m.movieId} on replica ${m.replica} lost to a concurrent write acknowledged earlier by another replica (${describeWinner(w)})`,
      );
    }
  }

  // the winner not served
  for (const key of differs) {
    const w = ref.winners.get(key);
    if (!w || w.source === 'dataset') continue;
    const candidates = (w.kind === 'rate' ? ackedRates.get(key) : ackedRemoves.get(key)) ?? [];
    const winners = candidates.filter((m) => isWinner(w, m)).sort((a, b) => b.endedAt - a.endedAt);
    if (winners.length > 0) lose(winners[0], 'notServed', 'a replica serves something else');
  }
  f.lost = lost.size;
}

/** A digest of everything read, to tell when two reads in a row saw the same state. */
export function fingerprint(
  replicas: ReadonlyArray<ReplicaState>,
  redis: RedisState | null,
  journalEvents: number,
): string {
  const h = createHash('sha1');
  h.update(String(journalEvents));
  for (const r of replicas) {
    for (const [u, row] of [...r.ratings].sort((a, b) => a[0] - b[0])) {
      h.update(`r${r.slot}u${u}:`);
      for (const [m, v] of [...row].sort((a, b) => a[0] - b[0]))
        h.update(`${m}=${v.value}@${v.ratedAtMs};`);
    }
    for (const [side, lists] of [
      ['i', r.itemLists],
      ['u', r.userLists],
    ] as const) {
      for (const [id, list] of lists)
        h.update(
          `${side}${id}:${Array.from(list.ids).join(',')}|${Array.from(list.sims).join(',')};`,
        );
    }
  }
  for (const e of redis?.entries ?? []) {
    h.update(
      `R${e.version}${e.side}${e.id}:${Array.from(e.list.ids).join(',')}|${Array.from(e.list.sims).join(',')}|${e.stamp?.digest ?? ''};`,
    );
  }
  return h.digest('hex');
}
