import { setImmediate as nextTurn } from 'node:timers/promises';
import { fitBaseline } from './baseline.ts';
import { fitFactorsOnThreads } from './factor-pool.ts';
import { foldInUser, type SolveScratch, solveScratch } from './factors.ts';
import { fitHybridWeights, fitOptionsOf, sampleUsers } from './hybrid.ts';
import { type IdIndex, idIndexFromSorted } from './id-index.ts';
import type { Side } from './matrix.ts';
import { buildRatingMatrix, type RatingMatrix, rowMeans } from './matrix.ts';
import type { Memory } from './memory.ts';
import type { HybridSource, HybridWeights, Model, ModelConfig, SideModel } from './model.ts';
import { fitModel, fitModelInSteps, requireSide } from './model.ts';
import { addUser, type EditableModel, setRating } from './model-edit.ts';
import { type NeighbourLists, placeInList } from './neighbour-lists.ts';
import { listStart, selectNeighbours, writeList } from './neighbours.ts';
import { PairIndex } from './pair-index.ts';
import { createListPool } from './parallel-lists.ts';
import { computePopularity } from './popularity.ts';
import { type Digest, digestHex, digestRating, emptyDigest } from './rating-digest.ts';
import { type RatingEdit, type Removal, ranksAfter } from './rating-order.ts';
import { computeRow, type RowScratch, rowScratch, similaritySpace } from './similarity.ts';
import { defaultSpare, type SlackMatrix, withSlack } from './slack-matrix.ts';
import { TopK } from './top-k.ts';
import { fitWeightsOffThread } from './weights-off-thread.ts';

/** Ratings as columns (MovieLens ids), what a live model starts from. */
export interface TimedRatings {
  readonly length: number;
  readonly userIds: Int32Array;
  readonly movieIds: Int32Array;
  readonly values: Float32Array;
  /** Seconds since the Unix epoch. */
  readonly timestamps: Float64Array;
}

/**
 * The model the service answers from, kept current as ratings arrive.
 *
 * Ratings live in growable columns (dense user and movie indexes) with a map from
 * (user, movie) to their position; they are the truth the model is fitted from. Every
 * movie of the catalogue has a dense index from the start, so a rating of a never-rated
 * movie needs no re-indexing; a new user gets the next index. A change edits the model in
 * place (model-edit.ts: time proportional to the ratings it touches), and the neighbour
 * lists, which cost a pass over the inverted index each, are recomputed only where the
 * change can alter them: the changed movie's and user's own lists at once, and the lists
 * of the others whose similarity to them moved into or out of range on their next read.
 *
 * The baseline biases, the hybrid's weights and the factor model's movie side are model
 * parameters: fitted at start and kept fixed until the next start (a new user's bias is
 * 0). A user's factors are not: each change re-solves them from the user's ratings.
 */
export class LiveModel {
  private userIds: number[];
  private readonly userIndex = new Map<number, number>();
  /** Where each (user, movie) rating is in the columns (see key). */
  private readonly position: PairIndex;
  /** When each removed (user, movie) was removed: older ratings of it are ignored. */
  private readonly removedAt = new Map<number, number>();
  private size = 0;
  /** The digest of the current ratings (user and movie ids, values): what lists reflect. */
  private readonly ratingDigest: Digest = emptyDigest();
  private users: Int32Array;
  private items: Int32Array;
  private values: Float32Array;
  private timestamps: Float64Array;
  private current!: EditableModel;
  private settings!: ModelConfig;
  private readonly dirty: Record<Side, Uint8Array> = {
    item: new Uint8Array(0),
    user: new Uint8Array(0),
  };
  private scratch!: Record<Side, RowScratch>;
  private selection!: Record<Side, { top: TopK; ids: Int32Array; sims: Float64Array }>;
  private listener:
    | ((side: Side, entity: number, change: 'recomputed' | 'invalidated') => void)
    | null = null;
  /** Number of neighbour lists recomputed since start (for tests and metrics). */
  listsRecomputed = 0;
  /** Lists invalidated since start: recomputed at once or marked to recompute on read. */
  listsInvalidated = 0;
  /** Times the matrix ran out of room and was refitted from the ratings. */
  refits = 0;
  /** Lists brought up to date in place by a change of one similarity (see placeInList). */
  listsEdited = 0;
  /** Dirty lists recomputed ahead of their reads (see refreshLists). */
  listsRefreshed = 0;
  private readonly everRead: Record<Side, Uint8Array> = {
    item: new Uint8Array(0),
    user: new Uint8Array(0),
  };
  private batches = 0;
  private readonly bounds: Record<Side, Float32Array> = {
    item: new Float32Array(0),
    user: new Float32Array(0),
  };
  private readonly batchStamps: Record<Side, Uint32Array> = {
    item: new Uint32Array(0),
    user: new Uint32Array(0),
  };
  /**
   * Counts the batches of events applied: every answer computed from the model is a
   * function of the request and the ratings, so one computed at the same revision is
   * still exact (the service's result cache keys on it).
   */
  revision = 0;
  private spare: (nnz: number) => number = defaultSpare;

