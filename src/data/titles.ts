/**
 * A trailing year in parentheses: `(1995)`, or a series' span `(2006–2007)`, `(1975-1979)`,
 * `(2007-)` as later ml-latest releases write them. The span's first year counts.
 */
const TRAILING_YEAR = /^(.*?)\s*\((\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\)$/;

/**
 * Splits a MovieLens title into the name and its year: `"American President, The (1995) "`
 * becomes `{ title: 'American President, The', year: 1995 }`. Surrounding blanks (several
 * ml-latest titles end in a space) are dropped; a title without a trailing year is kept
 * whole with `year: null`.
 */
export function splitTitleYear(raw: string): { title: string; year: number | null } {
  const trimmed = raw.trim();
  const match = TRAILING_YEAR.exec(trimmed);
  if (match === null) return { title: trimmed, year: null };
  const year = Number(match[2]);
  return { title: match[1] === '' ? trimmed : match[1], year };
}
