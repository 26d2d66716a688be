/**
 * Writing or flushing a batch of the rating journal failed, so none of the batch's
 * appends is durable. The batch's bytes were cut off the file again (or will be before
 * the next write), so a later append can still succeed. The underlying error is `cause`.
 */
export class JournalWriteError extends Error {
  readonly code = 'JOURNAL_WRITE_FAILED';

  /**
   * @param file the journal's path
   * @param appends how many `append` calls the failed batch held (all are rejected)
   */
  constructor(
    readonly file: string,
    readonly appends: number,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`rating journal ${file}: could not write a batch of ${appends} append(s): ${reason}`, {
      cause,
    });
    this.name = 'JournalWriteError';
  }
}
