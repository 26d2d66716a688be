/**
 * Failures raised on purpose, whose message is written for the client, each with the
 * code the GraphQL layer puts in `extensions.code`. Anything else thrown is an internal
 * error and is masked.
 */
export type ClientErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'RATING_NOT_SAVED';

export abstract class ClientError extends Error {
  abstract readonly code: ClientErrorCode;
  /** What `extensions` carries besides `code`. */
  get details(): Record<string, unknown> {
    return {};
  }
}

/** An argument is malformed or out of range; the message names it, its value and what is allowed. */
export class BadInputError extends ClientError {
  readonly code = 'BAD_USER_INPUT';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'BadInputError';
  }
  override get details() {
    return { field: this.field };
  }
}

/** The request names something that does not exist (a movie, a rating to remove). */
export class NotFoundError extends ClientError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
  override get details() {
    return { field: this.field };
  }
}

/** A write without a valid token where tokens are required; the message says what is wrong. */
export class UnauthenticatedError extends ClientError {
  readonly code = 'UNAUTHENTICATED';
}

/** A valid token that does not allow this write (rating as someone else). */
export class ForbiddenError extends ClientError {
  readonly code = 'FORBIDDEN';
}

/** Too many writes from one client; `retryAfterSeconds` says when the next one is allowed. */
export class RateLimitedError extends ClientError {
  readonly code = 'RATE_LIMITED';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
  override get details() {
    return { retryAfterSeconds: this.retryAfterSeconds };
  }
}

/** The rating could not be made durable, so it was neither recorded nor applied. */
export class RatingNotSavedError extends ClientError {
  readonly code = 'RATING_NOT_SAVED';
}

export function isClientError(e: unknown): e is ClientError {
  return e instanceof ClientError;
}

/** A value for an error message: quoted, and cut short when long. */
export function quote(raw: unknown, max = 40): string {
  const text = String(raw);
  return text.length <= max
    ? JSON.stringify(text)
    : `${JSON.stringify(text.slice(0, max))}... (${text.length} characters)`;
}
