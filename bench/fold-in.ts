#!/usr/bin/env node
import { availableParallelism, cpus } from 'node:os';
import { loadDataset } from '../src/data/movielens.ts';
import { fitFactorsOnThreads } from '../src/engine/factor-pool.ts';
import {
  defaultFactorOptions,
  type Factors,
  foldInUser,
  solveScratch,
} from '../src/engine/factors.ts';
import { buildIdIndex } from '../src/engine/id-index.ts';
import { buildRatingMatrix } from '../src/engine/matrix.ts';

/**
 * The factor model's live update: re-solving one user's factors and bias from its
 * ratings with the movies' held (foldInUser), the work the live model adds to each
 * rating. Every user is folded in once per run, timed alone; reported by the user's
 * number of ratings, since the cost is O(n k^2 + k^3). Also the fit itself, as a start
 * runs it: on THREADS worker threads (default: one per core), its movies on a sample of
 * whole users above 2,000,000 ratings, then every user.
 */
const dataset = process.env.DATASET ?? 'ml-latest-small';
const runs = Number(process.env.RUNS ?? 5);
const threads = Number(process.env.THREADS ?? availableParallelism());
const data = await loadDataset(dataset);
const r = data.ratings;
const users = buildIdIndex(r.userIds);
const items = buildIdIndex(r.movieIds);
const ui = new Int32Array(r.length);
const ii = new Int32Array(r.length);
for (let t = 0; t < r.length; t++) {
  ui[t] = users.indexOf(r.userIds[t]);
  ii[t] = items.indexOf(r.movieIds[t]);
}
const m = buildRatingMatrix(ui, ii, r.values, users.size, items.size, 'shared');
const fitSeconds: number[] = [];
const fits: Factors[] = [];
for (let run = 0; run < Math.max(1, Math.min(runs, 3)); run++) {
  const t0 = performance.now();
  fits.push(await fitFactorsOnThreads(m, defaultFactorOptions, threads));
  fitSeconds.push((performance.now() - t0) / 1000);
}
const factors = fits[0];
const buckets = [
  { label: '1-50 ratings', max: 50 },
  { label: '51-200', max: 200 },
  { label: '201-1000', max: 1000 },
  { label: 'over 1000', max: Number.POSITIVE_INFINITY },
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs: Float64Array, q: number) => {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const scratch = solveScratch(factors.k);
const perRun: Array<{ all: Float64Array; byBucket: number[][] }> = [];
for (let run = 0; run < runs; run++) {
  const all = new Float64Array(m.nUsers);
  const byBucket: number[][] = buckets.map(() => []);
  for (let u = 0; u < m.nUsers; u++) {
    const t0 = process.hrtime.bigint();
    foldInUser(m.byUser, u, factors, scratch);
    const us = Number(process.hrtime.bigint() - t0) / 1000;
    all[u] = us;
    const n = m.byUser.rowEnd[u] - m.byUser.rowPtr[u];
    byBucket[buckets.findIndex((b) => n <= b.max)].push(us);
  }
  perRun.push({ all, byBucket });
}
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
console.log(
  `fold-in on ${dataset}: ${m.nUsers} users, ${m.nnz} ratings, k = ${factors.k}; ${runs} runs, medians of the runs; ${cpus()[0]?.model ?? ''}, Node ${process.version}`,
);
console.log(
  `fit on ${threads} threads: ${median(fitSeconds).toFixed(2)} s (median of ${fitSeconds.length})`,
);
console.log(
  `all users: median ${fmt(median(perRun.map((p) => quantile(p.all, 0.5))))} us, p99 ${fmt(median(perRun.map((p) => quantile(p.all, 0.99))))} us, max ${fmt(median(perRun.map((p) => quantile(p.all, 1))))} us`,
);
buckets.forEach((b, k) => {
  const counts = perRun[0].byBucket[k].length;
  if (counts === 0) return;
  const med = median(perRun.map((p) => quantile(Float64Array.from(p.byBucket[k]), 0.5)));
  const p99 = median(perRun.map((p) => quantile(Float64Array.from(p.byBucket[k]), 0.99)));
  console.log(
    `  ${b.label.padEnd(14)} ${String(counts).padStart(6)} users: median ${fmt(med)} us, p99 ${fmt(p99)} us`,
  );
});
