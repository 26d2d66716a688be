/** A rating scale; predictions are clipped to it. */
export interface Scale {
  readonly min: number;
  readonly max: number;
}

export function clip(x: number, scale: Scale): number {
  return Math.max(scale.min, Math.min(x, scale.max));
}
