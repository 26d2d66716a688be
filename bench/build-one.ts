#!/usr/bin/env node
import { loadDataset } from '../src/data/movielens.ts';
import type { RatingColumns } from '../src/data/types.ts';
import { buildIdIndex } from '../src/engine/id-index.ts';
import { buildRatingMatrix, type RatingMatrix, type Side } from '../src/engine/matrix.ts';
import type { NeighbourLists } from '../src/engine/neighbours.ts';
import { createListPool } from '../src/engine/parallel-lists.ts';
import { type SimilaritySpace, similaritySpace } from '../src/engine/similarity.ts';
import { TopK } from '../src/engine/top-k.ts';

/**
 * One measurement of bench:build, in a process of its own so its peak RSS is its own:
 * load a data set and compute the top-50 vector-cosine neighbours of every movie and/or
 * user. `sparse` is the engine (inverted index, typed arrays in shared memory, every
 * core); `dense` is the first version such a system would have: a dense rating matrix,
 * the full n x n cosine matrix, then the top 50 of each row, on one thread.
 * Usage: build-one.ts <data dir> <sparse|dense> <sides, e.g. item,user> [threads]
 * Prints one JSON object.
 */
const [dataArg, mode, sidesArg, threadsArg] = process.argv.slice(2);
const sides = (sidesArg ?? 'item,user').split(',') as Side[];
const K = 50;
const similarity = { metric: 'vector-cosine', shrinkage: 0, minSupport: 1 } as const;

function seconds(from: number): number {
  return (performance.now() - from) / 1000;
}

/**
 * Dense indexes for users and movies. With BY_POPULARITY (the default) the most rated
 * come first: the accumulators of the entities most rows touch then share a few cache
 * lines instead of being scattered over megabytes. Ties in the lists go to the lower
 * index, so this labelling prefers the more popular of two equally similar neighbours.
 */
function encode(r: RatingColumns, memory: 'heap' | 'shared'): RatingMatrix {
  const byPopularity = process.env.BY_POPULARITY !== '0';
  const dense = (ids: Int32Array) => {
    const unique = buildIdIndex(ids).ids;
    const table = new Int32Array(unique[unique.length - 1] + 1).fill(-1);
    if (byPopularity) {
      const count = new Int32Array(table.length);
      for (const id of ids) count[id]++;
      const order = Array.from(unique).sort((a, b) => count[b] - count[a] || a - b);
      order.forEach((id, k) => {
        table[id] = k;
      });
    } else {
      unique.forEach((id, k) => {
        table[id] = k;
      });
    }
    return { size: unique.length, table };
  };
  const users = dense(r.userIds);
  const items = dense(r.movieIds);
  const ui = new Int32Array(r.length);
  const ii = new Int32Array(r.length);
  for (let t = 0; t < r.length; t++) {
    ui[t] = users.table[r.userIds[t]];
    ii[t] = items.table[r.movieIds[t]];
  }
  return buildRatingMatrix(ui, ii, r.values, users.size, items.size, memory);
}

function bytesOf(...arrays: ArrayLike<number>[]): number {
  let b = 0;
  for (const a of arrays) b += (a as unknown as ArrayBufferView).byteLength;
  return b;
}

function listBytes(l: NeighbourLists): number {
  return bytesOf(l.length, l.idx, l.sim, l.support);
}

/** The full n x n cosine matrix of the rows of a dense matrix, then the top k of each row. */
function denseTopK(m: RatingMatrix, side: Side): { lists: number; bytes: number } {
  const rows = side === 'item' ? m.byItem : m.byUser;
  const n = rows.rows;
  const d = rows.cols;
  const x = new Float32Array(n * d);
  for (let a = 0; a < n; a++) {
    for (let p = rows.rowPtr[a]; p < rows.rowEnd[a]; p++)
      x[a * d + rows.colIdx[p]] = rows.values[p];
  }
  const norm = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += x[a * d + c] * x[a * d + c];
    norm[a] = Math.sqrt(s);
  }
  const sim = new Float32Array(n * n);
  for (let a = 0; a < n; a++) {
    const oa = a * d;
    for (let b = a + 1; b < n; b++) {
      const ob = b * d;
      let dot = 0;
      for (let c = 0; c < d; c++) dot += x[oa + c] * x[ob + c];
      const den = norm[a] * norm[b];
      const s = den > 0 ? dot / den : 0;
      sim[a * n + b] = s;
      sim[b * n + a] = s;
    }
  }
  const top = new TopK(K);
  const ids = new Int32Array(K);
  const sims = new Float64Array(K);
  let lists = 0;
  for (let a = 0; a < n; a++) {
    top.clear();
    for (let b = 0; b < n; b++) if (b !== a && sim[a * n + b] > 0) top.offer(sim[a * n + b], b);
    if (top.drainSorted(ids, sims) > 0) lists++;
  }
  return { lists, bytes: x.byteLength + sim.byteLength };
}

async function main(): Promise<void> {
  const started = performance.now();
  const threads = Number(threadsArg ?? 2);
  // the workers load their modules while this thread reads the data
  const pool = mode === 'sparse' ? createListPool(threads) : null;
  const data = await loadDataset(dataArg, { includeTags: false });
  const load = seconds(started);
  let t = performance.now();
  const m = encode(data.ratings, mode === 'sparse' ? 'shared' : 'heap');
  const matrix = seconds(t);
  const phases: Record<string, number> = { load, matrix };
  let modelBytes = bytesOf(
    m.byUser.rowPtr,
    m.byUser.colIdx,
    m.byUser.values,
    m.byItem.rowPtr,
    m.byItem.colIdx,
    m.byItem.values,
    m.itemToUserPos,
  );
  let denseBytes = 0;
  for (const side of sides) {
    t = performance.now();
    if (pool) {
      const space: SimilaritySpace = similaritySpace(m, side, similarity, undefined, 'shared');
      const lists = await pool.build(space, K);
      modelBytes += listBytes(lists) + bytesOf(space.xRows, space.xCols, space.norms);
    } else {
      denseBytes = Math.max(denseBytes, denseTopK(m, side).bytes);
    }
    phases[side] = seconds(t);
  }
  await pool?.close();
  const out = {
    data: dataArg,
    mode,
    threads: pool ? threads : 1,
    ratings: m.nnz,
    users: m.nUsers,
    movies: m.nItems,
    phases,
    total: seconds(started),
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    modelMiB: modelBytes / 2 ** 20,
    denseMiB: denseBytes / 2 ** 20,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
