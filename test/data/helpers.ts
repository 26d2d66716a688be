import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { RatingColumns } from '../../src/data/types.ts';

/** The hand-written data sets in test/fixtures. */
export const fixture = (name: 'ml-latest-tiny' | 'ml-100k-tiny' | 'ml-1m-tiny'): string =>
  fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/**
 * Returns a function that makes a fresh temporary directory, optionally seeded with a
 * fixture, with `files` written over it. The directories are removed after each test.
 */
export function useTempDatasets(): (
  seed: string | null,
  files: Readonly<Record<string, string | Buffer>>,
) => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (seed, files) => {
    const dir = await mkdtemp(join(tmpdir(), 'movielens-test-'));
    made.push(dir);
    if (seed !== null) await cp(seed, dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    return dir;
  };
}

/** Lines joined with CRLF and a final CRLF, as GroupLens writes its CSV files. */
export const crlf = (...lines: ReadonlyArray<string>): string => `${lines.join('\r\n')}\r\n`;

/** Ratings as plain tuples, for readable equality checks on small inputs. */
export function rows(ratings: RatingColumns): Array<[number, number, number, number]> {
  const out: Array<[number, number, number, number]> = [];
  for (let k = 0; k < ratings.length; k++) {
    out.push([ratings.userIds[k], ratings.movieIds[k], ratings.values[k], ratings.timestamps[k]]);
  }
  return out;
}