  private constructor(
    readonly movieIds: Int32Array,
    expected: number,
  ) {
    // an eighth of room for ratings to come: doubling here would cost 500 MB at 25M
    const capacity = Math.max(16, expected + (expected >> 3));
    this.position = new PairIndex((p) => this.key(this.users[p], this.items[p]), expected);
    this.users = new Int32Array(capacity);
    this.items = new Int32Array(capacity);
    this.values = new Float32Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.userIds = [];
  }

  /** Gives every user of the ratings its dense index, in id order. */
  private indexUsers(ratings: TimedRatings): void {
    const sortedUsers = Int32Array.from(ratings.userIds).sort();
    for (let k = 0; k < sortedUsers.length; k++) {
      if (k === 0 || sortedUsers[k] !== sortedUsers[k - 1]) this.userIndexOf(sortedUsers[k], true);
    }
  }

  /** Puts ratings [from, to) of the columns. */
  private putRatings(ratings: TimedRatings, items: IdIndex, from: number, to: number): void {
    for (let t = from; t < to; t++) {
      const i = items.indexOf(ratings.movieIds[t]);
      if (i < 0) throw new Error(`movie ${ratings.movieIds[t]} is rated but not in the catalogue`);
      this.put(
        this.userIndexOf(ratings.userIds[t], true),
        i,
        ratings.values[t],
        ratings.timestamps[t],
      );
    }
  }

  private removeAll(removals: ReadonlyArray<Removal>, items: IdIndex): void {
    for (const r of removals) {
      const i = items.indexOf(r.movieId);
      // a removal keeps its user: a rating of the pair ranking before it stays refused
      if (i >= 0) this.remove(this.userIndexOf(r.userId, true), i, r.timestamp);
    }
  }

  /**
   * Fits the model on the given ratings. With `hybrid: 'fit'` the hybrid's weights are
   * fitted on a held-out slice first, exactly as the evaluation does. `lists`: every
   * neighbour list computed now, none (each unknown until loaded or computed on its first
   * read), or the movies' now and the users' on first read.
   */
  static create(
    movieIds: Int32Array,
    ratings: TimedRatings,
    config: ModelConfig,
    hybrid: HybridSource,
    lists: ListsAtStart = 'compute',
    room: Room = {},
    removals: ReadonlyArray<Removal> = [],
  ): LiveModel {
    const live = new LiveModel(movieIds, ratings.length);
    const items = idIndexFromSorted(movieIds);
    live.indexUsers(ratings);
    live.putRatings(ratings, items, 0, ratings.length);
    live.removeAll(removals, items);
    live.spare = room.spare ?? defaultSpare;
    const fitting = fitOptionsOf(hybrid);
    const weights = fitting
      ? fitHybridWeights(live.compactMatrix(), config, fitting, undefined, movieIds)
      : (hybrid as HybridWeights);
    live.settings = { ...config, hybrid: weights };
    const matrix = live.matrix();
    const later = laterSides(lists);
    const parts = {
      item: true,
      user: true,
      factors: true,
      itemKeys: movieIds,
      lists: { item: !later.item, user: !later.user },
    };
    live.current = { ...fitModel(matrix, live.settings, parts), matrix };
    live.prepare(later);
    return live;
  }

