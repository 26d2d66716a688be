/**
 * The fuzzer's own parts, without a service: what it counts as documented, as
 * acknowledged and as stale, and that a clean generated request is valid GraphQL. A bug
 * here would be reported as a bug of the service, so each rule is pinned.
 */
import fc from 'fast-check';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { parseDocumentedCodes } from '../../bench/fuzz/documented-codes.ts';
import { Generator } from '../../bench/fuzz/generate.ts';
import { acknowledged, intentsOf, withPayloadErrors } from '../../bench/fuzz/intents.ts';
import type { FuzzCase, HttpRequest } from '../../bench/fuzz/model.ts';
import type { Pools } from '../../bench/fuzz/pools.ts';
import { checkRyw, renderRyw } from '../../bench/fuzz/read-your-writes.ts';
import { renderGraphqlCase } from '../../bench/fuzz/render.ts';
import { loadSchema, PROJECT_ROOT } from '../../bench/fuzz/run.ts';

const schema = loadSchema(PROJECT_ROOT);
const pools: Pools = {
  existingUsers: [1, 2, 3],
  newUsers: [900_001, 900_002],
  movies: [1, 2, 3, 901, 999],
  genres: ['Action', 'Drama'],
};

function post(query: string, variables?: unknown): HttpRequest {
  return {
    method: 'POST',
    target: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    graphql: { query, variables, operationName: undefined },
    operationType: 'mutation',
  };
}

describe('the documented codes', () => {
  it('given a table with a code column, when reading the README, then its codes are the documented ones', () => {
    const readme = [
      '- Errors carry a stable `extensions.code`: `NOT_IN_THE_TABLE`.',
      '',
      '  | code | when |',
      '  |---|---|',
      '  | `BAD_USER_INPUT` | a value out of range (`MAX_ID`) |',
      '  | `UNAUTHENTICATED`, `FORBIDDEN` | writes |',
      '',
      '| variable | default |',
      '|---|---|',
      '| `REDIS_URL` | unset |',
    ].join('\n');
    expect([...parseDocumentedCodes(readme).codes].sort()).toEqual([
      'BAD_USER_INPUT',
      'FORBIDDEN',
      'UNAUTHENTICATED',
    ]);
  });

  it('given no such table, when reading the README, then the codes of the paragraphs that mention extensions.code count', () => {
    const readme = [
      '- Errors carry a stable `extensions.code`: `BAD_USER_INPUT` (a rating off the scale),',
      '  `NOT_FOUND` and `INTERNAL_SERVER_ERROR`.',
      '- Configure with `REDIS_URL`.',
    ].join('\n');
    expect([...parseDocumentedCodes(readme).codes].sort()).toEqual([
      'BAD_USER_INPUT',
      'INTERNAL_SERVER_ERROR',
      'NOT_FOUND',
    ]);
  });

  it('given a README without codes, when reading it, then the fuzzer refuses to run', () => {
    expect(() => parseDocumentedCodes('# nothing here')).toThrow(/documents no error codes/);
  });
});

describe('what counts as an acknowledged write', () => {
  const two = post(
    `mutation { a: rateMovie(input: { userId: "900001", movieId: "1", rating: 4 }) { previousValue }
                b: removeRating(input: { userId: "900001", movieId: "2" }) { rating { value } } }`,
  );
  const intents = intentsOf(schema, two);

  it('given two mutation fields with aliases, when reading the request, then each is an intent under its response key', () => {
    expect(intents.map((i) => [i.key, i.kind, i.userId, i.movieId, i.rating])).toEqual([
      ['a', 'rate', 900_001, 1, 4],
      ['b', 'remove', 900_001, 2, null],
    ]);
  });

  it('given a null field and an error at it, when checking the answer, then only the other write is acknowledged', () => {
    const body = {
      data: { a: { previousValue: null }, b: null },
      errors: [{ message: 'no rating', path: ['b'], extensions: { code: 'NOT_FOUND' } }],
    };
    expect(acknowledged(intents, body).map((i) => i.key)).toEqual(['a']);
  });

  it('given data null, when checking the answer, then nothing is acknowledged', () => {
    expect(acknowledged(intents, { data: null, errors: [{ path: ['b'] }] })).toEqual([]);
  });

  it('given a present field with an error inside its payload, when checking the answer, then the write is acknowledged and counted apart', () => {
    const body = {
      data: { a: { previousValue: null }, b: { rating: null } },
      errors: [
        { message: 'bad first', path: ['b', 'rating'], extensions: { code: 'BAD_USER_INPUT' } },
      ],
    };
    const acked = acknowledged(intents, body);
    expect(acked.map((i) => i.key)).toEqual(['a', 'b']);
    expect(withPayloadErrors(acked, body).map((i) => i.key)).toEqual(['b']);
  });

  it('given fragments, variables, a default and @skip, when reading the request, then the intents are the fields that run', () => {
    const request = post(
      `mutation($s: Boolean = false, $in: RateMovieInput!) {
         ...F
         skipped: rateMovie(input: $in) @skip(if: true) { previousValue }
       }
       fragment F on Mutation { kept: rateMovie(input: $in) @skip(if: $s) { previousValue } }`,
      { in: { userId: 12, movieId: ' 7 ', rating: 2.5 } },
    );
    expect(intentsOf(schema, request)).toEqual([
      { key: 'kept', kind: 'rate', userId: 12, movieId: 7, rating: 2.5 },
    ]);
  });

  it('given a request that cannot run (invalid, a bad id, variables that do not coerce), when reading it, then it asks for nothing', () => {
    expect(intentsOf(schema, post('mutation { rateMovie(input: {}) { nope } }'))).toEqual([]);
    expect(
      intentsOf(
        schema,
        post(
          'mutation { rateMovie(input: { userId: "-5", movieId: "1", rating: 4 }) { previousValue } }',
        ),
      ),
    ).toEqual([]);
    expect(
      intentsOf(
        schema,
        post(
          'mutation($r: Float!) { rateMovie(input: { userId: "1", movieId: "1", rating: $r }) { previousValue } }',
          {
            r: 'NaN',
          },
        ),
      ),
    ).toEqual([]);
  });
});

