import { parentPort } from 'node:worker_threads';
import { type FactorJob, type FactorStep, workOnStep } from './factor-pool.ts';
import { solveScratch } from './factors.ts';

/** Solves the half-steps it is told to, on the job it was sent first (see factor-pool.ts). */
let job: FactorJob | null = null;
let scratch: ReturnType<typeof solveScratch> | null = null;
parentPort?.on('message', (m: FactorJob | FactorStep) => {
  if (typeof m !== 'string') {
    job = m;
    scratch = solveScratch(m.factors.k);
    return;
  }
  if (job && scratch) workOnStep(job, m, scratch);
  parentPort?.postMessage('done');
});
