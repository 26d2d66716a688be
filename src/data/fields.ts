/**
 * Strict parsing of the numeric fields shared by every format. Each parser throws a
 * `DataFormatError` that names the column and quotes the text it found, so the message
 * alone is enough to fix the file.
 */
import { DataFormatError } from './data-format-error.ts';
import { describeScale } from './rating-scale.ts';
import type { RatingScale } from './types.ts';

const INT32_MAX = 2_147_483_647;
/** Plain decimals only: `Number()` alone would also take '', ' 4', '0x10' and '1e1'. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
/** Ratings within this distance of a step count as on it (absorbs decimal-to-binary error). */
const STEP_TOLERANCE = 1e-9;

/**
 * The value of a string of ASCII digits, or -1 if `text` is empty, holds anything else,
 * or is too long to be exact. Hand-rolled because it runs for every field of every rating.
 */
function digitsValue(text: string): number {
  const n = text.length;
  if (n === 0 || n > 15) return -1;
  let value = 0;
  for (let k = 0; k < n; k++) {
    const d = text.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** A MovieLens id: a positive integer that fits the Int32Array columns. */
export function parseId(text: string, column: string, file: string, line: number): number {
  const value = digitsValue(text);
  if (value > 0 && value <= INT32_MAX) return value;
  const problem =
    value > INT32_MAX
      ? `${column} ${text} is larger than ${INT32_MAX}`
      : `${column} ${JSON.stringify(text)} is not a positive integer`;
  throw new DataFormatError(file, line, problem);
}

/** A rating on `scale`, snapped to the exact step value. */
export function parseRating(text: string, scale: RatingScale, file: string, line: number): number {
  if (!DECIMAL.test(text)) {
    throw new DataFormatError(file, line, `rating ${JSON.stringify(text)} is not a number`);
  }
  const value = Number(text);
  if (value < scale.min - STEP_TOLERANCE || value > scale.max + STEP_TOLERANCE) {
    throw new DataFormatError(
      file,
      line,
      `rating ${text} is outside the scale ${describeScale(scale)}`,
    );
  }
  const steps = Math.round((value - scale.min) / scale.step);
  const snapped = scale.min + steps * scale.step;
  if (Math.abs(value - snapped) > STEP_TOLERANCE) {
    throw new DataFormatError(
      file,
      line,
      `rating ${text} is not on a step of the scale ${describeScale(scale)}`,
    );
  }
  return snapped;
}

/** Seconds since the Unix epoch, a non-negative integer. */
export function parseTimestamp(text: string, file: string, line: number): number {
  const value = digitsValue(text);
  if (value >= 0) return value;
  const problem =
    text.startsWith('-') && digitsValue(text.slice(1)) > 0
      ? `timestamp ${text} is negative`
      : `timestamp ${JSON.stringify(text)} is not a whole number of seconds`;
  throw new DataFormatError(file, line, problem);
}

/**
 * Checks the number of fields in a row. `columns` describes the expected layout, e.g.
 * `columns (userId,movieId,rating,timestamp)`, and is quoted in the error.
 */
export function expectColumns(
  fields: ReadonlyArray<string>,
  count: number,
  columns: string,
  file: string,
  line: number,
): void {
  if (fields.length === count) return;
  throw new DataFormatError(file, line, `expected ${count} ${columns}, found ${fields.length}`);
}

/**
 * Rejects a second row for the same movie in a movie list. `firstLine` maps each id seen
 * so far to its line and is updated.
 */
export function rejectRepeatedId(
  firstLine: Map<number, number>,
  id: number,
  file: string,
  line: number,
): void {
  const first = firstLine.get(id);
  if (first !== undefined) {
    throw new DataFormatError(file, line, `movieId ${id} repeats the row on line ${first}`);
  }
  firstLine.set(id, line);
}
