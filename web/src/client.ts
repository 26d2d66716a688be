import { Client, cacheExchange, fetchExchange, type OperationContext } from 'urql';

/**
 * The urql client for the service on the page's own origin. `token` is read on every
 * request, so a token typed into the page applies from the next write on without a new
 * client (and without losing the cache).
 */
export function createClient(token: () => string): Client {
  return new Client({
    url: '/graphql',
    exchanges: [cacheExchange, fetchExchange],
    // The server's CSRF prevention refuses a GET without a non-simple header; POST with
    // `content-type: application/json` always passes, and mutations must be POSTs anyway.
    preferGetMethod: false,
    fetchOptions: () => {
      const value = token().trim();
      return value === '' ? {} : { headers: { authorization: `Bearer ${value}` } };
    },
  });
}

/**
 * The context of the queries whose answer depends on the user's ratings. A mutation's
 * result names Rating, so urql's document cache refetches these (network-only) after
 * every rating, even when their last answer held no typename to match: a new user's
 * `user` is null and a recommendation list can be empty. A module constant, because
 * urql re-runs a query whose context object changes.
 */
export const RATINGS_CONTEXT: Partial<OperationContext> = { additionalTypenames: ['Rating'] };
