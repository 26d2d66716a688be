import { float32Array, int32Array, type Memory } from './memory.ts';

/**
 * The rating matrix in both orientations. Rows of `byUser` are users and its columns
 * items; `byItem` is its transpose. Column indexes within a row are sorted ascending.
 * `itemToUserPos[p]` is the position in `byUser` of the rating at position `p` of
 * `byItem`, so per-rating arrays computed in user order can be read in item order.
 */

/**
 * Compressed sparse rows: row r holds positions `rowPtr[r] .. rowEnd[r]-1`. A matrix built
 * here is compact (`rowEnd` is `rowPtr` shifted by one, the same memory); one made
 * editable (see slack-matrix.ts) leaves room between rows, so positions past the last
 * row's end, and between rows, hold nothing. Always walk rows, never `0 .. length`.
 */
export interface Csr {
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Int32Array;
  readonly rowEnd: Int32Array;
  readonly colIdx: Int32Array;
  readonly values: Float32Array;
}

export interface RatingMatrix {
  readonly nUsers: number;
  readonly nItems: number;
  readonly nnz: number;
  readonly byUser: Csr;
  readonly byItem: Csr;
  readonly itemToUserPos: Int32Array;
}

/** The two orientations seen from one side: `rows` are the entities compared, `cols` the others. */
export type Side = 'user' | 'item';

/**
 * Builds both orientations from parallel arrays of dense indexes and values.
 * Duplicated (user, item) pairs are the caller's to remove; here the last one wins
 * only by accident of sort order, so the loaders deduplicate first.
 */
export function buildRatingMatrix(
  userIdx: Int32Array,
  itemIdx: Int32Array,
  values: Float32Array,
  nUsers: number,
  nItems: number,
  memory: Memory = 'heap',
): RatingMatrix {
  const nnz = userIdx.length;
  const byUser = groupRows(userIdx, itemIdx, values, nUsers, nItems, memory);
  const { csr: byItem, srcPos } = transpose(byUser, memory);
  return { nUsers, nItems, nnz, byUser, byItem, itemToUserPos: srcPos };
}

/**
 * Groups the triples by row, each row sorted by column. Triples already in column order
 * within each row (as MovieLens files list them) are placed in one pass; otherwise a
 * stable counting sort by column comes first, so every case is linear (sorting each row
 * afterwards is quadratic on long rows that arrive out of order).
 */
function groupRows(
  rowIdx: Int32Array,
  colIdx: Int32Array,
  values: Float32Array,
  rows: number,
  cols: number,
  memory: Memory,
): Csr {
  const nnz = rowIdx.length;
  const rowPtr = int32Array(rows + 1, memory);
  for (let k = 0; k < nnz; k++) rowPtr[rowIdx[k] + 1]++;
  for (let r = 0; r < rows; r++) rowPtr[r + 1] += rowPtr[r];
  const outCol = int32Array(nnz, memory);
  const outVal = float32Array(nnz, memory);
  const place = (order: Int32Array | null): boolean => {
    const next = rowPtr.slice(0, rows);
    for (let t = 0; t < nnz; t++) {
      const k = order ? order[t] : t;
      const r = rowIdx[k];
      const p = next[r]++;
      if (p > rowPtr[r] && outCol[p - 1] >= colIdx[k]) {
        if (!order) return false;
      }
      outCol[p] = colIdx[k];
      outVal[p] = values[k];
    }
    return true;
  };
  if (place(null))
    return { rows, cols, rowPtr, rowEnd: rowPtr.subarray(1), colIdx: outCol, values: outVal };
  const colStart = new Int32Array(cols + 1);
  for (let k = 0; k < nnz; k++) colStart[colIdx[k] + 1]++;
  for (let c = 0; c < cols; c++) colStart[c + 1] += colStart[c];
  const byCol = new Int32Array(nnz);
  for (let k = 0; k < nnz; k++) byCol[colStart[colIdx[k]]++] = k;
  place(byCol);
  return { rows, cols, rowPtr, rowEnd: rowPtr.subarray(1), colIdx: outCol, values: outVal };
}

/** Transpose by counting sort; rows of the result come out sorted because we scan in order. */
export function transpose(m: Csr, memory: Memory = 'heap'): { csr: Csr; srcPos: Int32Array } {
  let nnz = 0;
  const rowPtr = int32Array(m.cols + 1, memory);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.rowPtr[r]; p < m.rowEnd[r]; p++) rowPtr[m.colIdx[p] + 1]++;
    nnz += m.rowEnd[r] - m.rowPtr[r];
  }
  for (let c = 0; c < m.cols; c++) rowPtr[c + 1] += rowPtr[c];
  const next = rowPtr.slice(0, m.cols);
  const colIdx = int32Array(nnz, memory);
  const values = float32Array(nnz, memory);
  const srcPos = new Int32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.rowPtr[r]; p < m.rowEnd[r]; p++) {
      const q = next[m.colIdx[p]]++;
      colIdx[q] = r;
      values[q] = m.values[p];
      srcPos[q] = p;
    }
  }
  const csr = { rows: m.cols, cols: m.rows, rowPtr, rowEnd: rowPtr.subarray(1), colIdx, values };
  return { csr, srcPos };
}

/** The matrix whose rows are the given side's entities. */
export function rowsOf(m: RatingMatrix, side: Side): Csr {
  return side === 'user' ? m.byUser : m.byItem;
}

/** The matrix whose rows are the other side's entities. */
export function colsOf(m: RatingMatrix, side: Side): Csr {
  return side === 'user' ? m.byItem : m.byUser;
}

/** Position of column `c` in row `r`, or -1; rows are sorted so this is a binary search. */
export function findInRow(m: Csr, r: number, c: number): number {
  let lo = m.rowPtr[r];
  let hi = m.rowEnd[r] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = m.colIdx[mid];
    if (v === c) return mid;
    if (v < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Mean of row r's values, `fallback` when it is empty. */
export function rowMean(m: Csr, r: number, fallback: number): number {
  const start = m.rowPtr[r];
  const end = m.rowEnd[r];
  if (end === start) return fallback;
  let s = 0;
  for (let p = start; p < end; p++) s += m.values[p];
  return s / (end - start);
}

/** Mean of each row's values; `fallback` for empty rows. */
export function rowMeans(m: Csr, fallback: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = rowMean(m, r, fallback);
  return out;
}

export function globalMean(m: Csr): number {
  let s = 0;
  let n = 0;
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.rowPtr[r]; p < m.rowEnd[r]; p++) s += m.values[p];
    n += m.rowEnd[r] - m.rowPtr[r];
  }
  return n === 0 ? 0 : s / n;
}
