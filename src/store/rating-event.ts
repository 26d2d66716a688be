/**
 * One change to the ratings, as the journal stores it, and its one-line encoding.
 *
 * Line format, version 1 (ASCII, one line per event, `\n`-terminated in the file):
 *
 * ```
 * {"v":1,"k":"rate","u":42,"m":318,"r":4.5,"t":1700000000.123,"c":"1f2e3d4c"}
 * {"v":1,"k":"remove","u":42,"m":318,"t":1700000060,"c":"0a1b2c3d"}
 * ```
 *
 * `v` format version, `k` kind, `u` user id, `m` movie id, `r` rating (rate only), `t`
 * timestamp, always in this order. `c` is the CRC-32 (8 lower-case hex digits) of the
 * exact bytes of the line without `,"c":"…"`, i.e. of the payload object
 * `{"v":1,…,"t":…}`. Checksumming the bytes as written, not a re-serialisation, means
 * the check never depends on how numbers are printed. The checksum suffix has a fixed
 * length, so a reader strips it without parsing first.
 *
 * Timestamps are seconds since the Unix epoch as a JavaScript number that may be
 * fractional (`Date.now() / 1000` gives millisecond precision). That is the unit of
 * MovieLens (whose integer seconds are a special case) and of `RatingColumns.timestamps`,
 * so replayed events merge with the base data without conversion, while two ratings in
 * the same second still keep their order by time.
 */
import type { RatingEdit } from '../engine/rating-order.ts';
import { crc32 } from './crc32.ts';
import { InvalidRatingEventError } from './invalid-rating-event-error.ts';

/** A change as the journal and the stream carry it: the engine's edit, made durable. */
export type RatingEvent = RatingEdit;

/** The `v` this module writes. A line with any other version is rejected. */
export const RATING_EVENT_FORMAT_VERSION = 1;

/** Ids are stored in `Int32Array`s by the data layer, so the journal accepts no larger id. */
export const MAX_ID = 0x7fffffff;

/** The result of decoding one line: a bad line is an expected outcome, not a throw. */
export type DecodedLine =
  | { readonly ok: true; readonly event: RatingEvent }
  | { readonly ok: false; readonly problem: string };

// ,"c":"xxxxxxxx"}  = 6 + 8 + 2 characters
const CHECKSUM_SUFFIX_LENGTH = 16;
const CHECKSUM_SUFFIX = /^,"c":"([0-9a-f]{8})"\}$/;
// Printable ASCII only: the encoder never writes anything else.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const RATE_KEYS = 'k,m,r,t,u,v';
const REMOVE_KEYS = 'k,m,t,u,v';

/**
 * What is wrong with `event`, or `undefined` if it can be journaled: ids are integers in
 * 1..2^31-1, the rating is a finite number (the rating scale is the GraphQL layer's
 * business), and the timestamp is a finite number of seconds >= 0.
 */
export function ratingEventProblem(event: RatingEvent): string | undefined {
  const { kind, userId, movieId, timestamp } = event;
  if (kind !== 'rate' && kind !== 'remove') {
    return `kind must be 'rate' or 'remove', got ${show(kind)}`;
  }
  if (!isId(userId)) return `userId must be an integer in 1..${MAX_ID}, got ${show(userId)}`;
  if (!isId(movieId)) {
    return `movieId must be an integer in 1..${MAX_ID}, got ${show(movieId)}`;
  }
  if (kind === 'rate' && !Number.isFinite(event.rating)) {
    return `rating must be a finite number, got ${show(event.rating)}`;
  }
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) {
    return `timestamp must be a finite number of seconds >= 0, got ${show(timestamp)}`;
  }
  return undefined;
}

/**
 * The journal line for `event`, without the trailing newline.
 * @throws InvalidRatingEventError if `ratingEventProblem(event)` reports a problem
 */
export function encodeRatingEvent(event: RatingEvent): string {
  const problem = ratingEventProblem(event);
  if (problem !== undefined) throw new InvalidRatingEventError(problem);
  // String(n) of a finite number is exactly JSON's spelling and reads back to the same
  // double, except -0, which becomes 0.
  const rating = event.kind === 'rate' ? `,"r":${String(event.rating)}` : '';
  const body =
    `{"v":${RATING_EVENT_FORMAT_VERSION},"k":"${event.kind}","u":${event.userId}` +
    `,"m":${event.movieId}${rating},"t":${String(event.timestamp)}`;
  const checksum = crc32(Buffer.from(`${body}}`, 'latin1'));
  return `${body},"c":"${checksum.toString(16).padStart(8, '0')}"}`;
}

/**
 * Reads one journal line (without its newline). Checks, in order: printable ASCII, the
 * checksum, JSON syntax, the version, the exact set of keys, and the field values.
 */
export function decodeRatingEvent(line: string): DecodedLine {
  if (line.length === 0) return fail('empty line');
  if (!PRINTABLE_ASCII.test(line)) return fail('a byte that is not printable ASCII');
  const split = line.length - CHECKSUM_SUFFIX_LENGTH;
  const suffix = split > 0 ? CHECKSUM_SUFFIX.exec(line.slice(split)) : null;
  if (suffix === null) return fail('no checksum: the line does not end with ,"c":"<8 hex>"}');
  const payload = `${line.slice(0, split)}}`;
  const expected = Number.parseInt(suffix[1], 16);
  const actual = crc32(Buffer.from(payload, 'latin1'));
  if (actual !== expected) {
    return fail(`checksum mismatch: line says ${suffix[1]}, content has ${hex(actual)}`);
  }
  let fields: Record<string, unknown>;
  try {
    // The payload ends in '}', so whatever parses is an object.
    fields = JSON.parse(payload);
  } catch {
    return fail('not a JSON object');
  }
  if (fields.v !== RATING_EVENT_FORMAT_VERSION) {
    return fail(`format version must be ${RATING_EVENT_FORMAT_VERSION}, got ${show(fields.v)}`);
  }
  if (fields.k !== 'rate' && fields.k !== 'remove') {
    return fail(`kind must be 'rate' or 'remove', got ${show(fields.k)}`);
  }
  const keys = Object.keys(fields).sort().join(',');
  const expectedKeys = fields.k === 'rate' ? RATE_KEYS : REMOVE_KEYS;
  if (keys !== expectedKeys) return fail(`keys must be ${expectedKeys}, got ${keys}`);
  const event = (
    fields.k === 'rate'
      ? {
          kind: 'rate',
          userId: fields.u,
          movieId: fields.m,
          rating: fields.r,
          timestamp: fields.t,
        }
      : { kind: 'remove', userId: fields.u, movieId: fields.m, timestamp: fields.t }
  ) as RatingEvent;
  const problem = ratingEventProblem(event);
  return problem === undefined ? { ok: true, event } : fail(problem);
}

function isId(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_ID;
}

function fail(problem: string): DecodedLine {
  return { ok: false, problem };
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'undefined') return String(value);
  return JSON.stringify(value) ?? String(value);
}
