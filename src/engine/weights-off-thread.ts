import type { HybridFitOptions } from './hybrid.ts';
import type { RatingMatrix } from './matrix.ts';
import type { HybridWeights, ModelConfig } from './model.ts';
import { siblingModule, spawnWorker } from './spawn-worker.ts';

export type WeightsMessage =
  | { readonly kind: 'progress'; readonly fraction: number }
  | { readonly kind: 'done'; readonly weights: HybridWeights };

/**
 * fitHybridWeights on a worker thread of its own, so a long fit leaves the event loop
 * free (to log, to answer /readyz, to hear SIGTERM). The matrix is copied to the thread:
 * pass the sample the fit will use, not the whole data set. The same inputs give the same
 * weights as a fit on this thread.
 */
export function fitWeightsOffThread(
  matrix: RatingMatrix,
  config: ModelConfig,
  options: HybridFitOptions,
  onProgress: (fraction: number) => void = () => {},
  /** The movies' stable keys (see ItemKeys in factors.ts). */
  itemKeys?: Int32Array,
): Promise<HybridWeights> {
  const worker = spawnWorker(siblingModule('hybrid-worker', import.meta.url));
  return new Promise<HybridWeights>((resolve, reject) => {
    worker.on('message', (m: WeightsMessage) => {
      if (m.kind === 'progress') onProgress(m.fraction);
      else {
        resolve(m.weights);
        void worker.terminate();
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the weight fit's thread exited (${code})`)));
    worker.postMessage({ matrix, config, options, itemKeys });
  });
}