  /**
   * What create does, with the event loop left free: ratings are indexed a slice per
   * turn, the weights are fitted on a worker thread while worker threads build the
   * lists (parallel-lists.ts; the same lists as create's), then fit the factor model
   * (factor-pool.ts; the same factors as create's), the spaces are fitted a step
   * per turn, and `progress` hears how far each phase is. What still holds the thread
   * in one piece: the compact matrix, the baseline and the copy with room (seconds each
   * at 25M ratings).
   */
  static async start(
    movieIds: Int32Array,
    ratings: TimedRatings,
    config: ModelConfig,
    hybrid: HybridSource,
    lists: ListsAtStart,
    removals: ReadonlyArray<Removal>,
    options: StartOptions = {},
  ): Promise<LiveModel> {
    const progress = options.progress ?? (() => {});
    const live = new LiveModel(movieIds, ratings.length);
    const items = idIndexFromSorted(movieIds);
    live.indexUsers(ratings);
    for (let from = 0; from < ratings.length; from += INDEX_SLICE) {
      progress('indexing ratings', from / ratings.length);
      await nextTurn();
      live.putRatings(ratings, items, from, Math.min(ratings.length, from + INDEX_SLICE));
    }
    live.removeAll(removals, items);
    progress('indexing ratings', 1);
    live.spare = options.room?.spare ?? defaultSpare;
    // the lists first, from the compact matrix in shared memory, which the list threads
    // read without a copy; then the model itself on the ordinary heap (every later edit
    // of a rating was a quarter slower on SharedArrayBuffers), once the compact matrix
    // is dropped: at 25M ratings that order keeps the peak 600 MB lower
    let compact: RatingMatrix | null = live.compactMatrix('shared');
    const fitting = fitOptionsOf(hybrid);
    if (fitting) progress('weights', 0);
    // the weight fit runs beside the list build: the lists do not depend on the weights
    const weights = fitting
      ? fitWeightsOffThread(
          sampleUsers(compact, fitting.maxRatings, fitting.seed),
          config,
          fitting,
          (fraction) => progress('weights', fraction),
          movieIds,
        )
      : Promise.resolve(hybrid as HybridWeights);
    // a failed fit is reported where it is awaited, below
    weights.catch(() => {});
    await nextTurn();
    const baseline = fitBaseline(compact, config.baseline);
    const later = laterSides(lists);
    const built: Partial<Record<Side, NeighbourLists>> = {};
    // no threads to start when every list is left for later (a warm start)
    const pool = later.item && later.user ? null : createListPool(options.threads, false);
    try {
      for (const side of ['item', 'user'] as const) {
        if (later[side] || !pool) continue;
        const phase = side === 'item' ? 'movie lists' : 'user lists';
        progress(phase, 0);
        await nextTurn();
        const sideConfig = config[side];
        const space = similaritySpace(compact, side, sideConfig.rankSimilarity, baseline, 'shared');
        built[side] = await pool.build(space, sideConfig.listSize, (f) => progress(phase, f));
        progress(phase, 1);
      }
    } finally {
      await pool?.close();
    }
    progress('factors', 0);
    await nextTurn();
    const factors = await fitFactorsOnThreads(
      compact,
      config.factors,
      options.threads,
      (f) => progress('factors', f),
      movieIds,
    );
    progress('similarities', 0);
    await nextTurn();
    const matrix = withSlack(compact, live.spare(compact.nnz));
    compact = null;
    progress('similarities', 0.2);
    await nextTurn();
    const model = await fitModelInSteps(
      matrix,
      config,
      async (done) => {
        progress('similarities', 0.2 + 0.8 * done);
        await nextTurn();
      },
      baseline,
      factors,
    );
    for (const side of ['item', 'user'] as const) {
      const lists = built[side];
      if (lists) copyLists(lists, requireSide(model, side).lists);
    }
    live.settings = { ...config, hybrid: await weights };
    progress('weights', 1);
    live.current = { ...model, matrix, config: live.settings };
    live.prepare(later);
    return live;
  }

  /** Selection buffers, scratch rows and dirty flags, once the model is fitted. */
  private prepare(later: Record<Side, boolean>): void {
    const matrix = this.current.matrix;
    this.scratch = { item: rowScratch(matrix.nItems), user: rowScratch(matrix.nUsers) };
    // one set of selection buffers per side: a rating recomputes lists one at a time;
    // each selects one entry more than a list holds (see recomputeList)
    const buffers = (k: number) => ({
      top: new TopK(k + 1),
      ids: new Int32Array(k + 1),
      sims: new Float64Array(k + 1),
    });
    this.selection = {
      item: buffers(this.settings.item.listSize),
      user: buffers(this.settings.user.listSize),
    };
    // a list not computed is unknown until loaded (see loadList) or recomputed on read
    if (later.item) this.dirtyFlags('item').fill(NEVER_COMPUTED, 0, matrix.nItems);
    if (later.user) this.dirtyFlags('user').fill(NEVER_COMPUTED, 0, matrix.nUsers);
  }

