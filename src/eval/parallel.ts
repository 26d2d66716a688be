import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Scale } from '../engine/scale.ts';
import {
  averageResults,
  type EvalOptions,
  type EvalResult,
  evaluateFold,
  type FoldResult,
} from './evaluate.ts';
import type { Fold } from './splits.ts';

/**
 * Evaluates folds on up to `threads` worker threads (folds are independent, so this is
 * the cheapest way to use every core). With one thread, or a single fold, it stays on
 * the calling thread. Results come back in fold order.
 */
export async function evaluateParallel(
  folds: ReadonlyArray<Fold>,
  options: EvalOptions,
  scale: Scale,
  onFold: (r: FoldResult) => void = () => {},
  threads = availableParallelism(),
): Promise<EvalResult> {
  const results: FoldResult[] = new Array(folds.length);
  if (threads <= 1 || folds.length <= 1) {
    folds.forEach((fold, f) => {
      results[f] = evaluateFold(fold, options, scale);
      onFold(results[f]);
    });
    return averageResults(options.algorithm, results);
  }
  // One long-lived worker per thread: a fold's JIT warm-up is paid once per thread.
  const workers = Array.from({ length: Math.min(threads, folds.length) }, () =>
    spawnWorker(new URL(`./fold-worker${extension()}`, import.meta.url)),
  );
  let next = 0;
  const drain = async (worker: Worker): Promise<void> => {
    while (next < folds.length) {
      const f = next++;
      results[f] = await runOn(worker, folds[f], options, scale);
      onFold(results[f]);
    }
  };
  try {
    await Promise.all(workers.map(drain));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return averageResults(options.algorithm, results);
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

/**
 * Starts a worker on a module of this project. From TypeScript sources (tsx, vitest) the
 * worker must register tsx's loader before importing the module: loaders given through
 * `execArgv` do not reach worker threads on Node 20.
 */
export function spawnWorker(url: URL, workerData?: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

function extension(): string {
  return import.meta.url.endsWith('.ts') ? '.ts' : '.js';
}
