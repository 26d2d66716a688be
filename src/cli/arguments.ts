import { InvalidArgumentError } from 'commander';

/** Commander parsers for numeric options; the message names the option. */

/** An integer of at least `min` (1 by default); `1_000_000` is accepted. */
export function integerOption(name: string, min = 1) {
  return (v: string): number => {
    const n = Number(v.replaceAll('_', ''));
    if (!Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(
        min === 1 ? `${name} must be a positive integer` : `${name} must be an integer >= ${min}`,
      );
    }
    return n;
  };
}

/** A finite number >= 0. */
export function nonNegative(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number >= 0');
  return n;
}