  /** Called whenever a list is recomputed (its new content is in the model) or invalidated. */
  onListChange(
    listener: (side: Side, entity: number, change: 'recomputed' | 'invalidated') => void,
  ): void {
    this.listener = listener;
  }

  /** Whether entity a's list is current (not waiting for recomputation). */
  isListCurrent(side: Side, a: number): boolean {
    return this.dirtyFlags(side)[a] === CURRENT;
  }

  /** Installs a list computed elsewhere for the same ratings (dense indexes, best first). */
  loadList(side: Side, a: number, idx: Int32Array, sims: Float32Array, supports: Int32Array): void {
    const lists = this.current[side]?.lists;
    if (!lists) return;
    const n = Math.min(idx.length, lists.k);
    const start = listStart(lists, a);
    lists.idx.set(idx.subarray(0, n), start);
    lists.sim.set(sims.subarray(0, n), start);
    lists.support.set(supports.subarray(0, n), start);
    lists.length[a] = n;
    // what is outside a list read from elsewhere is unknown until it is recomputed here
    this.outsideBounds(side)[a] = Number.POSITIVE_INFINITY;
    this.dirtyFlags(side)[a] = CURRENT;
  }

  /**
   * The rating-set digest of the current ratings (engine/rating-digest.ts): a list
   * computed now reflects exactly these ratings.
   */
  get digest(): string {
    return digestHex(this.ratingDigest);
  }

  get config(): ModelConfig {
    return this.settings;
  }

  get model(): Model {
    return this.current;
  }

  get userCount(): number {
    return this.userIds.length;
  }

  /** Dense index of a MovieLens user id, or -1. */
  userIdx(id: number): number {
    return this.userIndex.get(id) ?? -1;
  }

  userId(idx: number): number {
    return this.userIds[idx];
  }

  /** Dense index of a MovieLens movie id, or -1. */
  itemIdx(id: number): number {
    let lo = 0;
    let hi = this.movieIds.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.movieIds[mid] === id) return mid;
      if (this.movieIds[mid] < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The user's current rating of a movie, or null. */
  ratingOf(u: number, i: number): { value: number; timestamp: number } | null {
    const p = this.position.get(this.key(u, i));
    return p === undefined ? null : { value: this.values[p], timestamp: this.timestamps[p] };
  }

  /** Every rating of a user (dense movie indexes), unordered. */
  ratingsOfUser(u: number): Array<{ item: number; value: number; timestamp: number }> {
    const out: Array<{ item: number; value: number; timestamp: number }> = [];
    const { byUser } = this.current.matrix;
    if (u < 0 || u >= byUser.rows) return out;
    for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) {
      const i = byUser.colIdx[p];
      const r = this.ratingOf(u, i);
      if (r) out.push({ item: i, ...r });
    }
    return out;
  }

