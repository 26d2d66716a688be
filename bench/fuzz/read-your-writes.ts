import fc from 'fast-check';
import type { HttpRequest, RywCase, RywStep } from './model.ts';

/**
 * The read-your-writes family: two to four mutations of one new user in one request.
 * GraphQL runs mutation fields one after another, so each payload must show the state
 * right after its own step: `previousValue` the value before it, `user.ratingCount` and
 * `user.meanRating` the user's ratings after it. The user id is fresh for every request
 * (no other request touches it), so the expected values are exact.
 */

export const RYW_USERS_FROM = 910_001;

/** How many movies of the pool the steps choose from: few, so steps meet on a movie. */
const MOVIES_PER_REQUEST = 3;

export function rywCaseArb(): fc.Arbitrary<RywCase> {
  const step: fc.Arbitrary<RywStep> = fc.record({
    kind: fc.oneof(
      { weight: 7, arbitrary: fc.constant('rate' as const) },
      { weight: 3, arbitrary: fc.constant('remove' as const) },
    ),
    movie: fc.nat(MOVIES_PER_REQUEST - 1),
    halfStars: fc.integer({ min: 1, max: 10 }),
  });
  return fc.record({
    family: fc.constant('ryw' as const),
    steps: fc.array(step, { minLength: 2, maxLength: 4 }),
    viaVariables: fc.boolean(),
  });
}

/** What one step's payload must show. */
export interface StepExpectation {
  readonly alias: string;
  readonly kind: 'rate' | 'remove';
  readonly movieId: number;
  /** rate: the value sent; remove: the value removed. */
  readonly value: number;
  /** rate only: the user's value of the movie before this step. */
  readonly previousValue: number | null;
  readonly ratingCount: number;
  readonly meanRating: number | null;
}

export interface RenderedRyw {
  readonly request: HttpRequest;
  readonly expected: ReadonlyArray<StepExpectation>;
}

/**
 * The request for `userId`, and what each payload must show. A removal of a movie the
 * user has not rated (yet) becomes a rating, so every step is valid and the whole request
 * succeeds; only the payloads can be wrong.
 */
export function renderRyw(c: RywCase, userId: number, movies: ReadonlyArray<number>): RenderedRyw {
  const state = new Map<number, number>();
  const expected: StepExpectation[] = [];
  const fields: string[] = [];
  const user = c.viaVariables ? '$u' : JSON.stringify(String(userId));
  c.steps.forEach((step, k) => {
    const movieId = movies[step.movie % Math.min(MOVIES_PER_REQUEST, movies.length)];
    const before = state.get(movieId) ?? null;
    const kind = step.kind === 'remove' && before !== null ? 'remove' : 'rate';
    const alias = `s${k}`;
    let value: number;
    if (kind === 'rate') {
      value = step.halfStars / 2;
      state.set(movieId, value);
      fields.push(
        `${alias}: rateMovie(input: { userId: ${user}, movieId: "${movieId}", rating: ${value} }) { previousValue rating { value } user { ratingCount meanRating } }`,
      );
    } else {
      value = before as number;
      state.delete(movieId);
      fields.push(
        `${alias}: removeRating(input: { userId: ${user}, movieId: "${movieId}" }) { rating { value } user { ratingCount meanRating } }`,
      );
    }
    const values = [...state.values()];
    expected.push({
      alias,
      kind,
      movieId,
      value,
      previousValue: kind === 'rate' ? before : null,
      ratingCount: values.length,
      meanRating: values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length,
    });
  });
  const query = `mutation ReadYourWrites${c.viaVariables ? '($u: ID!)' : ''} {\n  ${fields.join('\n  ')}\n}`;
  const variables = c.viaVariables ? { u: String(userId) } : undefined;
  const body = JSON.stringify({ query, ...(variables ? { variables } : {}) });
  return {
    request: {
      method: 'POST',
      target: '/graphql',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
      graphql: { query, variables, operationName: undefined },
      operationType: 'mutation',
    },
    expected,
  };
}

/** One payload field that differs from the state right after its step. */
export interface StaleField {
  readonly step: string;
  readonly field: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

export type RywOutcome =
  | { readonly kind: 'checked'; readonly stale: ReadonlyArray<StaleField> }
  /** A step came back null or with an error: the request was valid, so that is a finding too. */
  | { readonly kind: 'refused'; readonly detail: string };

const close = (a: unknown, b: number | null) =>
  b === null ? a === null : typeof a === 'number' && Math.abs(a - b) < 1e-6;

/** Compares each payload with the state after its step. */
export function checkRyw(expected: ReadonlyArray<StepExpectation>, body: unknown): RywOutcome {
  const data = (body as { data?: Record<string, unknown> | null } | null)?.data;
  const errors = (body as { errors?: unknown[] } | null)?.errors;
  if (errors?.length || !data) {
    return {
      kind: 'refused',
      detail: `a request of valid steps got ${errors?.length ?? 0} error(s) and ${data ? 'data' : 'no data'}`,
    };
  }
  const stale: StaleField[] = [];
  for (const step of expected) {
    const payload = data[step.alias] as {
      previousValue?: unknown;
      rating?: { value?: unknown } | null;
      user?: { ratingCount?: unknown; meanRating?: unknown } | null;
    } | null;
    if (!payload) return { kind: 'refused', detail: `step ${step.alias} is null` };
    const compare = (field: string, actual: unknown, want: number | null) => {
      if (!close(actual, want)) stale.push({ step: step.alias, field, expected: want, actual });
    };
    compare('rating.value', payload.rating?.value, step.value);
    if (step.kind === 'rate') compare('previousValue', payload.previousValue, step.previousValue);
    compare('user.ratingCount', payload.user?.ratingCount, step.ratingCount);
    compare('user.meanRating', payload.user?.meanRating, step.meanRating);
  }
  return { kind: 'checked', stale };
}
