import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import { syntheticUsers, userActivity } from '../../src/data/synthetic.ts';

const run = promisify(execFile);

describe('synthetic data', () => {
  it('given any feasible size, when users are drawn, then the counts sum to the ratings asked for, each user rates distinct movies on the scale, and the same seed gives the same data', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 5, max: 200 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(1000),
        (users, movies, perUser, seed) => {
          const cap = Math.max(1, Math.floor(movies * 0.4));
          const ratings = users * Math.min(perUser, cap);
          const spec = { ratings, users, movies, seed };
          const counts = userActivity(spec);
          expect(counts.reduce((a, b) => a + b, 0)).toBe(ratings);
          const drawn = [...syntheticUsers(spec)];
          expect(drawn.map((u) => u.userId)).toEqual(
            Array.from({ length: users }, (_, u) => u + 1),
          );
          for (const u of drawn) {
            expect(u.movieIds.length).toBe(counts[u.userId - 1]);
            for (let t = 0; t < u.movieIds.length; t++) {
              if (t > 0) expect(u.movieIds[t]).toBeGreaterThan(u.movieIds[t - 1]);
              expect(u.movieIds[t]).toBeGreaterThanOrEqual(1);
              expect(u.movieIds[t]).toBeLessThanOrEqual(movies);
              expect(u.ratings[t] * 2).toBe(Math.round(u.ratings[t] * 2));
              expect(u.ratings[t]).toBeGreaterThanOrEqual(0.5);
              expect(u.ratings[t]).toBeLessThanOrEqual(5);
            }
          }
          const again = [...syntheticUsers(spec)];
          expect(again.map((u) => Array.from(u.ratings))).toEqual(
            drawn.map((u) => Array.from(u.ratings)),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('given 50,000 ratings of 1,000 users, when drawn, then activity is heavy-tailed: every user has at least 20 and the most active far more than the median', () => {
    const counts = Array.from(
      userActivity({ ratings: 50_000, users: 1000, movies: 2000, seed: 3 }),
    ).sort((a, b) => a - b);
    expect(counts[0]).toBeGreaterThanOrEqual(20);
    expect(counts[counts.length - 1]).toBeGreaterThan(5 * counts[500]);
  });

  it('given the gen command, when it writes a set, then the loader reads it with every rating, and impossible sizes are refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gen-'));
    try {
      await run(process.execPath, [
        '--import',
        'tsx',
        'src/cli/gen.ts',
        '--out',
        dir,
        '--ratings',
        '5000',
        '--users',
        '100',
        '--movies',
        '300',
      ]);
      const data = await loadDataset(dir);
      expect(data.ratings.length).toBe(5000);
      expect(data.movies.size).toBe(300);
      const failed = await run(process.execPath, [
        '--import',
        'tsx',
        'src/cli/gen.ts',
        '--out',
        dir,
        '--ratings',
        '50',
        '--users',
        '100',
      ]).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      expect(failed?.code).not.toBe(0);
      expect(failed?.stderr).toContain('--ratings (50) must be at least --users (100)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
