import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { type Logger, pino } from 'pino';
import { afterEach } from 'vitest';
import { MAX_ID, type RatingEvent } from '../../src/store/rating-event.ts';

/**
 * Returns a function that makes a fresh directory under os.tmpdir(); every directory
 * made is removed after each test.
 */
export function useTempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rating-journal-test-'));
    made.push(dir);
    return dir;
  };
}

export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A pino logger whose records (parsed JSON) are kept in `records`. */
export function captureLogger(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => records.push(JSON.parse(line)) },
  );
  return { logger, records };
}

/** pino's numeric level for warn. */
export const WARN = 40;

/**
 * The prototype every `FileHandle` shares, for spying on `write`, `datasync` and
 * `truncate` of the journal's own handle.
 */
export async function fileHandlePrototype(anyFile: string): Promise<FileHandle> {
  const handle = await open(anyFile, 'r');
  await handle.close();
  return Object.getPrototypeOf(handle) as FileHandle;
}

export const rate = (userId: number, movieId: number, rating = 4, timestamp = 1_700_000_000) =>
  ({ kind: 'rate', userId, movieId, rating, timestamp }) as const satisfies RatingEvent;

export const remove = (userId: number, movieId: number, timestamp = 1_700_000_000) =>
  ({ kind: 'remove', userId, movieId, timestamp }) as const satisfies RatingEvent;

const id = fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: MAX_ID }));
// Millisecond-precision seconds, as Date.now() / 1000 gives, plus whole MovieLens seconds.
const timestamp = fc.oneof(
  fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => ms / 1000),
  fc.integer({ min: 0, max: 4_102_444_800 }),
);
// Any finite double except -0 (which JSON, and so the journal, spells 0).
const rating = fc.oneof(
  fc.integer({ min: 1, max: 10 }).map((k) => k / 2),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((r) => !Object.is(r, -0)),
);

export const ratingEventArb: fc.Arbitrary<RatingEvent> = fc.oneof(
  fc.record({
    kind: fc.constant('rate' as const),
    userId: id,
    movieId: id,
    rating,
    timestamp,
  }),
  fc.record({ kind: fc.constant('remove' as const), userId: id, movieId: id, timestamp }),
);
