import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
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
 * graphql-js's own messages when it coerces an argument at execution, after validation
 * passed: an explicit null sent for a variable that has a default and stands where a
 * value is required (`query ($id: ID = "1") { movie(id: $id) }` with `{"id": null}`, or
 * `@skip(if: $v)`). The client's mistake, but graphql-js gives it no code.
 */
const ARGUMENT_COERCION =
  /^Argument "[^"]+" (of non-null type "[^"]+" must not be null|of required type "[^"]+" was provided the variable|has invalid value)/;

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
  if (isArgumentCoercion(error)) {
    return { ...formatted, extensions: { code: 'BAD_USER_INPUT' } };
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

/**
 * Whether graphql-js itself raised this error coercing an argument: its own GraphQLError,
 * not one a resolver threw (a field's argument error comes wrapped once more, with the
 * field's path).
 */
function isArgumentCoercion(error: unknown): boolean {
  if (!isGraphQLError(error)) return false;
  const inner = isGraphQLError(error.originalError) ? error.originalError : error;
  return inner.originalError === undefined && ARGUMENT_COERCION.test(inner.message);
}

/**
 * By name, not instanceof: graphql can be loaded twice (its ESM and CommonJS builds, as
 * under a test runner), and the errors of one are not instances of the other's class.
 */
function isGraphQLError(e: unknown): e is GraphQLError {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'GraphQLError';
}
