import type { RatingScale } from '../data/types.ts';
import { BadInputError, quote } from './errors.ts';

const MAX_ID = 0x7fffffff;

/** A MovieLens id from a GraphQL `ID`: a positive integer that fits in 31 bits. */
export function parseId(field: string, raw: string | number): number {
  const text = String(raw).trim();
  const id = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1 || id > MAX_ID) {
    throw new BadInputError(field, `${field} must be a positive integer id, got ${quote(raw)}`);
  }
  return id;
}

/** The largest `first` a list argument accepts (the schema documents it). */
export const MAX_FIRST = 100;

/** A page size: 1 to `max`. */
export function parseFirst(
  field: string,
  first: number | null | undefined,
  fallback: number,
  max = MAX_FIRST,
): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new BadInputError(field, `${field} must be between 1 and ${max}, got ${n}`);
  }
  return n;
}

/** A rating on the data set's scale: from min to max in whole steps. */
export function parseRating(field: string, value: number, scale: RatingScale): number {
  const steps = (value - scale.min) / scale.step;
  if (
    !Number.isFinite(value) ||
    value < scale.min ||
    value > scale.max ||
    Math.abs(steps - Math.round(steps)) > 1e-9
  ) {
    throw new BadInputError(
      field,
      `${field} must be between ${scale.min} and ${scale.max} in steps of ${scale.step}, got ${value}`,
    );
  }
  return scale.min + Math.round(steps) * scale.step;
}

/** An opaque cursor: the offset of the next item, base64-encoded with a prefix. */
export function encodeCursor(kind: string, offset: number): string {
  return Buffer.from(`${kind}:${offset}`).toString('base64url');
}

export function decodeCursor(
  field: string,
  kind: string,
  cursor: string | null | undefined,
): number {
  if (cursor === null || cursor === undefined) return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = new RegExp(`^${kind}:(\\d+)$`).exec(text);
  if (!match)
    throw new BadInputError(field, `${field} is not a cursor of this list: ${quote(cursor)}`);
  return Number(match[1]);
}