  /**
   * Applies accepted events (already validated and durable) and brings the model up to
   * date, in two passes. First every event edits the ratings, matrix, spaces, means and
   * popularity in place (time proportional to the ratings it touches), noting what its
   * change may have cut off. Then each entity whose ratings changed, once however many of
   * the events changed it, has its own list recomputed from the final ratings, and the
   * lists its change can reach are marked for recomputation on read. A batch costs one
   * similarity row per distinct changed movie and user, not one per event, and leaves the
   * lists exactly as applying the events one at a time would. Returns how many lists it
   * invalidated (both kinds).
   */
  apply(events: ReadonlyArray<RatingEdit>): number {
    if (events.length > 0) this.revision++;
    const changed: Record<Side, Map<number, Changes>> = { item: new Map(), user: new Map() };
    const note = (side: Side, a: number, other: number, before: Reach) => {
      const known = changed[side].get(a);
      if (known) {
        known.others.push(other);
        known.before.push(before);
      } else changed[side].set(a, { others: [other], before: [before] });
    };
    for (const e of events) {
      const i = this.itemIdx(e.movieId);
      if (i < 0) throw new Error(`movie ${e.movieId} is not in the catalogue`);
      // a removal of a user not seen yet still counts: the rating it removes may arrive
      // after it (replicas deliver in any order), and must then stay out
      const isNew = this.userIdx(e.userId) < 0;
      const u = this.userIndexOf(e.userId, true);
      while (this.current.matrix.nUsers <= u) this.current = addUser(this.current);
      // a new user's list is empty until its first rating, and current as such
      if (isNew) this.listener?.('user', u, 'recomputed');
      const edited =
        e.kind === 'rate' ? this.put(u, i, e.rating, e.timestamp) : this.remove(u, i, e.timestamp);
      if (!edited) continue;
      const reach = { item: this.reachOf('item', u), user: this.reachOf('user', i) };
      const rating = this.ratingOf(u, i);
      if (!setRating(this.current, u, i, rating ? rating.value : null)) this.refit();
      note('item', i, u, reach.item);
      note('user', u, i, reach.user);
    }
    // the factor model's part of every changed rater is re-solved from its ratings now
    for (const u of changed.user.keys()) this.foldIn(u);
    if (this.scratch.user.sim.length < this.current.matrix.nUsers)
      this.scratch.user = rowScratch(this.current.matrix.nUsers * 2);
    let invalidated = 0;
    const batch = ++this.batches;
    for (const side of ['item', 'user'] as const) {
      for (const [a, changes] of changed[side])
        invalidated += this.invalidate(side, a, changes, batch);
    }
    this.listsInvalidated += invalidated;
    return invalidated;
  }

  /**
   * Re-solves user u's factors and bias from u's current ratings with the movies' held
   * (factors.ts): what the fit's last step gives u on the same ratings.
   */
  private foldIn(u: number): void {
    const f = this.current.factors;
    if (!f) return;
    this.factorScratch ??= solveScratch(f.k);
    foldInUser(this.current.matrix.byUser, u, f, this.factorScratch);
  }

  private factorScratch: SolveScratch | null = null;

  /**
   * Reads of neighbour lists through `ensureLists`: a hit was exact already, a miss had
   * been invalidated by a rating and was recomputed on the read.
   */
  readonly listReads = {
    item: { hit: 0, miss: 0 },
    user: { hit: 0, miss: 0 },
  };

  /** Recomputes every dirty list among `entities` of a side, so reading them is exact. */
  ensureLists(side: Side, entities: Iterable<number>): void {
    const flags = this.dirtyFlags(side);
    const read = this.readFlags(side);
    const reads = this.listReads[side];
    for (const a of entities) {
      if (a < 0 || a >= flags.length) continue;
      read[a] = 1;
      if (flags[a] !== CURRENT) {
        this.recomputeList(side, a);
        reads.miss++;
      } else reads.hit++;
    }
  }

  /**
   * Recomputes dirty lists ahead of their reads, while `more()` answers true (asked after
   * each list): first those that have been read before (what readers use), users before
   * movies (every recommendation reads its user's list), then the rest. Returns how many
   * it recomputed; 0 when no list is dirty. Exact whenever it runs: a list is recomputed
   * from the current ratings, as a read would.
   */
  refreshLists(more: () => boolean): number {
    let done = 0;
    for (const onlyRead of [true, false]) {
      for (const side of ['user', 'item'] as const) {
        if (!this.current[side]) continue;
        const flags = this.dirtyFlags(side);
        const read = this.readFlags(side);
        const n = side === 'item' ? this.current.matrix.nItems : this.current.matrix.nUsers;
        for (let a = 0; a < n; a++) {
          // a list never computed waits for its first read: computing every one in
          // the background would be the very build a start on first read avoids
          if (flags[a] !== INVALIDATED || (onlyRead && read[a] === 0)) continue;
          this.recomputeList(side, a);
          this.listsRefreshed++;
          done++;
          if (!more()) return done;
        }
      }
    }
    return done;
  }

  /** Per entity of a side, 1 once its list has been read (see refreshLists). */
  private readFlags(side: Side): Uint8Array {
    this.everRead[side] = atLeast(this.everRead[side], this.dirtyFlags(side).length, 0);
    return this.everRead[side];
  }

  private dirtyFlags(side: Side): Uint8Array {
    const n = side === 'item' ? this.current.matrix.nItems : this.current.matrix.nUsers;
    const flags = this.dirty[side];
    if (flags.length >= n) return flags;
    const grown = new Uint8Array(Math.max(n, 16) * 2);
    grown.set(flags);
    this.dirty[side] = grown;
    return grown;
  }

