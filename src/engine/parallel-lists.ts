import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Csr } from './matrix.ts';
import { shared } from './memory.ts';
import {
  emptyNeighbourLists,
  type NeighbourLists,
  selectNeighbours,
  writeList,
} from './neighbours.ts';
import { computeRow, rowScratch, type SimilaritySpace } from './similarity.ts';
import { siblingModule, spawnWorker } from './spawn-worker.ts';
import {
  canBuildSymmetric,
  emptyHeapSet,
  type HeapSet,
  mergeHeaps,
  offerUpperRow,
  upperScratch,
  upperWork,
} from './symmetric-lists.ts';
import { TopK } from './top-k.ts';

/**
 * Every entity's top-k list computed on several threads at once. The space's arrays and
 * the lists live in SharedArrayBuffers, so no thread copies them; threads claim small
 * runs of entities from a shared counter until none are left, which balances rows of
 * very different cost (a blockbuster's row costs thousands of times an obscure movie's).
 * The calling thread works too, so `threads` counts it, unless it is told to stay free
 * (a service that must keep answering while it starts): then every thread is a worker.
 */
export interface ListPool {
  readonly threads: number;
  /** `onProgress` hears, twice a second, the share of the build's work handed out. */
  build(
    space: SimilaritySpace,
    k: number,
    onProgress?: (fraction: number) => void,
  ): Promise<NeighbourLists>;
  close(): Promise<void>;
}

/**
 * What one thread needs: the space without the raw ratings, and where to write: the
 * lists themselves, or for the symmetric build (symmetric-lists.ts) one set of heaps
 * per thread, merged when every thread is done.
 */
export interface ListJob {
  readonly space: SimilaritySpace;
  readonly k: number;
  readonly lists: NeighbourLists;
  readonly heaps: ReadonlyArray<HeapSet>;
  /** next[0] is the first entity no thread has claimed yet; next[1] the next free heap set. */
  readonly next: Int32Array;
  readonly chunk: number;
}

/** Entities claimed at a time: small, so the last runs are short and threads finish together. */
const CHUNK = 8;

export function createListPool(threads = availableParallelism(), callerWorks = true): ListPool {
  const spawned = callerWorks ? Math.max(0, threads - 1) : Math.max(1, threads);
  const workers: Worker[] = Array.from({ length: spawned }, () =>
    spawnWorker(siblingModule('list-worker', import.meta.url)),
  );
  const working = workers.length + (callerWorks ? 1 : 0);
  return {
    threads: working,
    async build(space, k, onProgress) {
      const n = space.rows.rows;
      const symmetric = canBuildSymmetric(space);
      const job: ListJob = {
        space: leanSpace(space),
        k,
        lists: emptyNeighbourLists(symmetric ? 0 : n, k, 'shared'),
        heaps: symmetric ? Array.from({ length: working }, () => emptyHeapSet(n, k, 'shared')) : [],
        next: new Int32Array(new SharedArrayBuffer(8)),
        chunk: CHUNK,
      };
      const done = workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const onError = (err: Error) => {
              w.off('message', onMessage);
              reject(err);
            };
            const onMessage = () => {
              w.off('error', onError);
              resolve();
            };
            w.once('message', onMessage);
            w.once('error', onError);
            w.postMessage(job);
          }),
      );
      let timer: NodeJS.Timeout | null = null;
      if (onProgress) {
        const work = cumulativeWork(space, symmetric);
        const report = () => onProgress(work[Math.min(n, Atomics.load(job.next, 0))] / work[n]);
        timer = setInterval(report, 500);
      }
      try {
        if (callerWorks) runShare(job);
        await Promise.all(done);
      } finally {
        if (timer) clearInterval(timer);
      }
      return symmetric ? mergeHeaps(job.heaps, n, k, 'shared') : job.lists;
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Computes lists for entities claimed from `job.next` until every entity is taken. */
export function runShare(job: ListJob): number {
  const { space, k, lists, next, chunk } = job;
  const n = space.rows.rows;
  if (job.heaps.length > 0) {
    const heaps = job.heaps[Atomics.add(next, 1, 1)];
    const s = upperScratch(n);
    let computed = 0;
    for (;;) {
      const from = Atomics.add(next, 0, chunk);
      if (from >= n) return computed;
      const to = Math.min(n, from + chunk);
      for (let a = from; a < to; a++) offerUpperRow(space, a, s, heaps);
      computed += to - from;
    }
  }
  const scratch = rowScratch(n);
  const top = new TopK(k);
  const ids = new Int32Array(k);
  const sims = new Float64Array(k);
  let computed = 0;
  for (;;) {
    const from = Atomics.add(next, 0, chunk);
    if (from >= n) return computed;
    const to = Math.min(n, from + chunk);
    for (let a = from; a < to; a++) {
      computeRow(space, a, scratch);
      selectNeighbours(scratch, scratch.sim, top);
      writeList(lists, a, ids, sims, scratch.support, top.drainSorted(ids, sims));
      computed++;
    }
  }
}

/** The running totals of each row's work (upperWork; or whole co-rater rows, row by row). */
function cumulativeWork(space: SimilaritySpace, symmetric: boolean): Float64Array {
  const n = space.rows.rows;
  let work: Float64Array;
  if (symmetric) work = upperWork(space.cols, n);
  else {
    work = new Float64Array(n + 1);
    const { rows, cols } = space;
    for (let a = 0; a < n; a++) {
      let w = 0;
      for (let p = rows.rowPtr[a]; p < rows.rowEnd[a]; p++) {
        const o = rows.colIdx[p];
        w += cols.rowEnd[o] - cols.rowPtr[o];
      }
      work[a + 1] = work[a] + w;
    }
  }
  // an empty space: nothing to do is all done
  if (work[n] === 0) work[n] = 1;
  return work;
}

/** The space with shared arrays and without the raw rating values, which rows never read. */
function leanSpace(space: SimilaritySpace): SimilaritySpace {
  const lean = (m: Csr): Csr => {
    const rowPtr = shared(m.rowPtr);
    // a compact matrix's rowEnd is rowPtr shifted by one: keep it a view of the same memory
    const rowEnd =
      m.rowEnd.buffer === m.rowPtr.buffer && m.rowEnd.byteOffset === m.rowPtr.byteOffset + 4
        ? rowPtr.subarray(1)
        : shared(m.rowEnd);
    return {
      rows: m.rows,
      cols: m.cols,
      rowPtr,
      rowEnd,
      colIdx: shared(m.colIdx),
      values: new Float32Array(0),
    };
  };
  return {
    ...space,
    rows: lean(space.rows),
    cols: lean(space.cols),
    xRows: shared(space.xRows),
    xCols: shared(space.xCols),
    norms: shared(space.norms),
  };
}
