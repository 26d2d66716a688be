import type { Loaders } from './loaders.ts';

/** Per-request context: DataLoaders are built for each request so no cache outlives it. */
export interface Context {
  readonly loaders: Loaders;
}
