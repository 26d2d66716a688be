/**
 * The process around the server (serve.ts in a child): a bad environment stops it before
 * it starts, and SIGTERM lets the request in flight finish before exiting 0.
 */

import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  childrenForFile,
  FIXTURE_DIR,
  START_TIMEOUT_MS,
  spawnServe,
  startChild,
  tempDir,
} from './helpers.ts';

const dirs = childrenForFile();

describe('configuration from the environment', () => {
  it.each([
    ['PORT', 'abc'],
    ['NODE_ENV', 'prod'],
    ['HYBRID_WEIGHTS', '1,2'],
    ['JOURNAL_FSYNC', 'maybe'],
  ])(
    'given %s=%s, when starting, then the process exits non-zero naming the variable and its value',
    async (name, value) => {
      const dir = await tempDir();
      dirs.push(dir);
      const child = spawnServe({ PORT: '0', DATASET: FIXTURE_DIR, DATA_DIR: dir, [name]: value });
      const exit = await child.exited;
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(child.stderr()).toContain(`${name}=${JSON.stringify(value)}`);
      // it stopped before listening
      expect(child.logs.filter((r) => r.msg.startsWith('listening'))).toEqual([]);
    },
  );
});

describe('SIGTERM', () => {
  it(
    'given a query still arriving, when SIGTERM is sent, then the query is answered in full and the process exits 0',
    async () => {
      const dir = await tempDir();
      dirs.push(dir);
      const child = await startChild({ DATASET: FIXTURE_DIR, DATA_DIR: dir });
      const body = Buffer.from(
        JSON.stringify({
          query:
            '{ recommendations(userId: 1, first: 20) { movie { title similar(first: 5) { movie { title } } } } }',
        }),
      );
      const req = request(child.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      });
      const answered = new Promise<{ status: number; text: string; at: number }>(
        (resolve, reject) => {
          req.on('response', (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              text += chunk;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text, at: Date.now() }));
            res.on('error', reject);
          });
          req.on('error', reject);
        },
      );
      // Headers and the first bytes now; the rest only once the server is stopping.
      req.write(body.subarray(0, 20));
      await new Promise((resolve) => setTimeout(resolve, 500));

      child.process.kill('SIGTERM');
      await child.waitForLog((r) => r.msg.startsWith('stopping'), 10_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stillRunning = child.process.exitCode === null;
      req.end(body.subarray(20));

      const response = await answered;
      const exit = await child.exited;
      expect(stillRunning).toBe(true);
      expect(response.status).toBe(200);
      const json = JSON.parse(response.text) as {
        data: { recommendations: Array<{ movie: { similar: unknown[] } }> };
        errors?: unknown;
      };
      expect(json.errors).toBeUndefined();
      expect(json.data.recommendations).toHaveLength(20);
      expect(json.data.recommendations.every((r) => r.movie.similar.length === 5)).toBe(true);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(child.logs.some((r) => r.msg === 'stopped')).toBe(true);
    },
    START_TIMEOUT_MS,
  );
});
