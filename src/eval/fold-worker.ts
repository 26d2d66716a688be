import { parentPort, workerData } from 'node:worker_threads';
import type { Scale } from '../engine/scale.ts';
import { type EvalOptions, evaluateFold } from './evaluate.ts';
import type { Fold } from './splits.ts';

/** Evaluates one fold in a worker thread and posts its FoldResult back. */
const { fold, options, scale } = workerData as { fold: Fold; options: EvalOptions; scale: Scale };
parentPort?.postMessage(evaluateFold(fold, options, scale));
