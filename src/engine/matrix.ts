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
): RatingMatrix {
  const nnz = userIdx.length;
  const byUser = groupRows(userIdx, itemIdx, values, nUsers, nItems);
  const { csr: byItem, srcPos } = transpose(byUser);
  return { nUsers, nItems, nnz, byUser, byItem, itemToUserPos: srcPos };
}

function groupRows(
  rowIdx: Int32Array,
  colIdx: Int32Array,
  values: Float32Array,
  rows: number,
  cols: number,
): Csr {
  const nnz = rowIdx.length;
  const rowPtr = new Int32Array(rows + 1);
  for (let k = 0; k < nnz; k++) rowPtr[rowIdx[k] + 1]++;
  for (let r = 0; r < rows; r++) rowPtr[r + 1] += rowPtr[r];
  const next = rowPtr.slice(0, rows);
  const outCol = new Int32Array(nnz);
  const outVal = new Float32Array(nnz);
  for (let k = 0; k < nnz; k++) {
    const p = next[rowIdx[k]]++;
    outCol[p] = colIdx[k];
    outVal[p] = values[k];
  }
  sortRows(rowPtr, outCol, outVal);
  return { rows, cols, rowPtr, rowEnd: rowPtr.subarray(1), colIdx: outCol, values: outVal };
}

/** Insertion sort per row: rows are short and usually nearly sorted already. */
function sortRows(rowPtr: Int32Array, col: Int32Array, val: Float32Array): void {
  for (let r = 0; r + 1 < rowPtr.length; r++) {
    const end = rowPtr[r + 1];
    for (let p = rowPtr[r] + 1; p < end; p++) {
      const c = col[p];
      const v = val[p];
      let q = p - 1;
      while (q >= rowPtr[r] && col[q] > c) {
        col[q + 1] = col[q];
        val[q + 1] = val[q];
        q--;
      }
      col[q + 1] = c;
      val[q + 1] = v;
    }
  }
}

/** Transpose by counting sort; rows of the result come out sorted because we scan in order. */
export function transpose(m: Csr): { csr: Csr; srcPos: Int32Array } {
  let nnz = 0;
  const rowPtr = new Int32Array(m.cols + 1);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.rowPtr[r]; p < m.rowEnd[r]; p++) rowPtr[m.colIdx[p] + 1]++;
    nnz += m.rowEnd[r] - m.rowPtr[r];
  }
  for (let c = 0; c < m.cols; c++) rowPtr[c + 1] += rowPtr[c];
  const next = rowPtr.slice(0, m.cols);
  const colIdx = new Int32Array(nnz);
  const values = new Float32Array(nnz);
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
