/** `append` was called on a rating journal after `close()`. */
export class JournalClosedError extends Error {
  readonly code = 'JOURNAL_CLOSED';

  constructor(readonly file: string) {
    super(`rating journal ${file} is closed: append was called after close()`);
    this.name = 'JournalClosedError';
  }
}
