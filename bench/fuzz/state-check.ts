import { readJournal } from '../../src/store/file-journal.ts';
import type { RatingEvent } from '../../src/store/rating-event.ts';
import { describePath, errorsOf, type Finding } from './checks.ts';
import { type Answer, query } from './http.ts';
import { type Intent, withPayloadErrors } from './intents.ts';
import type { HttpRequest } from './model.ts';

/**
 * The check after the run, on what the client saw, what the journal holds and what the
 * service serves:
 *
 * (a) every acknowledged write has its own journal line, and the service serves the state
 *     of the data set plus the journal, in journal order;
 * (b) every journal line belongs to a write some answer acknowledged; a line no answer
 *     acknowledged is a hidden write (the rating was saved, the client was told otherwise).
 *
 * Writes of one (user, movie) are serialised by the service and journaled in that order,
 * so the journal's order is the order to replay, whatever the requests' concurrency.
 */

/** A request that asked for writes, with what came back. */
export interface Attempt {
  readonly caseIndex: number;
  readonly label: string;
  readonly request: HttpRequest;
  readonly answer: Answer;
  readonly intents: ReadonlyArray<Intent>;
  readonly acknowledged: ReadonlyArray<Intent>;
}

/** A user's ratings: movie id to value. */
export type Ratings = Map<number, number>;

const RATINGS = `query FuzzState($id: ID!, $after: String) {
  user(id: $id) {
    ratingCount
    ratings(first: 100, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { value movie { id } } }
    }
  }
}`;

interface RatingsPage {
  user: {
    ratingCount: number;
    ratings: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { node: { value: number; movie: { id: string } } }[];
    };
  } | null;
}

/** What the service serves for a user (every page), and the count it claims. */
export async function servedRatings(
  origin: string,
  userId: number,
): Promise<{ ratings: Ratings; ratingCount: number; totalCount: number }> {
  const ratings: Ratings = new Map();
  let after: string | null = null;
  let ratingCount = 0;
  let totalCount = 0;
  for (let page = 0; page < 1000; page++) {
    const data: RatingsPage = await query<RatingsPage>(origin, RATINGS, {
      id: String(userId),
      after,
    });
    if (!data.user) break;
    ratingCount = data.user.ratingCount;
    totalCount = data.user.ratings.totalCount;
    for (const edge of data.user.ratings.edges)
      ratings.set(Number(edge.node.movie.id), edge.node.value);
    if (!data.user.ratings.pageInfo.hasNextPage) break;
    after = data.user.ratings.pageInfo.endCursor;
  }
  return { ratings, ratingCount, totalCount };
}

