/**
 * A data file that does not match its documented MovieLens format. Loading stops at the
 * first such problem rather than skipping the line: a silently shortened data set would
 * shift every evaluation number without anyone noticing.
 */
export class DataFormatError extends Error {
  readonly code = 'DATA_FORMAT';

  /**
   * @param file the path of the offending file, as it was opened
   * @param line 1-based physical line number (a header is line 1)
   * @param problem what was expected and what was found, without the location
   */
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'DataFormatError';
  }
}
