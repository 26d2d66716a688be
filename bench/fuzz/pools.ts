import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Val } from './model.ts';

/**
 * The ids and names the generated values come from: the data set's users and movies (so
 * that writes change real state), a block of new users, and the catalogue's genres.
 */
export interface Pools {
  /** Users of the data set. */
  readonly existingUsers: ReadonlyArray<number>;
  /** Ids no one has used: a write makes a new user. */
  readonly newUsers: ReadonlyArray<number>;
  /** Movies of the catalogue. */
  readonly movies: ReadonlyArray<number>;
  readonly genres: ReadonlyArray<string>;
}

/** New users the general requests write as: 900001..900050. */
export const NEW_USERS: ReadonlyArray<number> = Array.from({ length: 50 }, (_, k) => 900_001 + k);

/** Valid ids (by format) the hostile values use; they may become users too. */
export const ODD_VALID_USERS: ReadonlyArray<number> = [777_777, 2_147_483_647];

/** The user ids of a MovieLens `ratings.csv` (first column), sorted. */
export function datasetUsers(datasetDir: string): number[] {
  const text = readFileSync(join(datasetDir, 'ratings.csv'), 'utf8');
  const ids = new Set<number>();
  for (const line of text.split('\n').slice(1)) {
    const id = Number(line.slice(0, line.indexOf(',')));
    if (Number.isInteger(id) && id > 0) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

const str = (v: string): Val => ({ t: 'str', v });
const int = (v: number | string): Val => ({ t: 'int', v: String(v) });
const float = (v: string): Val => ({ t: 'float', v });
const enumName = (v: string): Val => ({ t: 'enum', v });
export const NULL: Val = { t: 'null' };

const LONG_DIGITS = '9'.repeat(5000);
const LONG_TEXT = 'long '.repeat(1000);

/** An id of the pool, written as a GraphQL string (`"12"`) or int (`12`), both valid for ID. */
function idOf(ids: ReadonlyArray<number>): fc.Arbitrary<Val> {
  return fc
    .tuple(fc.constantFrom(...ids), fc.boolean())
    .map(([id, asInt]) => (asInt ? int(id) : str(String(id))));
}

/** Ids of the right GraphQL type that the service must refuse (or, 777777 and 2^31-1, accept as unknown). */
const hostileIds: ReadonlyArray<Val> = [
  int(0),
  str('0'),
  int(-5),
  str('-5'),
  int(2_147_483_648),
  str('99999999999999999999'),
  str('alice'),
  str(LONG_DIGITS),
  str(''),
  str(' 12 '),
  str('1e3'),
  str('0x1F'),
  str('777777'),
  int(2_147_483_647),
];

/** Values GraphQL itself refuses for an ID. */
const notIds: ReadonlyArray<Val> = [float('1.5'), { t: 'bool', v: true }];

const halfStars = Array.from({ length: 10 }, (_, k) => (k + 1) / 2);

/** A valid rating: whole stars as ints (`4`) half the time, as GraphQL allows for Float. */
function validRating(): fc.Arbitrary<Val> {
  return fc
    .tuple(fc.constantFrom(...halfStars), fc.boolean())
    .map(([r, asInt]) => (Number.isInteger(r) && asInt ? int(r) : float(r.toFixed(1))));
}

const hostileRatings: ReadonlyArray<Val> = [
  int(0),
  float('5.5'),
  float('3.3'),
  int(-1),
  float('1e308'),
  float('4.5000000000001'),
  float('0.25'),
  int(6),
];

/** `NaN` and `Infinity` as literals, a number in a string: GraphQL refuses them for a Float. */
const notFloats: ReadonlyArray<Val> = [enumName('NaN'), enumName('Infinity'), str('4')];

const hostileFirst: ReadonlyArray<Val> = [int(0), int(-1), int(101), int(1000), int(2_147_483_647)];

/** GraphQL refuses these for an Int: past 32 bits, a fraction, a string. */
const notInts: ReadonlyArray<Val> = [int(2_147_483_648), float('1.5'), str('10')];

function cursor(text: string): Val {
  return str(Buffer.from(text).toString('base64url'));
}

/** What kind of value an argument or input field holds, from its name and type. */
export type Semantic =
  | 'userId'
  | 'movieId'
  | 'id'
  | 'first'
  | 'year'
  | 'int'
  | 'rating'
  | 'float'
  | 'genre'
  | 'search'
  | 'cursor'
  | 'string'
  | 'bool';

/**
 * The meaning of an argument, guessed from names the schema uses: `userId`, `movieId`,
 * `id` on `user`/`movie`, `first`, `rating`, `genres`, `search`, `after`, `yearFrom`...
 * A name it does not know gets the generic values of its type.
 */
export function semanticOf(fieldName: string, argName: string, typeName: string): Semantic {
  const name = argName.toLowerCase();
  switch (typeName) {
    case 'ID':
      if (name === 'userid' || (fieldName === 'user' && name === 'id')) return 'userId';
      if (name === 'movieid' || (fieldName === 'movie' && name === 'id')) return 'movieId';
      return 'id';
    case 'Int':
      if (name === 'first' || name === 'last') return 'first';
      if (name.startsWith('year')) return 'year';
      return 'int';
    case 'Float':
      return name === 'rating' ? 'rating' : 'float';
    case 'Boolean':
      return 'bool';
    default:
      if (name === 'genres' || name === 'genre') return 'genre';
      if (name === 'search' || name === 'title') return 'search';
      if (name === 'after' || name === 'before' || name === 'cursor') return 'cursor';
      return 'string';
  }
}

/**
 * Values for each meaning: mostly valid, some the service must refuse (out of range,
 * unknown, malformed), and, careless, some GraphQL itself refuses (the wrong scalar type).
 */
export function scalarArb(pools: Pools, semantic: Semantic, careless: boolean): fc.Arbitrary<Val> {
  const m = careless ? 1 : 0;
  const mix = (
    valid: fc.Arbitrary<Val>,
    hostile: ReadonlyArray<Val>,
    wrongType: ReadonlyArray<Val>,
    validWeight = 8,
  ) =>
    fc.oneof(
      { weight: validWeight, arbitrary: valid },
      { weight: 2, arbitrary: fc.constantFrom(...hostile) },
      ...(m && wrongType.length > 0
        ? [{ weight: 1, arbitrary: fc.constantFrom(...wrongType) }]
        : []),
    );
  switch (semantic) {
    case 'userId':
      return fc.oneof(
        { weight: 9, arbitrary: idOf(pools.existingUsers) },
        { weight: 8, arbitrary: idOf(pools.newUsers) },
        { weight: 3, arbitrary: fc.constantFrom(...hostileIds) },
        ...(m ? [{ weight: 1, arbitrary: fc.constantFrom(...notIds) }] : []),
      );
    case 'movieId':
      return mix(idOf(pools.movies), [...hostileIds, str('777'), int(12_345)], notIds, 12);
    case 'id':
      return mix(
        idOf([...pools.movies.slice(0, 5), ...pools.existingUsers.slice(0, 5)]),
        hostileIds,
        notIds,
      );
    case 'rating':
      return mix(validRating(), hostileRatings, notFloats);
    case 'first':
      return mix(fc.constantFrom(1, 2, 3, 5, 10, 20, 50, 100).map(int), hostileFirst, notInts, 6);
    case 'year':
      return mix(
        fc.integer({ min: 1950, max: 2025 }).map(int),
        [int(0), int(-1), int(2_147_483_647)],
        [int(2_147_483_648), str('1999')],
      );
    case 'int':
      return mix(fc.integer({ min: -3, max: 200 }).map(int), [int(2_147_483_647)], notInts);
    case 'float':
      return mix(
        fc
          .double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true })
          .map((x) => float(x.toFixed(3))),
        [int(1)],
        notFloats,
      );
    case 'genre':
      return mix(
        fc.constantFrom(...pools.genres).map(str),
        [
          str('Western'),
          str(pools.genres[0]?.toLowerCase() ?? 'action'),
          str(''),
          str(LONG_TEXT),
          str('(no genres listed)'),
          str(`${pools.genres[0] ?? 'Drama'} `),
          str('Drâma'),
        ],
        [int(1)],
      );
    case 'search':
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('alpha', 'night', 'road', 'the', 'a b').map(str) },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            str(''),
            str('   '),
            str('x'.repeat(201)),
            str(LONG_TEXT),
            str('%'),
            str('.*('),
            str("'; DROP TABLE movies; --"),
            str('\u0000'),
            str('🎬 café'),
            str('\\'),
          ),
        },
        { weight: 1, arbitrary: fc.string({ maxLength: 12, unit: 'grapheme-ascii' }).map(str) },
        ...(m ? [{ weight: 1, arbitrary: fc.constant(int(5)) }] : []),
      );
    case 'cursor':
      return fc.constantFrom(
        cursor('movies:1'),
        cursor('movies:5'),
        cursor('movies:43'),
        cursor('movies:1000'),
        cursor('ratings:3'),
        cursor('movies:-1'),
        cursor('movies:99999999999999999999'),
        cursor(`movies:${LONG_DIGITS}`),
        str('zzz'),
        str(''),
        str('='),
        str(LONG_TEXT),
      );
    case 'string':
      return fc.oneof(
        fc.string({ maxLength: 12, unit: 'grapheme-ascii' }).map(str),
        fc.constantFrom(str(''), str(LONG_TEXT), str('Movie')),
      );
    case 'bool':
      return fc.oneof(
        { weight: 30, arbitrary: fc.boolean().map((v): Val => ({ t: 'bool', v })) },
        ...(m ? [{ weight: 2, arbitrary: fc.constantFrom(str('true'), int(1)) }] : []),
      );
  }
}

/** A value of the wrong kind for wherever it lands: the "wrong type" of a careless client. */
export const wrongKindArb: fc.Arbitrary<Val> = fc.constantFrom<Val>(
  str('wrong'),
  int(42),
  float('0.5'),
  { t: 'bool', v: false },
  { t: 'list', items: [int(1), int(2)] },
  { t: 'obj', fields: [['x', int(1)]] },
  enumName('WRONG'),
);

/** Keys a hostile client puts in variables and extensions. */
export const pollutingKeys: ReadonlyArray<string> = ['__proto__', 'constructor', 'prototype'];

/** Names a careless client sends beside the variables an operation declares. */
export const extraVariableArb: fc.Arbitrary<readonly [string, Val]> = fc.tuple(
  fc.constantFrom(...pollutingKeys, 'toString', 'hasOwnProperty', 'extra', 'v1'),
  fc.constantFrom<Val>(
    { t: 'obj', fields: [['polluted', { t: 'bool', v: true }]] },
    {
      t: 'obj',
      fields: [['prototype', { t: 'obj', fields: [['polluted', { t: 'bool', v: true }]] }]],
    },
    int(1),
    str('x'),
    NULL,
  ),
);
