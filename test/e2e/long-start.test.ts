/**
 * A long start talks: while the model is built, the log says every few seconds which
 * phase it is in and how far, /readyz answers 503 with the same, and SIGTERM stops the
 * start at once instead of after the fit.
 */

import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killStartedChildren, PROJECT_ROOT, spawnServe, tempDir } from './helpers.ts';

const run = promisify(execFile);
let dir = '';

beforeAll(async () => {
  dir = await tempDir('movie-recs-long-start-');
  // a generated set whose start takes some seconds: the fit of the weights included
  await run(
    process.execPath,
    ['--import', 'tsx', 'src/cli/gen.ts', '--out', join(dir, 'data'), '--ratings', '1500000'],
    { cwd: PROJECT_ROOT },
  );
}, 120_000);

afterAll(async () => {
  await killStartedChildren();
  await rm(dir, { recursive: true, force: true });
});

describe('a long start', () => {
  it('given a large data set, when the service starts, then the log and /readyz give the phase and progress, and SIGTERM stops it at once with exit code 0', async () => {
    const child = spawnServe({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATASET: join(dir, 'data'),
      DATA_DIR: join(dir, 'state'),
    });
    const listening = await child.waitForLog((r) => r.msg.startsWith('listening on '));
    const origin = new URL(String(listening.url)).origin;
    // a progress line past the loading of the file: the model's build holds no turn long
    const line = await child.waitForLog(
      (r) => r.msg.startsWith('starting: ') && !r.msg.startsWith('starting: loading data'),
      90_000,
    );
    const logged = line.start as { phases: Array<{ phase: string; progress: number | null }> };
    expect(logged.phases.length).toBeGreaterThan(0);
    expect(['indexing ratings', 'similarities', 'movie lists', 'user lists', 'weights']).toContain(
      logged.phases[0].phase,
    );

    const res = await fetch(`${origin}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as {
      status: string;
      elapsedSeconds: number;
      phases: Array<{ phase: string; progress: number | null; etaSeconds: number | null }>;
    };
    expect(body.status).toBe('loading');
    expect(body.elapsedSeconds).toBeGreaterThan(0);
    expect(body.phases.length).toBeGreaterThan(0);
    for (const p of body.phases) {
      expect(typeof p.phase).toBe('string');
      if (p.progress !== null) {
        expect(p.progress).toBeGreaterThanOrEqual(0);
        expect(p.progress).toBeLessThanOrEqual(1);
      }
    }
    expect(child.logs.some((r) => r.msg.startsWith('ready in '))).toBe(false);

    const sent = performance.now();
    child.process.kill('SIGTERM');
    const exit = await child.exited;
    const seconds = (performance.now() - sent) / 1000;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(seconds).toBeLessThan(5);
    expect(child.logs.some((r) => r.msg.startsWith('ready in '))).toBe(false);
  }, 180_000);
});