  /**
   * Before a's rating by `other` changes: the entities whose similarity to a the change
   * can move but a's new row may no longer reach. A new or changed rating only adds or
   * changes co-ratings, so a's new row reaches everything its old row did; a removal can
   * cut a's only link to an entity, and that link went through `other`, so those are
   * among the entities `other` rated. Collecting them costs a pass over one row, not a
   * similarity row. For adjusted cosine they are also the lists to invalidate outright.
   */
  private reachOf(side: Side, other: number): Reach {
    const rows = side === 'item' ? this.current.matrix.byUser : this.current.matrix.byItem;
    const ratedByOther = rows.colIdx.subarray(rows.rowPtr[other], rows.rowEnd[other]);
    return { row: ratedByOther.slice(), other: this.ratedBy(side, other) };
  }

  /** For adjusted cosine: the entities of `side` that `other` rated; otherwise none needed. */
  private ratedBy(side: Side, other: number): number[] {
    const sideModel = this.current[side];
    if (sideModel?.config.rankSimilarity.metric !== 'adjusted-cosine') return [];
    const rows = side === 'item' ? this.current.matrix.byUser : this.current.matrix.byItem;
    return Array.from(rows.colIdx.subarray(rows.rowPtr[other], rows.rowEnd[other]));
  }

  /**
   * The change of entity a's ratings (by `changes.others`) moved its similarity to the
   * entities its row reaches (before or after the changes), and for every metric but
   * adjusted cosine nothing else. Its own list is recomputed now. Another entity b's list
   * can change only through sim(a, b): it is edited in place where that is exact
   * (placeInList), and marked for recomputation on read where only a recomputation can
   * tell. Lists recomputed from the final ratings in this batch (`batch`) are left alone.
   */
  private invalidate(side: Side, a: number, changes: Changes, batch: number): number {
    const sideModel = this.current[side];
    if (!sideModel) return 0;
    const flags = this.dirtyFlags(side);
    const exact = this.recomputedIn(side);
    const s = this.scratch[side];
    let marked = 0;
    const mark = (b: number) => {
      if (b !== a && flags[b] === CURRENT && exact[b] !== batch) {
        flags[b] = INVALIDATED;
        marked++;
        this.listener?.(side, b, 'invalidated');
      }
    };
    // Centring on the other side's mean is not local: the rating moved the mean of
    // `other` (the rater, for item lists), which moves every pair that `other` co-rated,
    // so each list of an entity `other` rated (before or after) can change.
    for (const before of changes.before) for (const b of before.other) mark(b);
    for (const other of changes.others) for (const b of this.ratedBy(side, other)) mark(b);
    this.recomputeList(side, a, batch);
    marked++;
    const bounds = this.outsideBounds(side);
    const lists = sideModel.lists;
    const check = (b: number) => {
      if (b === a || b >= lists.length.length || flags[b] !== CURRENT || exact[b] === batch) return;
      const edit = placeInList(lists, b, a, s.sim[b], s.support[b], bounds);
      if (edit === 'unknown') mark(b);
      else if (edit === 'edited') {
        this.listsEdited++;
        this.listener?.(side, b, 'recomputed');
      }
    };
    // the entities a's new row reaches, then those only its old row may have reached
    // (placing a twice in one list gives the same list, so no set is needed)
    for (let t = 0; t < s.count; t++) check(s.touched[t]);
    for (const before of changes.before) {
      const row = before.row;
      for (let t = 0; t < row.length; t++) if (s.sim[row[t]] === 0) check(row[t]);
    }
    return marked;
  }

  /**
   * Per entity of a side, at least the best positive similarity outside its list (0 when
   * the list has room; Infinity when unknown, as for lists built or loaded in bulk), which
   * lets more changes edit a list in place (placeInList).
   */
  private outsideBounds(side: Side): Float32Array {
    const n = this.dirtyFlags(side).length;
    this.bounds[side] = atLeast(this.bounds[side], n, Number.POSITIVE_INFINITY);
    return this.bounds[side];
  }

  /** Per entity of a side, the batch that last recomputed its list (see apply). */
  private recomputedIn(side: Side): Uint32Array {
    this.batchStamps[side] = atLeast(this.batchStamps[side], this.dirtyFlags(side).length, 0);
    return this.batchStamps[side];
  }

