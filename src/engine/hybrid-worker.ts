import { parentPort } from 'node:worker_threads';
import { fitHybridWeights, type HybridFitOptions } from './hybrid.ts';
import type { RatingMatrix } from './matrix.ts';
import type { ModelConfig } from './model.ts';
import type { WeightsMessage } from './weights-off-thread.ts';

/** Fits the hybrid's weights it is sent, saying how far it is on the way (see weights-off-thread.ts). */
parentPort?.once(
  'message',
  (job: {
    matrix: RatingMatrix;
    config: ModelConfig;
    options: HybridFitOptions;
    itemKeys: Int32Array | undefined;
  }) => {
    const say = (m: WeightsMessage) => parentPort?.postMessage(m);
    const weights = fitHybridWeights(
      job.matrix,
      job.config,
      job.options,
      (fraction) => say({ kind: 'progress', fraction }),
      job.itemKeys,
    );
    say({ kind: 'done', weights });
  },
);
