import type { Csr, RatingMatrix } from './matrix.ts';

/**
 * A CSR matrix that can take a rating in or out by moving only the entries of its row.
 * Every row owns `rowCap[r]` positions from `rowPtr[r]`, of which `rowEnd[r] - rowPtr[r]`
 * are used; a row that outgrows its room moves to the free space after `tail` with twice
 * the room. Entries of a row stay sorted by column, as in a compact matrix, so every loop
 * of the engine reads it unchanged and sums in the same order.
 *
 * Per-entry arrays laid out like the matrix (the `lanes`: the similarity spaces'
 * transformed ratings) move with their entries. When the free space runs out, the edit
 * reports it and the owner rebuilds from its ratings; with the spare room below, that
 * happens once per a quarter of the ratings added, so its cost per rating is constant.
 */
export interface SlackCsr extends Csr {
  rows: number;
  cols: number;
  rowPtr: Int32Array;
  rowEnd: Int32Array;
  rowCap: Int32Array;
  colIdx: Int32Array;
  values: Float32Array;
  /** First position no row owns. */
  tail: number;
}

export interface SlackMatrix extends RatingMatrix {
  nUsers: number;
  nnz: number;
  readonly byUser: SlackCsr;
  readonly byItem: SlackCsr;
}

/** Room a row of `n` entries gets when laid out: a little, so most new ratings fit in place. */
function roomFor(n: number): number {
  return n + 2 + (n >> 3);
}

/** Free space after the rows: a quarter of the ratings, at least 1,024 entries. */
export function defaultSpare(nnz: number): number {
  return Math.max(1024, nnz >> 2);
}

/**
 * Copies a compact matrix into one with room in every row and `spare` free entries
 * after them in each orientation. `itemToUserPos` follows the new layout.
 */
export function withSlack(m: RatingMatrix, spare = defaultSpare(m.nnz)): SlackMatrix {
  const user = spread(m.byUser, spare);
  const item = spread(m.byItem, spare);
  const itemToUserPos = new Int32Array(item.csr.colIdx.length);
  for (let i = 0; i < m.nItems; i++) {
    const from = m.byItem.rowPtr[i];
    const to = item.csr.rowPtr[i];
    for (let p = from; p < m.byItem.rowEnd[i]; p++) {
      itemToUserPos[to + p - from] = user.position[m.itemToUserPos[p]];
    }
  }
  return {
    nUsers: m.nUsers,
    nItems: m.nItems,
    nnz: m.nnz,
    byUser: user.csr,
    byItem: item.csr,
    itemToUserPos,
  };
}

function spread(m: Csr, spare: number): { csr: SlackCsr; position: Int32Array } {
  const rowCap = new Int32Array(Math.max(m.rows, 8));
  let used = 0;
  for (let r = 0; r < m.rows; r++) {
    rowCap[r] = roomFor(m.rowEnd[r] - m.rowPtr[r]);
    used += rowCap[r];
  }
  const size = used + spare;
  const rowPtr = new Int32Array(rowCap.length);
  const rowEnd = new Int32Array(rowCap.length);
  const colIdx = new Int32Array(size);
  const values = new Float32Array(size);
  const position = new Int32Array(lastEnd(m));
  let next = 0;
  for (let r = 0; r < m.rows; r++) {
    rowPtr[r] = next;
    for (let p = m.rowPtr[r]; p < m.rowEnd[r]; p++) {
      colIdx[next] = m.colIdx[p];
      values[next] = m.values[p];
      position[p] = next++;
    }
    rowEnd[r] = next;
    next = rowPtr[r] + rowCap[r];
  }
  const csr = { rows: m.rows, cols: m.cols, rowPtr, rowEnd, rowCap, colIdx, values, tail: next };
  return { csr, position };
}

/** One past the last position any row of `m` uses. */
function lastEnd(m: Csr): number {
  let end = 0;
  for (let r = 0; r < m.rows; r++) end = Math.max(end, m.rowEnd[r]);
  return end;
}

/** Appends an empty row (a new user), growing the row arrays by doubling. */
export function addRow(m: SlackCsr): number {
  if (m.rows === m.rowPtr.length) {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    m.rowPtr = grow(m.rowPtr);
    m.rowEnd = grow(m.rowEnd);
    m.rowCap = grow(m.rowCap);
  }
  const r = m.rows++;
  m.rowPtr[r] = m.tail;
  m.rowEnd[r] = m.tail;
  m.rowCap[r] = 0;
  return r;
}

/**
 * Makes room for column c in row r at its sorted place and returns that position, with
 * the column written and the value and lanes left for the caller; -1 when the matrix has
 * no space left (nothing was changed). The column must not be in the row yet.
 */
export function insertEntry(m: SlackCsr, r: number, c: number, lanes: Float32Array[]): number {
  if (m.rowEnd[r] - m.rowPtr[r] === m.rowCap[r] && !relocate(m, r, lanes)) return -1;
  const start = m.rowPtr[r];
  let p = m.rowEnd[r];
  while (p > start && m.colIdx[p - 1] > c) p--;
  const end = m.rowEnd[r];
  m.colIdx.copyWithin(p + 1, p, end);
  m.values.copyWithin(p + 1, p, end);
  for (const lane of lanes) lane.copyWithin(p + 1, p, end);
  m.colIdx[p] = c;
  m.rowEnd[r] = end + 1;
  return p;
}

/** Removes the entry at position p of row r, keeping the row sorted. */
export function removeEntry(m: SlackCsr, r: number, p: number, lanes: Float32Array[]): void {
  const end = m.rowEnd[r];
  m.colIdx.copyWithin(p, p + 1, end);
  m.values.copyWithin(p, p + 1, end);
  for (const lane of lanes) lane.copyWithin(p, p + 1, end);
  m.rowEnd[r] = end - 1;
}

/** Moves row r to the free space with twice its room; false when there is not enough. */
function relocate(m: SlackCsr, r: number, lanes: Float32Array[]): boolean {
  const start = m.rowPtr[r];
  const end = m.rowEnd[r];
  const cap = Math.max(4, m.rowCap[r] * 2);
  if (m.tail + cap > m.colIdx.length) return false;
  const to = m.tail;
  m.colIdx.copyWithin(to, start, end);
  m.values.copyWithin(to, start, end);
  for (const lane of lanes) lane.copyWithin(to, start, end);
  m.rowPtr[r] = to;
  m.rowEnd[r] = to + end - start;
  m.rowCap[r] = cap;
  m.tail = to + cap;
  return true;
}
