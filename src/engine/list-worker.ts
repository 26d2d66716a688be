import { parentPort } from 'node:worker_threads';
import { type ListJob, runShare } from './parallel-lists.ts';

/** Takes its share of each list build it is sent (see parallel-lists.ts) and says when done. */
parentPort?.on('message', (job: ListJob) => {
  parentPort?.postMessage(runShare(job));
});
