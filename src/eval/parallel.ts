import { availableParallelism } from 'node:os';
import { setImmediate } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import type { Scale } from '../engine/scale.ts';
import { siblingModule, spawnWorker } from '../engine/spawn-worker.ts';
import {
  averageResults,
  type EvalOptions,
  type EvalResult,
  evaluateFold,
  type FoldResult,
} from './evaluate.ts';
import type { Fold } from './splits.ts';

/**
 * Worker threads that evaluate folds (folds are independent, so this is the cheapest way
 * to use every core). Each worker lives for the whole run, so its module loading and JIT
 * warm-up are paid once per thread; create the pool before reading the data and the
 * workers start while the main thread parses.
 *
 * Folds wait in one queue and go to whichever worker is free, so several `evaluate`
 * calls may run at once (a report's many one-fold runs keep every thread busy).
 */
export interface FoldPool {
  readonly threads: number;
  /** Evaluates the folds (at most `threads` at once); results come back in fold order. */
  evaluate(
    folds: ReadonlyArray<Fold>,
    options: EvalOptions,
    scale: Scale,
    onFold?: (r: FoldResult) => void,
  ): Promise<EvalResult>;
  close(): Promise<void>;
}

interface Job {
  readonly fold: Fold;
  readonly options: EvalOptions;
  readonly scale: Scale;
  readonly resolve: (r: FoldResult) => void;
  readonly reject: (err: Error) => void;
}

/** A pool of `threads` workers; with one thread it evaluates on the calling thread. */
export function createFoldPool(threads = availableParallelism()): FoldPool {
  const workers =
    threads > 1
      ? Array.from({ length: threads }, () =>
          spawnWorker(siblingModule('fold-worker', import.meta.url)),
        )
      : [];
  const idle = [...workers];
  let alive = workers.length;
  // why the last worker died: folds queued after that would otherwise wait forever
  let lastFailure: Error | null = null;
  const queue: Job[] = [];
  const dispatch = (): void => {
    if (alive === 0 && lastFailure) {
      for (const job of queue.splice(0)) {
        job.reject(new Error(`fold ${job.fold.name}: no worker left (${lastFailure.message})`));
      }
      return;
    }
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.pop() as Worker;
      const job = queue.shift() as Job;
      runOn(worker, job.fold, job.options, job.scale).then(
        (r) => {
          idle.push(worker);
          job.resolve(r);
          dispatch();
        },
        (err: Error) => {
          // a worker that threw has exited: it takes no more folds
          alive--;
          lastFailure = err;
          job.reject(err);
          dispatch();
        },
      );
    }
  };
  const submit = (fold: Fold, options: EvalOptions, scale: Scale): Promise<FoldResult> =>
    new Promise((resolve, reject) => {
      queue.push({ fold, options, scale, resolve, reject });
      dispatch();
    });
  return {
    threads: Math.max(1, threads),
    async evaluate(folds, options, scale, onFold = () => {}) {
      const results: FoldResult[] = new Array(folds.length);
      if (workers.length === 0) {
        for (let f = 0; f < folds.length; f++) {
          // yield before each fold, so progress written in onFold reaches the terminal and
          // evaluate calls made at once take turns instead of queueing whole runs
          await setImmediate();
          results[f] = evaluateFold(folds[f], options, scale);
          onFold(results[f]);
        }
        return averageResults(options.algorithm, results);
      }
      await Promise.all(
        folds.map(async (fold, f) => {
          results[f] = await submit(fold, options, scale);
          onFold(results[f]);
        }),
      );
      return averageResults(options.algorithm, results);
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Evaluates folds on a pool made for the occasion (see FoldPool). */
export async function evaluateParallel(
  folds: ReadonlyArray<Fold>,
  options: EvalOptions,
  scale: Scale,
  onFold: (r: FoldResult) => void = () => {},
  threads = availableParallelism(),
): Promise<EvalResult> {
  const pool = createFoldPool(Math.min(threads, folds.length));
  try {
    return await pool.evaluate(folds, options, scale, onFold);
  } finally {
    await pool.close();
  }
}

function runOn(
  worker: Worker,
  fold: Fold,
  options: EvalOptions,
  scale: Scale,
): Promise<FoldResult> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      worker.off('message', onMessage);
      reject(new Error(`fold ${fold.name}: ${err.message}`));
    };
    const onMessage = (r: FoldResult) => {
      worker.off('error', onError);
      resolve(r);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage({ fold, options, scale });
  });
}
