/**
 * The command-line tool: `--help` on every command, `stats` on a data set and journal,
 * `build` filling Redis so the next service starts warm, and `gen` reporting progress as
 * plain lines when its output is not a terminal.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FIXED_WEIGHTS_ENV,
  FIXTURE_DIR,
  killStartedChildren,
  PROJECT_ROOT,
  startChild,
  tempDir,
} from '../e2e/helpers.ts';
import { redisUrl, type TestRedis, testRedis } from '../support/redis.ts';
import { cli } from './helpers.ts';

const dirs: string[] = [];
afterAll(async () => {
  await killStartedChildren();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('--help', () => {
  it.each([
    ['serve', 'Start the GraphQL service'],
    ['stats', '--data-dir <dir>'],
    ['build', '--redis <url>'],
    ['eval', '--algorithm <name>'],
    ['gen', '--ratings <n>'],
    ['token', '--sub <userId>'],
  ])(
    'given `%s --help`, when run, then it exits 0 and describes its options',
    async (command, text) => {
      const { stdout } = await cli(command, '--help');
      expect(stdout).toContain(`Usage: movie-recs ${command}`);
      expect(stdout).toContain(text);
    },
  );

  it('given an unknown command, when run, then it fails naming it', async () => {
    await expect(cli('rebuild')).rejects.toMatchObject({
      stderr: expect.stringContaining("unknown command 'rebuild'"),
    });
  });
});

describe('stats', () => {
  it('given the e2e fixture, when asked for JSON, then the counts, density and histogram are those of the files', async () => {
    const { stdout } = await cli(
      'stats',
      '--data',
      FIXTURE_DIR,
      '--data-dir',
      join(PROJECT_ROOT, 'no-such-dir'),
      '--json',
    );
    const stats = JSON.parse(stdout);
    const csv = (await readFile(join(FIXTURE_DIR, 'ratings.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1);
    expect(stats.ratings).toBe(csv.length);
    expect(stats.users).toBe(new Set(csv.map((l) => l.split(',')[0])).size);
    expect(stats.histogram.reduce((n: number, h: { count: number }) => n + h.count, 0)).toBe(
      csv.length,
    );
    expect(stats.journalEvents).toBeNull();
    expect(stats.density).toBeCloseTo(stats.ratings / (stats.users * stats.moviesRated), 10);
  });
});

describe('build', () => {
  let shared: TestRedis;
  afterAll(async () => {
    await shared?.cleanup();
  });

  it('given an empty prefix, when build runs, then it writes the lists with progress lines, and a service on the same inputs starts warm', async () => {
    shared = await testRedis();
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const args = [
      '--data',
      FIXTURE_DIR,
      '--data-dir',
      dataDir,
      '--redis',
      redisUrl(),
      '--prefix',
      shared.prefix,
      '--weights',
      FIXED_WEIGHTS_ENV,
    ];
    const first = await cli('build', ...args);
    expect(first.stderr).toMatch(/writing lists: 100% \(\d+\/\d+\)/);
    expect(first.stderr).toContain(`wrote every neighbour list under ${shared.prefix}`);
    const again = await cli('build', ...args);
    expect(again.stderr).toContain('nothing to write');
    const server = await startChild({
      DATASET: FIXTURE_DIR,
      DATA_DIR: dataDir,
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: shared.prefix,
    });
    expect(server.logs.some((r) => r.msg.startsWith('warm start'))).toBe(true);
  });
});

describe('gen', () => {
  it('given output to a pipe, when generating, then progress comes as plain lines and the files are written', async () => {
    const out = await tempDir();
    dirs.push(out);
    const { stderr } = await cli(
      'gen',
      '--out',
      out,
      '--ratings',
      '5000',
      '--users',
      '100',
      '--movies',
      '200',
    );
    expect(stderr).toContain('ratings: 100% (5,000/5,000)');
    expect(stderr).not.toContain('\u001b[');
    const lines = (await readFile(join(out, 'ratings.csv'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(5001);
  });
});
