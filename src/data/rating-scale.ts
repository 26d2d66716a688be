import type { DatasetFormat, RatingScale } from './types.ts';

/** The rating scale of each format, as documented in the GroupLens READMEs. */
export const RATING_SCALES: Readonly<Record<DatasetFormat, RatingScale>> = {
  'ml-latest': { min: 0.5, max: 5, step: 0.5 },
  'ml-100k': { min: 1, max: 5, step: 1 },
  'ml-1m': { min: 1, max: 5, step: 1 },
};

/** `0.5..5 (step 0.5)`, the form every scale error uses. */
export function describeScale(scale: RatingScale): string {
  return `${scale.min}..${scale.max} (step ${scale.step})`;
}
