/**
 * A rating event that cannot be written to the journal: an id that is not a positive
 * 32-bit integer, a rating or timestamp that is not a finite number, and so on. The
 * GraphQL layer validates arguments first, so reaching this is a programming error; the
 * journal checks anyway, because a line it wrote but cannot read back would stop the
 * next start.
 */
export class InvalidRatingEventError extends Error {
  readonly code = 'INVALID_RATING_EVENT';

  /** @param problem what was expected and what arrived */
  constructor(readonly problem: string) {
    super(`invalid rating event: ${problem}`);
    this.name = 'InvalidRatingEventError';
  }
}
