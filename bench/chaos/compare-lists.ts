import type { List, Reference } from './reference.ts';
import { trueSimilarity, trueSupport } from './reference.ts';

/**
 * Whether a served or stored neighbour list is the list of the reference fit, allowing
 * for what may legitimately differ: similarities within `SIM_TOLERANCE` (Float32 storage,
 * summation order), any order among neighbours whose similarities tie (within the same
 * tolerance), and, when the list is full, any members for the tie group at its end (ties
 * straddling the cut). Every entry's support must be the true co-rater count, and an
 * entry the reference does not have must have the true similarity it claims.
 *
 * Returns null when the lists agree, else what differs first.
 */
export const SIM_TOLERANCE = 1e-5;

export function compareList(
  ref: Reference,
  side: 'item' | 'user',
  owner: number,
  k: number,
  expected: List,
  got: List,
): string | null {
  const n = expected.ids.length;
  if (got.ids.length !== n) return `length ${got.ids.length}, expected ${n}`;
  const seen = new Set<number>();
  for (let t = 0; t < n; t++) {
    const id = got.ids[t];
    if (id === owner) return `lists itself at position ${t}`;
    if (seen.has(id)) return `lists ${id} twice`;
    seen.add(id);
    if (Math.abs(got.sims[t] - expected.sims[t]) > SIM_TOLERANCE) {
      return `similarity at position ${t} is ${got.sims[t]} (id ${id}), expected ${expected.sims[t]} (id ${expected.ids[t]})`;
    }
  }
  // tie groups of the expected list: runs whose neighbouring similarities are within the
  // tolerance
  const expectedSim = new Map<number, number>();
  const expectedSupport = new Map<number, number>();
  for (let t = 0; t < n; t++) {
    expectedSim.set(expected.ids[t], expected.sims[t]);
    expectedSupport.set(expected.ids[t], expected.supports[t]);
  }
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && Math.abs(expected.sims[end - 1] - expected.sims[end]) <= SIM_TOLERANCE) end++;
    const last = end === n;
    if (!(last && n === k)) {
      const want = new Set(Array.from({ length: end - start }, (_, j) => expected.ids[start + j]));
      for (let t = start; t < end; t++) {
        if (!want.has(got.ids[t])) {
          return `neighbour ${got.ids[t]} at position ${t} is not among the tied ${[...want].join(',')} (similarity ${expected.sims[start]})`;
        }
      }
    }
    start = end;
  }
  for (let t = 0; t < n; t++) {
    const id = got.ids[t];
    const want = expectedSupport.get(id) ?? trueSupport(ref, side, owner, id);
    if (got.supports[t] !== want) {
      return `support of ${id} is ${got.supports[t]}, expected ${want}`;
    }
    if (!expectedSim.has(id)) {
      // a member of the last tie group the reference cut: its similarity must be real
      const sim = trueSimilarity(ref, side, owner, id);
      if (Math.abs(sim - got.sims[t]) > SIM_TOLERANCE) {
        return `similarity of ${id} is ${got.sims[t]}, the ratings give ${sim}`;
      }
    }
  }
  return null;
}

/** A short rendering of a list's head, for mismatch reports. */
export function showList(list: List, head = 6): string {
  const parts: string[] = [];
  for (let t = 0; t < Math.min(head, list.ids.length); t++) {
    parts.push(`${list.ids[t]}:${Number(list.sims[t]).toFixed(5)}/${list.supports[t]}`);
  }
  return `[${parts.join(' ')}${list.ids.length > head ? ` ... (${list.ids.length})` : ''}]`;
}
