import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the evaluate CLI from its TypeScript source; never rejects on a non-zero exit. */
function evaluateCli(...args: ReadonlyArray<string>): Promise<Run> {
  // Without MOVIELENS_DIR, ml-latest-small is the copy bundled in data/.
  const { MOVIELENS_DIR: _ignored, ...env } = process.env;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/evaluate.ts', ...args],
      { cwd: root, env, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}

const metricKeys = [
  'rmse',
  'mae',
  'precisionAt10',
  'recallAt10',
  'ndcgAt10',
  'mapAt10',
  'coverage',
  'fitSeconds',
  'predictSeconds',
];

/**
 * Popularity's nDCG@10 on ml-latest-small's temporal:0.2 split, from the documented
 * definitions (docs/evaluation.md) with nothing of the engine: each user with at least 5
 * ratings holds out the latest max(1, floor(0.2 n)) by timestamp then movie id; movies
 * are ranked by training ratings, then by the damped mean (sum + 5 mu) / (n + 5), then
 * by id; each user's list is the first 10 not rated in training; a held-out rating of 4
 * or more is relevant, gains binary, the ideal over min(10, relevant).
 */
async function popularityNdcgReference(): Promise<number> {
  const text = await readFile(join(root, 'data/ml-latest-small/ratings.csv'), 'utf8');
  const byUser = new Map<number, Array<{ movie: number; rating: number; time: number }>>();
  for (const line of text.trim().split('\n').slice(1)) {
    const [user, movie, rating, time] = line.split(',').map(Number);
    const list = byUser.get(user) ?? [];
    list.push({ movie, rating, time });
    byUser.set(user, list);
  }
  const count = new Map<number, number>();
  const sum = new Map<number, number>();
  const seen = new Map<number, Set<number>>();
  const relevant = new Map<number, Set<number>>();
  let total = 0;
  let n = 0;
  for (const [user, list] of byUser) {
    list.sort((a, b) => a.time - b.time || a.movie - b.movie);
    const held = list.length >= 5 ? Math.max(1, Math.floor(0.2 * list.length)) : 0;
    const train = list.slice(0, list.length - held);
    seen.set(user, new Set(train.map((r) => r.movie)));
    for (const r of train) {
      count.set(r.movie, (count.get(r.movie) ?? 0) + 1);
      sum.set(r.movie, (sum.get(r.movie) ?? 0) + r.rating);
      total += r.rating;
      n++;
    }
    const liked = list.slice(list.length - held).filter((r) => r.rating >= 4);
    if (liked.length > 0) relevant.set(user, new Set(liked.map((r) => r.movie)));
  }
  const mu = total / n;
  const damped = (m: number) => ((sum.get(m) ?? 0) + 5 * mu) / ((count.get(m) ?? 0) + 5);
  const order = [...count.keys()].sort(
    (a, b) => (count.get(b) ?? 0) - (count.get(a) ?? 0) || damped(b) - damped(a) || a - b,
  );
  let ndcg = 0;
  for (const [user, liked] of relevant) {
    const top = order.filter((m) => !seen.get(user)?.has(m)).slice(0, 10);
    let dcg = 0;
    top.forEach((m, r) => {
      if (liked.has(m)) dcg += 1 / Math.log2(r + 2);
    });
    let ideal = 0;
    for (let r = 0; r < Math.min(10, liked.size); r++) ideal += 1 / Math.log2(r + 2);
    ndcg += dcg / ideal;
  }
  return ndcg / relevant.size;
}

describe('evaluate CLI', () => {
  it('given --json, when evaluating popularity on a temporal split of ml-latest-small, then stdout is one JSON object and progress goes to stderr', async () => {
    const run = await evaluateCli(
      '--data',
      'ml-latest-small',
      '--split',
      'temporal:0.2',
      '--algorithm',
      'popularity',
      '--json',
    );
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]) as Record<string, unknown>;
    for (const key of metricKeys) {
      expect(typeof result[key], key).toBe('number');
      expect(Number.isFinite(result[key]), key).toBe(true);
    }
    expect(Array.isArray(result.folds)).toBe(true);
    expect((result.folds as Array<{ name: string }>).map((f) => f.name)).toEqual(['temporal-0.2']);
    // against a reference written from the documented definitions alone
    expect(result.ndcgAt10).toBeCloseTo(await popularityNdcgReference(), 12);
    expect(run.stderr).toContain('loaded ml-latest-small');
    expect(run.stderr).toContain('temporal-0.2: RMSE');
  });

  it('given a k-fold split with k = 1, when starting, then exits non-zero naming the split', async () => {
    const run = await evaluateCli('--split', 'kfold:1', '--algorithm', 'popularity', '--json');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('kfold:1');
    expect(run.stderr).toContain('k >= 2');
    expect(run.stdout).toBe('');
  });

  it('given an unknown algorithm, when starting, then exits non-zero naming it and the choices', async () => {
    const run = await evaluateCli('--algorithm', 'no-such-algorithm', '--json');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("'no-such-algorithm' is invalid");
    expect(run.stderr).toContain('popularity, baseline, user-knn, item-knn, mf, hybrid');
    expect(run.stdout).toBe('');
  });

  it('given an unknown data set name, when starting, then exits non-zero saying the data was not found', async () => {
    const run = await evaluateCli('--data', 'no-such-set', '--algorithm', 'popularity', '--json');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/not found: .*no-such-set/);
    expect(run.stdout).toBe('');
  });
});
