import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/store/crc32.ts';
import { InvalidRatingEventError } from '../../src/store/invalid-rating-event-error.ts';
import {
  decodeRatingEvent,
  encodeRatingEvent,
  type RatingEvent,
} from '../../src/store/rating-event.ts';
import { rate, ratingEventArb, remove } from './helpers.ts';

/** A line with a correct checksum around an arbitrary payload object text. */
function signed(payload: string): string {
  const checksum = crc32(Buffer.from(payload, 'latin1')).toString(16).padStart(8, '0');
  return `${payload.slice(0, -1)},"c":"${checksum}"}`;
}

function problemOf(line: string): string {
  const decoded = decodeRatingEvent(line);
  if (decoded.ok) throw new Error(`expected ${line} to be rejected`);
  return decoded.problem;
}

describe('encodeRatingEvent', () => {
  it('given a rate event, when encoded, then writes compact keys in order with a version and checksum', () => {
    const line = encodeRatingEvent(rate(42, 318, 4.5, 1_700_000_000.123));
    expect(line).toMatch(
      /^\{"v":1,"k":"rate","u":42,"m":318,"r":4\.5,"t":1700000000\.123,"c":"[0-9a-f]{8}"\}$/,
    );
    expect(JSON.parse(line)).toMatchObject({ v: 1, k: 'rate', u: 42, m: 318, r: 4.5 });
  });

  it('given a remove event, when encoded, then has no rating key', () => {
    expect(encodeRatingEvent(remove(7, 1))).toMatch(
      /^\{"v":1,"k":"remove","u":7,"m":1,"t":1700000000,"c":"[0-9a-f]{8}"\}$/,
    );
  });

  it.each<[string, RatingEvent, RegExp]>([
    ['a user id of 0', rate(0, 1), /userId must be an integer in 1\.\.2147483647, got 0/],
    ['a fractional movie id', rate(1, 1.5), /movieId must be an integer.*got 1\.5/],
    ['a movie id over 2^31-1', rate(1, 2 ** 31), /movieId must be an integer/],
    ['a NaN rating', rate(1, 1, Number.NaN), /rating must be a finite number, got NaN/],
    ['an infinite rating', rate(1, 1, Number.POSITIVE_INFINITY), /got Infinity/],
    ['a negative timestamp', rate(1, 1, 4, -1), /timestamp must be .* >= 0, got -1/],
    ['a NaN timestamp', remove(1, 1, Number.NaN), /timestamp must be/],
  ])(
    'given %s, when encoded, then throws InvalidRatingEventError saying so',
    (_, event, message) => {
      expect(() => encodeRatingEvent(event)).toThrow(InvalidRatingEventError);
      expect(() => encodeRatingEvent(event)).toThrow(message);
    },
  );

  it('given an unknown kind, when encoded, then throws with code INVALID_RATING_EVENT', () => {
    const event = { kind: 'like', userId: 1, movieId: 1, timestamp: 0 } as unknown as RatingEvent;
    expect(() => encodeRatingEvent(event)).toThrow(
      expect.objectContaining({ code: 'INVALID_RATING_EVENT' }),
    );
  });
});

describe('decodeRatingEvent', () => {
  it('given any valid event, when encoded then decoded, then the same event comes back', () => {
    fc.assert(
      fc.property(ratingEventArb, (event) => {
        expect(decodeRatingEvent(encodeRatingEvent(event))).toEqual({ ok: true, event });
      }),
      { numRuns: 500 },
    );
  });

  it('given an encoded line with any one byte changed, when decoded, then it is rejected', () => {
    fc.assert(
      fc.property(ratingEventArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (event, at, byte) => {
        const line = Buffer.from(encodeRatingEvent(event), 'latin1');
        const index = at % line.length;
        fc.pre(line[index] !== byte);
        line[index] = byte;
        expect(decodeRatingEvent(line.toString('latin1')).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('given a line cut anywhere, when decoded, then it is rejected', () => {
    fc.assert(
      fc.property(ratingEventArb, fc.nat(), (event, at) => {
        const line = encodeRatingEvent(event);
        expect(decodeRatingEvent(line.slice(0, at % line.length)).ok).toBe(false);
      }),
    );
  });

  it('given a changed rating digit, when decoded, then reports a checksum mismatch', () => {
    const line = encodeRatingEvent(rate(1, 2, 3));
    expect(problemOf(line.replace('"r":3', '"r":4'))).toMatch(/^checksum mismatch: line says/);
  });

  it.each([
    ['an empty line', '', /empty line/],
    ['a line without a checksum', '{"v":1,"k":"remove","u":1,"m":1,"t":0}', /no checksum/],
    ['a non-ASCII byte', `${encodeRatingEvent(rate(1, 1))}\u00e9`, /not printable ASCII/],
    ['a carriage return', `${encodeRatingEvent(rate(1, 1))}\r`, /not printable ASCII/],
  ])('given %s, when decoded, then it is rejected saying why', (_, line, problem) => {
    expect(problemOf(line)).toMatch(problem);
  });

  it.each([
    ['version 2', '{"v":2,"k":"remove","u":1,"m":1,"t":0}', /format version must be 1, got 2/],
    ['no version', '{"k":"remove","u":1,"m":1,"t":0}', /format version must be 1, got undefined/],
    ['an unknown kind', '{"v":1,"k":"like","u":1,"m":1,"t":0}', /kind must be .*got "like"/],
    ['a rate without rating', '{"v":1,"k":"rate","u":1,"m":1,"t":0}', /keys must be k,m,r,t,u,v/],
    ['an extra key', '{"v":1,"k":"remove","u":1,"m":1,"t":0,"x":1}', /keys must be k,m,t,u,v/],
    ['a string user id', '{"v":1,"k":"remove","u":"1","m":1,"t":0}', /userId must be .*got "1"/],
    ['a negative movie id', '{"v":1,"k":"remove","u":1,"m":-3,"t":0}', /movieId must be .*got -3/],
    ['a null rating', '{"v":1,"k":"rate","u":1,"m":1,"r":null,"t":0}', /rating must be .*got null/],
    ['a huge timestamp', '{"v":1,"k":"remove","u":1,"m":1,"t":1e999}', /timestamp .*got Infinity/],
    ['invalid JSON', '{"v":1,"k":"remove",}', /not a JSON object/],
  ])(
    'given a correctly checksummed line with %s, when decoded, then it is rejected saying why',
    (_, payload, problem) => {
      expect(problemOf(signed(payload))).toMatch(problem);
    },
  );
});
