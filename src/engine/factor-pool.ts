import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import {
  everyUser,
  type FactorOptions,
  type Factors,
  type ItemKeys,
  initialFactors,
  solveRows,
  solveScratch,
} from './factors.ts';
import type { Csr, RatingMatrix } from './matrix.ts';
import { float32Array } from './memory.ts';
import { sampleUsers } from './sample-users.ts';
import { siblingModule, spawnWorker } from './spawn-worker.ts';

/**
 * fitFactors on worker threads (the same sample, the same steps): the factors live in
 * SharedArrayBuffers, and each
 * half-step's rows are claimed by the threads in small runs from a shared counter, the
 * calling thread staying free (a service answers /readyz while it starts). Rows are
 * solved independently from the other side's factors, so the result is the same numbers
 * as fitFactors on one thread, whatever the split.
 */
export interface FactorJob {
  readonly byUser: Csr;
  readonly byItem: Csr;
  readonly factors: Factors;
  /** next[0]: the first row of the running half-step no thread has claimed. */
  readonly next: Int32Array;
}

export type FactorStep = 'user' | 'item';

/** Rows claimed at a time. */
export const FACTOR_CHUNK = 32;

export async function fitFactorsOnThreads(
  m: RatingMatrix,
  options: FactorOptions,
  threads = availableParallelism(),
  onProgress: (fraction: number) => void = () => {},
  itemKeys?: ItemKeys,
): Promise<Factors> {
  const memory = (n: number) => float32Array(n, 'shared');
  const sample = sampleUsers(m, options.maxRatings, options.seed);
  const fitted = initialFactors(sample, options, memory, itemKeys);
  const next = new Int32Array(new SharedArrayBuffer(4));
  const workers: Worker[] = Array.from({ length: Math.max(1, threads) }, () =>
    spawnWorker(siblingModule('factor-worker', import.meta.url)),
  );
  const jobOf = (rows: RatingMatrix, factors: Factors): FactorJob => ({
    byUser: rows.byUser,
    byItem: rows.byItem,
    factors,
    next,
  });
  try {
    const step = (side: FactorStep) => {
      Atomics.store(next, 0, 0);
      return Promise.all(workers.map((w) => stepOn(w, side)));
    };
    for (const w of workers) w.postMessage(jobOf(sample, fitted));
    for (let it = 0; it < options.iterations; it++) {
      await step('user');
      await step('item');
      onProgress((it + 1) / (options.iterations + 0.5));
    }
    // every user, solved against the movies' side (the sample's users included)
    const factors = everyUser(m, fitted, memory);
    for (const w of workers) w.postMessage(jobOf(m, factors));
    await step('user');
    onProgress(1);
    return factors;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Runs one half-step on a worker; resolves when it has no rows left to claim. */
function stepOn(worker: Worker, side: FactorStep): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: unknown) => {
      worker.off('message', done);
      reject(e instanceof Error ? e : new Error(`the factor thread exited (${e})`));
    };
    const done = () => {
      worker.off('error', fail);
      worker.off('exit', fail);
      resolve();
    };
    worker.once('message', done);
    worker.once('error', fail);
    worker.once('exit', fail);
    worker.postMessage(side);
  });
}

/** What a worker does for one half-step (factor-worker.ts): claim runs of rows until none are left. */
export function workOnStep(
  job: FactorJob,
  side: FactorStep,
  scratch = solveScratch(job.factors.k),
): void {
  const rows = side === 'user' ? job.byUser : job.byItem;
  for (;;) {
    const from = Atomics.add(job.next, 0, FACTOR_CHUNK);
    if (from >= rows.rows) return;
    solveRows(rows, job.factors, side, from, Math.min(rows.rows, from + FACTOR_CHUNK), scratch);
  }
}
