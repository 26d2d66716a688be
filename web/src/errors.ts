import type { CombinedError } from 'urql';

/**
 * What to show for a failed operation: each GraphQL error's `extensions.code` with its
 * message (the server's messages name the field, the value and what is allowed, and
 * RATE_LIMITED carries how long to wait), or the network failure.
 */
export function describeError(error: CombinedError): string {
  if (error.graphQLErrors.length > 0) {
    return error.graphQLErrors
      .map((e) => {
        const code = typeof e.extensions?.code === 'string' ? e.extensions.code : null;
        const retry = e.extensions?.retryAfterSeconds;
        const wait = typeof retry === 'number' ? ` (retry in ${retry} s)` : '';
        return `${code ? `${code}: ` : ''}${e.message}${wait}`;
      })
      .join('; ');
  }
  return `The service did not answer: ${error.networkError?.message ?? error.message}`;
}