describe('the read-your-writes family', () => {
  it('given a removal of a movie not rated yet, when rendering, then it becomes a rating and each step expects the state after it', () => {
    const { expected } = renderRyw(
      {
        family: 'ryw',
        viaVariables: false,
        steps: [
          { kind: 'remove', movie: 0, halfStars: 8 },
          { kind: 'rate', movie: 1, halfStars: 3 },
          { kind: 'remove', movie: 0, halfStars: 1 },
        ],
      },
      910_001,
      [10, 20, 30],
    );
    expect(
      expected.map((e) => [
        e.kind,
        e.movieId,
        e.value,
        e.previousValue,
        e.ratingCount,
        e.meanRating,
      ]),
    ).toEqual([
      ['rate', 10, 4, null, 1, 4],
      ['rate', 20, 1.5, null, 2, 2.75],
      ['remove', 10, 4, null, 1, 1.5],
    ]);
  });

  it('given a payload that shows the state before its step, when checking, then the field is stale', () => {
    const { expected } = renderRyw(
      {
        family: 'ryw',
        viaVariables: true,
        steps: [
          { kind: 'rate', movie: 0, halfStars: 8 },
          { kind: 'rate', movie: 1, halfStars: 4 },
        ],
      },
      910_002,
      [10, 20, 30],
    );
    const payload = (value: number, count: number, mean: number) => ({
      previousValue: null,
      rating: { value },
      user: { ratingCount: count, meanRating: mean },
    });
    expect(checkRyw(expected, { data: { s0: payload(4, 1, 4), s1: payload(2, 2, 3) } })).toEqual({
      kind: 'checked',
      stale: [],
    });
    expect(checkRyw(expected, { data: { s0: payload(4, 1, 4), s1: payload(2, 1, 4) } })).toEqual({
      kind: 'checked',
      stale: [
        { step: 's1', field: 'user.ratingCount', expected: 2, actual: 1 },
        { step: 's1', field: 'user.meanRating', expected: 3, actual: 4 },
      ],
    });
  });
});

describe('the generator', () => {
  const generator = new Generator(schema, pools);

  it('given any clean case, when rendered, then the document parses and validates against schema.graphql', () => {
    fc.assert(
      fc.property(generator.graphqlCase(), (c) => {
        fc.pre(!c.careless);
        const request = renderGraphqlCase(c);
        const text = request.graphql?.query ?? '';
        const document = parse(c.damage === 'padPastLimit' ? text.replace(/\n#x+$/, '') : text);
        expect(validate(schema, document).map((e) => e.message)).toEqual([]);
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('given any case left undamaged, when rendered, then the document parses', () => {
    fc.assert(
      fc.property(generator.graphqlCase(), (c) => {
        fc.pre(c.damage === 'none');
        parse(renderGraphqlCase(c).graphql?.query ?? '');
      }),
      { numRuns: 400, seed: 12 },
    );
  });

  it('given a seed, when sampling and when replaying a path with fc.check, then both give the same case (what shrinking relies on)', async () => {
    const arb = generator.fuzzCase();
    const sampled = fc.sample(arb, { seed: 5, numRuns: 30 });
    let replayed: FuzzCase | null = null;
    await fc.check(
      fc.property(arb, (c) => {
        replayed ??= c;
        return true;
      }),
      { seed: 5, path: '17', numRuns: 1 },
    );
    expect(replayed).toEqual(sampled[17]);
  });
});
