import { execFile } from 'node:child_process';
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
    // popularity's nDCG@10 on this split is about 0.074
    expect(result.ndcgAt10).toBeGreaterThan(0.07);
    expect(result.ndcgAt10).toBeLessThan(0.08);
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
