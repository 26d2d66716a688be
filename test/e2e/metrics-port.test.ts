/**
 * /metrics on a port of its own (METRICS_PORT): the real entry point serves it there and
 * nowhere else, so the main port, which may be public, no longer shows it.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_DIR,
  killStartedChildren,
  type ReadyChild,
  START_TIMEOUT_MS,
  startChild,
  tempDir,
} from './helpers.ts';

describe('serve.ts with METRICS_PORT', () => {
  let child: ReadyChild;
  let dataDir: string;
  let metricsUrl: string;

  beforeAll(async () => {
    dataDir = await tempDir();
    // 0: a free port, which the log line names
    child = await startChild({ DATASET: FIXTURE_DIR, DATA_DIR: dataDir, METRICS_PORT: '0' });
    const line = await child.waitForLog((r) => r.msg.startsWith('metrics on '));
    metricsUrl = String(line.metricsUrl);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await killStartedChildren();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('given METRICS_PORT and no METRICS_HOST, when starting, then /metrics listens on 127.0.0.1 on a port apart from the main one', () => {
    const metrics = new URL(metricsUrl);
    expect(metrics.hostname).toBe('127.0.0.1');
    expect(metrics.pathname).toBe('/metrics');
    expect(metrics.port).not.toBe(new URL(child.origin).port);
  });

  it('given METRICS_PORT, when scraping the metrics port, then it answers in the Prometheus format', async () => {
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toContain('# TYPE movie_recs_graphql_errors_total counter');
  });

  it('given METRICS_PORT, when asking the main port for /metrics, then 404', async () => {
    const res = await fetch(`${child.origin}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('movie_recs_');
  });

  it('given METRICS_PORT, when asking the metrics port for anything but /metrics, then 404', async () => {
    const origin = new URL(metricsUrl).origin;
    for (const path of ['/graphql', '/healthz', '/']) {
      expect((await fetch(`${origin}${path}`)).status, path).toBe(404);
    }
  });

  it('given both ports open, when SIGTERM arrives, then the process closes both and exits 0', async () => {
    child.process.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(metricsUrl)).rejects.toThrow();
  });
});
