import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMlLatestRatings, readMlLatestRatingsGeneral } from '../../src/data/ml-latest.ts';
import { readPlainRatingsCsv } from '../../src/data/plain-ratings.ts';
import { RATING_SCALES } from '../../src/data/rating-scale.ts';

const HEADER = 'userId,movieId,rating,timestamp';
const scale = RATING_SCALES['ml-latest'];

describe('plain ratings.csv fast path', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plain-ratings-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  const rating = fc.integer({ min: 1, max: 10 }).map((h) => {
    const v = h / 2;
    return fc.constantFrom(String(v), v.toFixed(1));
  });
  const row = fc.tuple(
    fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    rating.chain((r) => r),
    fc.integer({ min: 0, max: 2 ** 40 }),
  );

  it('given random well-formed files (LF or CRLF, blank lines, with or without a final newline), when read, then the fast path gives exactly what the general parser gives', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 40 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        async (rows, eol, finalEol, blank) => {
          const lines = [HEADER, ...rows.map((r) => r.join(','))];
          if (blank) lines.splice(1, 0, '');
          const path = await write(`ok-${n++}.csv`, lines.join(eol) + (finalEol ? eol : ''));
          const fast = await readPlainRatingsCsv(path, HEADER, scale);
          const general = await readMlLatestRatingsGeneral(path, scale);
          expect(fast).not.toBeNull();
          expect(fast).toEqual(general);
        },
      ),
      { numRuns: 100 },
    );
  });

  it.each([
    ['a quoted field', `${HEADER}\n1,"2",4,5\n`],
    ['a rating off the half-star scale', `${HEADER}\n1,2,3.3,5\n`],
    ['a rating above the scale', `${HEADER}\n1,2,5.5,5\n`],
    ['a zero id', `${HEADER}\n0,2,4,5\n`],
    ['an extra column', `${HEADER}\n1,2,4,5,6\n`],
    ['a negative timestamp', `${HEADER}\n1,2,4,-5\n`],
    ['another header', `user,movie,rating,timestamp\n1,2,4,5\n`],
    ['an empty file', ''],
  ])(
    'given %s, when read, then the fast path declines and the general parser decides',
    async (_what, text) => {
      const path = await write(`bad-${text.length}-${Math.random()}.csv`, text);
      expect(await readPlainRatingsCsv(path, HEADER, scale)).toBeNull();
      const general = await readMlLatestRatingsGeneral(path, scale).then(
        (r) => ({ ok: r }),
        (e: Error) => ({ error: e.message }),
      );
      const both = await readMlLatestRatings(path, scale).then(
        (r) => ({ ok: r }),
        (e: Error) => ({ error: e.message }),
      );
      expect(both).toEqual(general);
    },
  );
});
