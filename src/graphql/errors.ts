import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { isClientError } from '../service/errors.ts';
import { LIMIT_CODE } from './limits.ts';

/** Codes Apollo itself raises that say something useful to the client. */
const passThrough = new Set<string>([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  LIMIT_CODE,
]);

/**
 * Apollo's formatError: errors the service raised on purpose keep their code and message;
 * anything else is an internal error whose details stay in the server's log.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  onInternal: (error: unknown) => void,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isClientError(original)) {
    return {
      ...formatted,
      message: original.message,
      extensions: { code: original.code, ...original.details },
    };
  }
  const code = formatted.extensions?.code;
  // Apollo re-codes every validation error; a limit's rule set its own code and names it
  if (code === 'GRAPHQL_VALIDATION_FAILED' && typeof formatted.extensions?.limit === 'string') {
    const { http: _http, ...extensions } = formatted.extensions;
    return { ...formatted, extensions: { ...extensions, code: LIMIT_CODE } };
  }
  if (typeof code === 'string' && passThrough.has(code)) return formatted;
  onInternal(original);
  return {
    message: 'Internal server error',
    ...(formatted.path ? { path: formatted.path } : {}),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
