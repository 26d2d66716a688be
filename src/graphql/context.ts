import type { Loaders } from './loaders.ts';

/** Per-request context: DataLoaders are built for each request so no cache outlives it. */
export interface Context {
  /** The request's id: the client's X-Request-Id when it sent a sane one, else a new UUID. */
  readonly requestId: string;
  readonly loaders: Loaders;
  /**
   * Lets the request change `userId`'s ratings, or throws UNAUTHENTICATED, FORBIDDEN or
   * RATE_LIMITED. Each call counts one write against the client's allowance.
   */
  readonly allowWrite: (userId: number) => Promise<void>;
}
