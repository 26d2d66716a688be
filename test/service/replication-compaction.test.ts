/**
 * Replication compacts the rating stream from its timer: every ten seconds, one round at
 * a time, never rejecting, with a minimum age that keeps its own recent entries in the
 * stream for the failover check.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MIN_STREAM_AGE_MS, Replication } from '../../src/service/replication.ts';
import type {
  CompactionOptions,
  CompactionResult,
  RatingStream,
} from '../../src/store/rating-stream.ts';
import { captureLogger, WARN } from '../store/helpers.ts';

/** A stream that records compact() calls and lets the test finish each one. */
function fakeStream(compaction: CompactionOptions) {
  const calls: Array<{ options: CompactionOptions; signal: AbortSignal | undefined }> = [];
  let finish: (result: CompactionResult | Error) => void = () => {};
  const stream = {
    compaction,
    claimEpoch: async () => {},
    publish: async () => [],
    catchUp: async () => {},
    start: () => {},
    stop: async () => {},
    lostData: async () => false,
    idsSince: async () => new Set<string>(),
    compact: (options: CompactionOptions, signal?: AbortSignal) => {
      calls.push({ options, signal });
      return new Promise<CompactionResult>((resolve, reject) => {
        finish = (result) => (result instanceof Error ? reject(result) : resolve(result));
      });
    },
  };
  return {
    stream: stream as unknown as RatingStream,
    calls,
    finish: (result: CompactionResult | Error) => finish(result),
  };
}

const hooks = {
  apply: () => {},
  flushLists: async () => {},
  listsBehind: () => false,
  acknowledgedEvents: async () => [],
};

const done: CompactionResult = { outcome: 'compacted', merged: 3, trimmed: 2 };

describe('compaction by the replication timer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('given a joined replica, when ten seconds pass, then it compacts with the stream options and a minimum age no shorter than the failover check', async () => {
    const fake = fakeStream({ maxEntries: 7, minAgeMs: 0 });
    const replication = new Replication(fake.stream, hooks, null);
    await replication.join([], []);
    await vi.advanceTimersByTimeAsync(9_000);
    expect(fake.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fake.calls.map((c) => c.options)).toEqual([
      { maxEntries: 7, minAgeMs: MIN_STREAM_AGE_MS },
    ]);
    expect(MIN_STREAM_AGE_MS).toBeGreaterThan(30_000);
    fake.finish(done);
    await replication.close();
  });

  it('given a longer minimum age, when compacting, then it is kept', async () => {
    const fake = fakeStream({ maxEntries: 7, minAgeMs: 600_000 });
    const replication = new Replication(fake.stream, hooks, null);
    await replication.join([], []);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.calls[0].options.minAgeMs).toBe(600_000);
    fake.finish(done);
    await replication.close();
  });

  it('given a compaction still running, when the next ten seconds pass, then no second one starts until it ends', async () => {
    const fake = fakeStream({ maxEntries: 7, minAgeMs: 0 });
    const replication = new Replication(fake.stream, hooks, null);
    await replication.join([], []);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(fake.calls).toHaveLength(1);
    fake.finish(done);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.calls).toHaveLength(2);
    fake.finish(done);
    await replication.close();
  });

  it('given compaction fails, when the timer compacts, then it logs, does not reject, and tries again', async () => {
    const fake = fakeStream({ maxEntries: 7, minAgeMs: 0 });
    const { logger, records } = captureLogger();
    const replication = new Replication(fake.stream, hooks, logger);
    await replication.join([], []);
    const round = replication.compact();
    fake.finish(new Error('READONLY You cannot write against a read only replica.'));
    await expect(round).resolves.toBeUndefined();
    expect(
      records.some(
        (r) =>
          r.level === WARN &&
          r.msg === 'rating stream compaction failed' &&
          /READONLY/.test(String(r.err)),
      ),
    ).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.calls).toHaveLength(2);
    fake.finish(done);
    await replication.close();
  });

  it('given a compaction running, when closing, then it is told to stop and awaited', async () => {
    const fake = fakeStream({ maxEntries: 7, minAgeMs: 0 });
    const replication = new Replication(fake.stream, hooks, null);
    await replication.join([], []);
    void replication.compact();
    let closed = false;
    const closing = replication.close().then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.calls[0].signal?.aborted).toBe(true);
    expect(closed).toBe(false);
    fake.finish(done);
    await closing;
    expect(closed).toBe(true);
  });
});
