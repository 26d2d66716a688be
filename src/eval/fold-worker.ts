import { parentPort } from 'node:worker_threads';
import type { Scale } from '../engine/scale.ts';
import { type EvalOptions, evaluateFold } from './evaluate.ts';
import type { Fold } from './splits.ts';

/** Evaluates the folds it is sent, one at a time, and posts each FoldResult back. */
parentPort?.on('message', (job: { fold: Fold; options: EvalOptions; scale: Scale }) => {
  parentPort?.postMessage(evaluateFold(job.fold, job.options, job.scale));
});