  /** Recomputes one list from the current ratings; leaves the row in this side's scratch. */
  private recomputeList(side: Side, a: number, batch = 0): void {
    const sideModel = this.current[side];
    if (!sideModel) return;
    const s = this.scratch[side];
    const { lists, rankSpace } = sideModel;
    computeRow(rankSpace, a, s);
    const { top, ids, sims } = this.selection[side];
    // one more than the list holds: the best candidate left outside bounds the rest
    selectNeighbours(s, s.sim, top);
    const drained = top.drainSorted(ids, sims);
    const count = Math.min(drained, lists.k);
    writeList(lists, a, ids, sims, s.support, count);
    this.outsideBounds(side)[a] = drained > lists.k ? sims[lists.k] : 0;
    this.dirtyFlags(side)[a] = CURRENT;
    if (batch > 0) this.recomputedIn(side)[a] = batch;
    this.listsRecomputed++;
    this.listener?.(side, a, 'recomputed');
  }

  /**
   * Refits the matrix, spaces, means and popularity from the ratings, keeping the lists,
   * the baseline and the weights: the way out when the matrix has no room for an edit.
   */
  private refit(): void {
    const before = this.current;
    const matrix = this.matrix();
    const baseline = before.baseline;
    const side = (s: SideModel | null): SideModel | null => {
      if (!s) return null;
      const { config } = s;
      const predictSpace = similaritySpace(matrix, s.side, config.predictSimilarity, baseline);
      const rankSpace =
        s.rankSpace === s.predictSpace
          ? predictSpace
          : similaritySpace(matrix, s.side, config.rankSimilarity, baseline);
      return { ...s, predictSpace, rankSpace };
    };
    this.current = {
      ...before,
      matrix,
      popularity: computePopularity(matrix, baseline.mu, this.config.popularityDamping),
      userMeans: rowMeans(matrix.byUser, baseline.mu),
      item: side(before.item),
      user: side(before.user),
    };
    this.refits++;
  }

  private key(u: number, i: number): number {
    return u * this.movieIds.length + i;
  }

  private userIndexOf(id: number, create: boolean): number {
    const known = this.userIndex.get(id);
    if (known !== undefined || !create) return known ?? -1;
    const idx = this.userIds.length;
    this.userIds.push(id);
    this.userIndex.set(id, idx);
    return idx;
  }

  /**
   * Sets a rating unless a change ranking after it already decided this (user, movie)
   * (rating-order.ts), so replicas that receive the same events in different orders, or
   * twice, end with the same ratings. Returns whether anything changed.
   */
  private put(u: number, i: number, value: number, timestamp: number): boolean {
    const key = this.key(u, i);
    const removedAt = this.removedAt.get(key);
    if (removedAt !== undefined) {
      if (!ranksAfter(timestamp, false, value, removedAt, true, 0)) return false;
      this.removedAt.delete(key);
    }
    const p = this.position.get(key);
    if (p !== undefined) {
      if (!ranksAfter(timestamp, false, value, this.timestamps[p], false, this.values[p]))
        return false;
      this.forget(p);
      this.values[p] = value;
      this.timestamps[p] = timestamp;
      this.remember(p);
      return true;
    }
    if (this.size === this.users.length) this.grow();
    this.users[this.size] = u;
    this.items[this.size] = i;
    this.values[this.size] = value;
    this.timestamps[this.size] = timestamp;
    this.remember(this.size);
    this.position.set(key, this.size++);
    return true;
  }

  /** Takes rating p's (user, movie, value) out of the digest. */
  private forget(p: number): void {
    digestRating(
      this.ratingDigest,
      -1,
      this.userIds[this.users[p]],
      this.movieIds[this.items[p]],
      this.values[p],
    );
  }

  private remember(p: number): void {
    digestRating(
      this.ratingDigest,
      1,
      this.userIds[this.users[p]],
      this.movieIds[this.items[p]],
      this.values[p],
    );
  }

