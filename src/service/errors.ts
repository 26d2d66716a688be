/**
 * Failures a client can cause, each with the code the GraphQL layer puts in
 * `extensions.code`. Anything else thrown is an internal error and is masked.
 */
export type ClientErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND';

/** An argument is malformed or out of range; the message names it, its value and what is allowed. */
export class BadInputError extends Error {
  readonly code = 'BAD_USER_INPUT';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'BadInputError';
  }
}

/** The request names something that does not exist (a movie, a rating to remove). */
export class NotFoundError extends Error {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export function isClientError(e: unknown): e is BadInputError | NotFoundError {
  return e instanceof BadInputError || e instanceof NotFoundError;
}
