/**
 * A short run of the fault-schedule harness (bench/chaos): three seeded schedules against
 * real redis-server and service processes, one of them on a Redis Cluster. Needs
 * `redis-server` and `redis-cli` on the PATH.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { failureReport, runChaos } from '../../bench/chaos/run.ts';

/**
 * Seeds 22..24 give a cluster schedule (a pause, a clock step back, a master killed) and
 * two single-server ones (pauses and a replica killed; a pause and Redis rolled back to
 * older data): the faults behind the lagging-replica and stale-list bugs.
 */
const SEED = 22;

function requireRedisTools(): void {
  for (const tool of ['redis-server', 'redis-cli']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} is not on the PATH; install Redis (apt-get install redis-server)`);
    }
  }
}

describe('the fault-schedule harness', () => {
  it('given three seeded fault schedules, when the load stops and the replicas settle, then no acknowledged rating is lost and every replica and Redis hold the lists of a rebuild', async () => {
    requireRedisTools();
    const summary = await runChaos({
      schedules: 3,
      seed: SEED,
      loadSeconds: 4,
      settleSeconds: 15,
    });
    // on failure, the message says which schedule, what differed and where the logs are
    const report = summary.results.flatMap((r) => (r.failed ? failureReport(r) : [])).join('\n');
    expect(
      summary.results.map((r) => r.error),
      report,
    ).toEqual([null, null, null]);
    expect(summary.faults).toBeGreaterThan(0);
    expect(summary.acknowledged).toBeGreaterThan(0);
    expect(summary.listsCompared).toBeGreaterThan(0);
    expect(summary.lost, report).toBe(0);
    expect(summary.stateMismatches, report).toBe(0);
    expect(summary.mismatches, report).toBe(0);
  }, 120_000);
});
