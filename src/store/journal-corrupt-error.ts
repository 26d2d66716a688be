/**
 * The rating journal holds an unreadable line that is not its last line. A torn last
 * line is the expected trace of a crash during an append and is cut off at open; a bad
 * line with more lines after it means data that was acknowledged as durable has been
 * damaged, so the service refuses to start rather than silently drop ratings.
 */
export class JournalCorruptError extends Error {
  readonly code = 'JOURNAL_CORRUPT';

  /**
   * @param file the journal's path
   * @param line 1-based line number of the first bad line
   * @param byteOffset where that line starts; every line before it is intact
   * @param problem what was expected and what was found
   */
  constructor(
    readonly file: string,
    readonly line: number,
    readonly byteOffset: number,
    readonly problem: string,
  ) {
    super(
      `${file}:${line}: corrupt rating journal (${problem}); lines after it exist, so this ` +
        `is not a torn append. Restore the file from a backup, or keep only its first ` +
        `${byteOffset} bytes (lines 1-${line - 1}) to drop everything from this line on`,
    );
    this.name = 'JournalCorruptError';
  }
}