/** The served ratings of `users`, a few requests at a time. */
export async function snapshot(
  origin: string,
  users: ReadonlyArray<number>,
): Promise<Map<number, Ratings>> {
  const out = new Map<number, Ratings>();
  let next = 0;
  const worker = async () => {
    while (next < users.length) {
      const id = users[next++];
      out.set(id, (await servedRatings(origin, id)).ratings);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

export interface StateSummary {
  readonly ran: boolean;
  readonly acknowledged: number;
  /** Acknowledged writes whose payload had a failing field (reported beside the write). */
  readonly acknowledgedWithPayloadErrors: number;
  readonly journalLines: number;
  readonly usersCompared: number;
  readonly hiddenWrites: number;
  readonly unjournaled: number;
  readonly servedMismatches: number;
}

const keyOf = (kind: string, userId: number, movieId: number) => `${kind}:${userId}:${movieId}`;

/** Whether a journal line is the change an intent asked for (a rating within 1e-6: the service rounds onto the scale). */
export function sameChange(intent: Intent, event: RatingEvent): boolean {
  if (intent.kind !== event.kind) return false;
  if (event.kind === 'remove') return true;
  return Math.abs((intent.rating ?? Number.NaN) - event.rating) < 1e-6;
}

function describeEvent(e: RatingEvent): string {
  return e.kind === 'rate'
    ? `rate user ${e.userId} movie ${e.movieId} ${e.rating}`
    : `remove user ${e.userId} movie ${e.movieId}`;
}

/** What an answer that hid a write showed instead: how the write looked, and the errors. */
export interface Hiding {
  readonly kind: 'rate' | 'remove';
  /** The hidden change's user and movie. */
  readonly userId: number;
  readonly movieId: number;
  /** `data null`, `rateMovie null`... */
  readonly shown: string;
  /** `CODE at mutation field.path`, sorted, without repeats. */
  readonly errors: ReadonlyArray<string>;
}

export function hidingOf(attempt: Attempt, intent: Intent): Hiding {
  const body = attempt.answer.ok
    ? (attempt.answer.json as { data?: unknown } | undefined)
    : undefined;
  const data = body?.data as Record<string, unknown> | null | undefined;
  const field = intent.kind === 'rate' ? 'rateMovie' : 'removeRating';
  const shown = !attempt.answer.ok
    ? 'no answer'
    : data === undefined
      ? 'no data'
      : data === null
        ? 'data null'
        : data[intent.key] === null || data[intent.key] === undefined
          ? `${field} null`
          : `${field} refused`;
  // data null: any error may be the one that nulled it; a null field: the errors under it
  const relevant = errorsOf(attempt.answer).filter(
    (e) => data === null || data === undefined || e.path?.[0] === intent.key,
  );
  const errors = relevant.map((e) => {
    const code = typeof e?.extensions?.code === 'string' ? e.extensions.code : '(no code)';
    const at = describePath(attempt.request, e.path);
    return at ? `${code} at ${at}` : code;
  });
  return {
    kind: intent.kind,
    userId: intent.userId,
    movieId: intent.movieId,
    shown,
    errors: [...new Set(errors)].sort(),
  };
}

export function hidingSignature(hiding: Hiding): string {
  return `${hiding.shown}; errors: ${hiding.errors.join(', ') || 'none'}`;
}

/**
 * Whether `candidate` hides a write the way `original` did: shown alike, with at least
 * the original's errors (a replay may meet other state and add one, a removal that
 * finds nothing to remove, say).
 */
export function hidesLike(candidate: Hiding, original: Hiding): boolean {
  return (
    candidate.kind === original.kind &&
    candidate.shown === original.shown &&
    original.errors.every((e) => candidate.errors.includes(e))
  );
}

export async function checkState(params: {
  readonly origin: string;
  readonly dataDir: string;
  readonly before: ReadonlyMap<number, Ratings>;
  readonly attempts: ReadonlyArray<Attempt>;
}): Promise<{ findings: Finding[]; summary: StateSummary }> {
  const { origin, dataDir, before, attempts } = params;
  const findings: Finding[] = [];
  const journal = (await readJournal(dataDir)).events;
  // (b): match every journal line to an acknowledged write of the same change
  const open = new Map<string, { attempt: Attempt; intent: Intent }[]>();
  let acknowledgedCount = 0;
  let withErrors = 0;
  for (const attempt of attempts) {
    withErrors += withPayloadErrors(
      attempt.acknowledged,
      attempt.answer.ok ? attempt.answer.json : undefined,
    ).length;
    for (const intent of attempt.acknowledged) {
      acknowledgedCount++;
      const key = keyOf(intent.kind, intent.userId, intent.movieId);
      open.set(key, [...(open.get(key) ?? []), { attempt, intent }]);
    }
  }
  // the requests that asked for a change and were not told it happened: who hid a line
  const unacknowledged = new Map<string, { attempt: Attempt; intent: Intent }[]>();
  for (const attempt of attempts) {
    for (const intent of attempt.intents) {
      if (attempt.acknowledged.includes(intent)) continue;
      const key = keyOf(intent.kind, intent.userId, intent.movieId);
      unacknowledged.set(key, [...(unacknowledged.get(key) ?? []), { attempt, intent }]);
    }
  }
  let hidden = 0;
  for (const event of journal) {
    const key = keyOf(event.kind, event.userId, event.movieId);
    const candidates = open.get(key) ?? [];
    const k = candidates.findIndex((c) => sameChange(c.intent, event));
    if (k >= 0) {
      candidates.splice(k, 1);
      continue;
    }
    hidden++;
    const suspects = unacknowledged.get(key) ?? [];
    const s = suspects.findIndex((c) => sameChange(c.intent, event));
    const suspect = s >= 0 ? suspects.splice(s, 1)[0] : null;
    const hiding = suspect ? hidingOf(suspect.attempt, suspect.intent) : null;
    findings.push({
      kind: 'hiddenWrite',
      signature: hiding
        ? hidingSignature(hiding)
        : 'a journal line no request of the run asked for',
      hiding: hiding ?? undefined,
      detail: `journal: ${describeEvent(event)}; ${suspect ? `asked by case #${suspect.attempt.caseIndex} (${suspect.attempt.label}) as "${suspect.intent.key}", whose answer did not acknowledge it` : 'no request asked for it'}`,
      caseIndex: suspect?.attempt.caseIndex ?? null,
      request: suspect?.attempt.request ?? null,
      answer: suspect?.attempt.answer ?? null,
    });
  }
  // (a): acknowledged writes without a journal line
  let unjournaled = 0;
  for (const rest of open.values()) {
    for (const { attempt, intent } of rest) {
      unjournaled++;
      findings.push({
        kind: 'stateMismatch',
        signature: 'an acknowledged write has no journal line',
        detail: `${intent.kind} user ${intent.userId} movie ${intent.movieId}${intent.rating === null ? '' : ` ${intent.rating}`}, acknowledged as "${intent.key}" in case #${attempt.caseIndex}`,
        caseIndex: attempt.caseIndex,
        request: attempt.request,
        answer: attempt.answer,
      });
    }
  }
  // (a): the served state is the data set's plus the journal, replayed in order
  const expected = new Map<number, Ratings>();
  const users = new Set<number>([...before.keys()]);
  for (const e of journal) users.add(e.userId);
  for (const a of attempts) for (const i of a.acknowledged) users.add(i.userId);
  for (const id of users) expected.set(id, new Map(before.get(id) ?? []));
  for (const e of journal) {
    const ratings = expected.get(e.userId) as Ratings;
    if (e.kind === 'rate') ratings.set(e.movieId, e.rating);
    else ratings.delete(e.movieId);
  }
  let servedMismatches = 0;
  const ids = [...users].sort((a, b) => a - b);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      const want = expected.get(id) as Ratings;
      const served = await servedRatings(origin, id);
      const problems: string[] = [];
      for (const [movie, value] of want) {
        const got = served.ratings.get(movie);
        if (got === undefined) problems.push(`movie ${movie}: expected ${value}, not served`);
        else if (Math.abs(got - value) > 1e-6)
          problems.push(`movie ${movie}: expected ${value}, served ${got}`);
      }
      for (const [movie, got] of served.ratings) {
        if (!want.has(movie)) problems.push(`movie ${movie}: served ${got}, expected none`);
      }
      if (served.ratingCount !== want.size) {
        problems.push(`ratingCount ${served.ratingCount}, expected ${want.size}`);
      }
      if (problems.length > 0) {
        servedMismatches++;
        findings.push({
          kind: 'stateMismatch',
          signature: 'the served ratings differ from the data set plus the journal',
          detail: `user ${id}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
          caseIndex: null,
          request: null,
          answer: null,
        });
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return {
    findings,
    summary: {
      ran: true,
      acknowledged: acknowledgedCount,
      acknowledgedWithPayloadErrors: withErrors,
      journalLines: journal.length,
      usersCompared: users.size,
      hiddenWrites: hidden,
      unjournaled,
      servedMismatches,
    },
  };
}
