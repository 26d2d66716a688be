import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { LIMIT_CODE } from './limits.ts';

/**
 * HTTP 200 for a request error sent as the legacy `application/json`, as GraphQL over
 * HTTP asks: with that media type "the server SHOULD use the 200 status code for every
 * response to a well-formed GraphQL-over-HTTP request, independent of any GraphQL request
 * error", because a client from before `application/graphql-response+json` may not read
 * the body of a 4xx. Apollo Server answers 400 when the document does not parse, does not
 * validate, or its variables do not coerce; this plugin makes those 200 when the request's
 * Accept names `application/json` and not `application/graphql-response+json` (graphql-
 * http's audits 572B, FDE2 and 7B9B).
 *
 * Everything else keeps its status: a client of the newer media type gets the 400 the
 * specification asks for it; a request with no Accept or only `*\/*` (curl, fetch's
 * default) has not said it is a legacy client, and keeps the 400 that proxies and logs
 * read as a failure; and a query limit (`QUERY_LIMIT_EXCEEDED`) stays 400 like the length
 * and body limits answered before GraphQL, since it is the service refusing the work, not
 * a mistake in the document.
 */
export function legacyJsonStatusPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ request }) {
      const accept = request.http?.headers.get('accept');
      if (
        !names(accept, 'application/json') ||
        names(accept, 'application/graphql-response+json')
      ) {
        return;
      }
      let failedBeforeExecution = false;
      let executed = false;
      return {
        async parsingDidStart() {
          return async (error) => {
            if (error) failedBeforeExecution = true;
          };
        },
        async validationDidStart() {
          return async (errors) => {
            if (errors?.length && !errors.some(isLimitError)) failedBeforeExecution = true;
          };
        },
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse({ response }) {
          if (response.http.status !== 400 || response.body.kind !== 'single') return;
          const { data, errors = [] } = response.body.singleResult;
          // execution that returns no data at all (not even null) stopped at coercing the
          // variables: Apollo codes those BAD_USER_INPUT (an unknown operation name, the
          // other early stop, is OPERATION_RESOLUTION_FAILURE and stays 400)
          const variablesFailed =
            executed &&
            data === undefined &&
            errors.length > 0 &&
            errors.every((e) => e.extensions?.code === 'BAD_USER_INPUT');
          if (failedBeforeExecution || variablesFailed) response.http.status = 200;
        },
      };
    },
  };
}

/** Whether an Accept header lists this media type with a weight above 0. */
function names(accept: string | undefined, mediaType: string): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((p) => p.trim().toLowerCase());
    const q = parameters.find((p) => p.startsWith('q='));
    return type === mediaType && (q === undefined || Number(q.slice(2)) > 0);
  });
}

function isLimitError(error: Error): boolean {
  return (error as Partial<GraphQLError>).extensions?.code === LIMIT_CODE;
}
