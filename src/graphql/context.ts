import type { Loaders } from './loaders.ts';

/** Per-request context: DataLoaders are built for each request so no cache outlives it. */
export interface Context {
  readonly loaders: Loaders;
  /**
   * Lets the request change `userId`'s ratings, or throws UNAUTHENTICATED, FORBIDDEN or
   * RATE_LIMITED. Each call counts one write against the client's allowance.
   */
  readonly allowWrite: (userId: number) => Promise<void>;
}
