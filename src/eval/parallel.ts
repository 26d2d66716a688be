import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Scale } from '../engine/scale.ts';
import { spawnWorker } from '../engine/spawn-worker.ts';
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

/** A pool of `threads` workers; with one thread it evaluates on the calling thread. */
export function createFoldPool(threads = availableParallelism()): FoldPool {
  const workers =
    threads > 1
      ? Array.from({ length: threads }, () =>
          spawnWorker(new URL(`./fold-worker${extension()}`, import.meta.url)),
        )
      : [];
  return {
    threads: Math.max(1, threads),
    async evaluate(folds, options, scale, onFold = () => {}) {
      const results: FoldResult[] = new Array(folds.length);
      if (workers.length === 0) {
        folds.forEach((fold, f) => {
          results[f] = evaluateFold(fold, options, scale);
          onFold(results[f]);
        });
        return averageResults(options.algorithm, results);
      }
      let next = 0;
      const drain = async (worker: Worker): Promise<void> => {
        while (next < folds.length) {
          const f = next++;
          results[f] = await runOn(worker, folds[f], options, scale);
          onFold(results[f]);
        }
      };
      await Promise.all(workers.map(drain));
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

function extension(): string {
  return import.meta.url.endsWith('.ts') ? '.ts' : '.js';
}
