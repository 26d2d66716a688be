#!/usr/bin/env node
import { cpus } from 'node:os';
import { loadDataset } from '../src/data/movielens.ts';
import { defaultModelConfig } from '../src/engine/model.ts';
import { similaritySpace } from '../src/engine/similarity.ts';
import {
  balancedRanges,
  buildSymmetricLists,
  mergeHeaps,
  upperRangeHeaps,
  upperWork,
} from '../src/engine/symmetric-lists.ts';
import { buildCatalog } from '../src/service/catalog.ts';
import { denseMatrix } from '../src/service/model-inputs.ts';

/**
 * bench:shares: what splitting a side's pairs into shares costs on one thread, the work
 * a distributed build adds before any parallelism: the single symmetric build against
 * the same pairs cut into SHARES (default 2,4,16) balanced shares, each filling its own
 * heaps, then merged. DATASET (default var/gen/5m), SIDE (default user).
 */
const dataset = process.env.DATASET ?? 'var/gen/5m';
const side = process.env.SIDE === 'item' ? 'item' : 'user';
const counts = (process.env.SHARES ?? '2,4,16').split(',').map(Number);

const data = await loadDataset(dataset);
const { matrix } = denseMatrix(buildCatalog(data).movieIds, data.ratings);
const space = similaritySpace(matrix, side, defaultModelConfig[side].rankSimilarity);
const n = space.rows.rows;
const k = defaultModelConfig[side].listSize;
const time = (f: () => void) => {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
};
const one = time(() => buildSymmetricLists(space, k));
console.log(`${dataset}, ${side} side (${cpus()[0]?.model}, Node ${process.versions.node})`);
console.log(`one build: ${one.toFixed(1)} s`);
for (const parts of counts) {
  const seconds = time(() => {
    const ranges = balancedRanges(upperWork(space.cols, n), parts);
    mergeHeaps(
      ranges.map(([from, to]) => upperRangeHeaps(space, from, to, k)),
      n,
      k,
    );
  });
  console.log(
    `${parts} shares and their merge: ${seconds.toFixed(1)} s (${(seconds / one).toFixed(2)}x)`,
  );
}