  /**
   * Swap-removes the rating unless it ranks after the removal, and remembers the
   * removal's time so a rating ranking before it, arriving later, cannot bring it back. A user left
   * without ratings keeps its index. Returns whether anything changed.
   */
  private remove(u: number, i: number, timestamp: number): boolean {
    const key = this.key(u, i);
    this.removedAt.set(key, Math.max(timestamp, this.removedAt.get(key) ?? timestamp));
    const p = this.position.get(key);
    if (
      p === undefined ||
      !ranksAfter(timestamp, true, 0, this.timestamps[p], false, this.values[p])
    )
      return false;
    this.forget(p);
    const last = --this.size;
    this.position.delete(key);
    if (p !== last) {
      this.users[p] = this.users[last];
      this.items[p] = this.items[last];
      this.values[p] = this.values[last];
      this.timestamps[p] = this.timestamps[last];
      this.position.set(this.key(this.users[p], this.items[p]), p);
    }
    return true;
  }

  private grow(): void {
    const cap = Math.ceil(this.users.length * 1.5);
    const u = new Int32Array(cap);
    u.set(this.users);
    const i = new Int32Array(cap);
    i.set(this.items);
    const v = new Float32Array(cap);
    v.set(this.values);
    const t = new Float64Array(cap);
    t.set(this.timestamps);
    this.users = u;
    this.items = i;
    this.values = v;
    this.timestamps = t;
  }

  /** The matrix of the current ratings, with room to edit. */
  private matrix(): SlackMatrix {
    const m = this.compactMatrix();
    return withSlack(m, this.spare(m.nnz));
  }

  private compactMatrix(memory: Memory = 'heap'): RatingMatrix {
    return buildRatingMatrix(
      this.users.subarray(0, this.size),
      this.items.subarray(0, this.size),
      this.values.subarray(0, this.size),
      this.userIds.length,
      this.movieIds.length,
      memory,
    );
  }
}

/**
 * `a` when it holds `n` entries already, else a copy grown to `n` with the new entries set
 * to `fill`: the per-entity arrays sized like the dirty flags grow with them.
 */
function atLeast<T extends Uint8Array | Uint32Array | Float32Array>(
  a: T,
  n: number,
  fill: number,
): T {
  if (a.length >= n) return a;
  const grown = new (a.constructor as new (length: number) => T)(n);
  if (fill !== 0) grown.fill(fill);
  grown.set(a);
  return grown;
}

/**
 * A list's state, one byte per entity: current; invalidated by a change (recomputed on
 * read, or ahead of it in the background); or never computed (left for later at start:
 * loaded from a store or computed on its first read, never in the background).
 */
const CURRENT = 0;
const INVALIDATED = 1;
const NEVER_COMPUTED = 2;

/** Ratings indexed per turn of the event loop by LiveModel.start: about 0.2 s each. */
const INDEX_SLICE = 200_000;

/** Which sides' lists are left for later (loaded, or computed on first read). */
function laterSides(lists: ListsAtStart): Record<Side, boolean> {
  return { item: lists === 'later', user: lists !== 'compute' };
}

/** Copies lists built elsewhere (the same entities and k) into the model's own. */
function copyLists(from: NeighbourLists, to: NeighbourLists): void {
  to.length.set(from.length);
  to.idx.set(from.idx);
  to.sim.set(from.sim);
  to.support.set(from.support);
}

export interface StartOptions {
  /**
   * Threads that build the lists and fit the factor model (default: one per core); this
   * thread only waits.
   */
  readonly threads?: number;
  readonly room?: Room;
  /** Hears each phase's progress, a fraction from 0 to 1. */
  readonly progress?: (phase: StartPhase, fraction: number) => void;
}

export type StartPhase =
  | 'indexing ratings'
  | 'similarities'
  | 'movie lists'
  | 'user lists'
  | 'factors'
  | 'weights';

/** Which neighbour lists a live model computes when it is created (see LiveModel.create). */
export type ListsAtStart = 'compute' | 'later' | 'movies';

/** How much free space the editable matrix keeps (tests make it tiny to force refits). */
export interface Room {
  readonly spare?: (nnz: number) => number;
}

/** What the events of one batch did to one entity's ratings. */
interface Changes {
  /** The entities on the other side whose rating of it changed (the raters, for a movie). */
  readonly others: number[];
  /** What each of those changes may have cut off, taken just before it. */
  readonly before: Reach[];
}

interface Reach {
  /** Entities a's similarity row may have reached before the change and not after. */
  readonly row: Int32Array;
  /** Adjusted cosine only: the entities `other` had rated before the change. */
  readonly other: ReadonlyArray<number>;
}
