import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Dataset, RatingColumns, RatingScale } from '../data/types.ts';
import type { Side } from '../engine/matrix.ts';
import type { HybridWeights, ModelConfig } from '../engine/model.ts';
import { listEnd, listStart } from '../engine/neighbours.ts';
import { predictRatings, type Strategy } from '../engine/predict.ts';
import { digestHex, ratingSetDigest } from '../engine/rating-digest.ts';
import { explain, recommendForUser, recommendScratch } from '../engine/recommend.ts';
import type { Metrics } from '../metrics.ts';
import type { NeighbourStore } from '../store/neighbour-store.ts';
import type { RatingEvent } from '../store/rating-event.ts';
import type { RatingLog } from '../store/rating-log.ts';
import type { RatingStream } from '../store/rating-stream.ts';
import { buildCatalog, type Catalog } from './catalog.ts';
import { BadInputError, NotFoundError, quote, RatingNotSavedError } from './errors.ts';
import { HybridClock } from './hybrid-clock.ts';
import { ListSync } from './list-sync.ts';
import { LiveModel } from './live-model.ts';
import { replayRatings } from './replay.ts';
import { Replication } from './replication.ts';
import { decodeCursor } from './validate.ts';
import type {
  GenreView,
  MoviePage,
  MovieView,
  PredictionRequest,
  RateMovieResult,
  RatingPage,
  RatingView,
  ReasonView,
  RecommendationRequest,
  RecommendationView,
  RemoveRatingResult,
  SimilarMovieView,
  SimilarUserView,
  UserView,
} from './views.ts';

export type MovieOrder = 'POPULARITY' | 'AVERAGE_RATING' | 'TITLE' | 'YEAR';

export interface MovieFilter {
  readonly search?: string | null;
  readonly genres?: ReadonlyArray<string> | null;
  readonly yearFrom?: number | null;
  readonly yearTo?: number | null;
}

/** Reasons shown per recommendation. */
const MAX_REASONS = 3;

/**
 * What the GraphQL layer calls: batch reads keyed by MovieLens ids (one call per
 * DataLoader batch) and the two mutations. Mutations are validated against the current
 * state, made durable in the rating log, and only then applied to the live model, in log
 * order; a rejected mutation changes nothing.
 */
export class RecommenderService {
  /** The last queued mutation of each (user, movie) pair with one in flight. */
  private readonly pending = new Map<string, Promise<void>>();
  /** Keeps a shared NeighbourStore in step with the lists, when there is one. */
  private sync: ListSync | null = null;
  /** Keeps this replica in step with the others through Redis, when there are any. */
  private replication: Replication | null = null;
  /** Where counters go, once the server provides them. */
  metrics: Metrics | null = null;

  private constructor(
    readonly dataset: Dataset,
    readonly catalog: Catalog,
    readonly live: LiveModel,
    private readonly log: RatingLog | null,
    private readonly logger: Logger | null,
    /** Issues the timestamps of accepted ratings (see hybrid-clock.ts). */
    readonly clock: HybridClock,
  ) {}

  /**
   * Builds the model from the data set plus the journal's events (applied to the ratings
   * by the rating order before fitting, so a restart serves what was acknowledged).
   */
  static create(
    dataset: Dataset,
    replay: ReadonlyArray<RatingEvent>,
    config: ModelConfig,
    hybrid: 'fit' | HybridWeights,
    log: RatingLog | null,
    logger: Logger | null = null,
    clock: HybridClock = new HybridClock(),
  ): RecommenderService {
    const { catalog, ratings, removals, scaled } = modelInputs(dataset, replay, config, hybrid);
    const live = LiveModel.create(
      catalog.movieIds,
      ratings,
      scaled,
      hybrid,
      'compute',
      {},
      removals,
    );
    observeAll(clock, ratings.timestamps, replay);
    return new RecommenderService(dataset, catalog, live, log, logger, clock);
  }

  /**
   * Like create, with the neighbour lists shared through a store. When the store already
   * holds this model version (the same data set, journal and settings), its lists and
   * hybrid weights are reused and nothing is recomputed up front (a warm start);
   * otherwise the model is fitted and its lists published under the version.
   */
  static async createWithStore(
    dataset: Dataset,
    replay: ReadonlyArray<RatingEvent>,
    config: ModelConfig,
    hybrid: 'fit' | HybridWeights,
    log: RatingLog | null,
    logger: Logger | null,
    store: NeighbourStore,
    preload = true,
    onPublish?: (done: number, total: number) => void,
    clock: HybridClock = new HybridClock(),
  ): Promise<{ service: RecommenderService; warm: boolean; listsLoaded: number }> {
    const { catalog, ratings, removals, scaled, version } = modelInputs(
      dataset,
      replay,
      config,
      hybrid,
    );
    const meta = (await store.currentVersion()) === version ? await store.getMeta(version) : null;
    const stored = meta?.weights ? (JSON.parse(meta.weights) as HybridWeights) : null;
    const live = LiveModel.create(
      catalog.movieIds,
      ratings,
      scaled,
      stored ?? hybrid,
      stored ? 'later' : 'compute',
      {},
      removals,
    );
    observeAll(clock, ratings.timestamps, replay);
    const service = new RecommenderService(dataset, catalog, live, log, logger, clock);
    service.sync = new ListSync(store, version, live, logger, () => clock.position);
    if (stored) {
      // preloading moves every list once; without it each is read from the store when
      // first needed (one HMGET per side per batch)
      const listsLoaded = preload ? await service.sync.loadAll() : 0;
      return { service, warm: true, listsLoaded };
    }
    await service.sync.publishAll({ weights: JSON.stringify(live.config.hybrid) }, onPublish);
    return { service, warm: false, listsLoaded: 0 };
  }

  /**
   * The model of a distributed list build: fitted (weights too, unless `fitted` gives them) without its lists,
   * with the version a service on the same inputs would compute, and a ListSync that
   * computes and writes any range of lists into `store`.
   */
  static forListBuild(
    dataset: Dataset,
    replay: ReadonlyArray<RatingEvent>,
    config: ModelConfig,
    hybrid: 'fit' | HybridWeights,
    store: NeighbourStore,
    fitted?: HybridWeights,
  ): { version: string; sync: ListSync; weights: HybridWeights } {
    const { catalog, ratings, removals, scaled, version } = modelInputs(
      dataset,
      replay,
      config,
      hybrid,
    );
    // workers take the weights the coordinator fitted: the lists do not depend on them,
    // and fitting them again in every worker would only cost time
    const live = LiveModel.create(
      catalog.movieIds,
      ratings,
      scaled,
      fitted ?? hybrid,
      'later',
      {},
      removals,
    );
    return { version, sync: new ListSync(store, version, live, null), weights: live.config.hybrid };
  }

  /**
   * What a distributed build's coordinator needs without fitting the model: the version,
   * how many movies and users there are, and the weights (fitted only when asked to fit).
   */
  static buildPlan(
    dataset: Dataset,
    replay: ReadonlyArray<RatingEvent>,
    config: ModelConfig,
    hybrid: 'fit' | HybridWeights,
  ): { version: string; items: number; users: number; weights: HybridWeights } {
    const { catalog, ratings, scaled, version } = modelInputs(dataset, replay, config, hybrid);
    const weights =
      hybrid === 'fit'
        ? LiveModel.create(catalog.movieIds, ratings, scaled, hybrid, 'later').config.hybrid
        : hybrid;
    return {
      version,
      items: catalog.movieIds.length,
      users: new Set(ratings.userIds).size,
      weights,
    };
  }

  get scale(): RatingScale {
    return this.dataset.scale;
  }

  movies(ids: ReadonlyArray<number>): Array<MovieView | null> {
    return ids.map((id) => this.movieView(this.live.itemIdx(id)));
  }

  users(ids: ReadonlyArray<number>): Array<UserView | null> {
    return ids.map((id) => {
      const u = this.live.userIdx(id);
      if (u < 0) return null;
      const { byUser } = this.live.model.matrix;
      const count = byUser.rowEnd[u] - byUser.rowPtr[u];
      let sum = 0;
      for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) sum += byUser.values[p];
      return { id, ratingCount: count, meanRating: count > 0 ? sum / count : null };
    });
  }

  genres(): ReadonlyArray<GenreView> {
    return this.catalog.genres;
  }

  listMovies(
    filter: MovieFilter,
    order: MovieOrder,
    first: number,
    after: string | null | undefined,
  ): MoviePage {
    const offset = decodeCursor('after', 'movies', after);
    const allowed = filter.genres?.length ? this.genreMask('filter.genres', filter.genres) : null;
    const search = filter.search ?? '';
    if (search.length > MAX_SEARCH_LENGTH) {
      throw new BadInputError(
        'filter.search',
        `filter.search must be at most ${MAX_SEARCH_LENGTH} characters, got ${search.length}`,
      );
    }
    const words = search
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w.length > 0);
    const matches: number[] = [];
    const { info, searchText } = this.catalog;
    for (let i = 0; i < info.length; i++) {
      if (allowed && allowed[i] === 0) continue;
      const year = info[i].year;
      if (filter.yearFrom != null && (year === null || year < filter.yearFrom)) continue;
      if (filter.yearTo != null && (year === null || year > filter.yearTo)) continue;
      if (words.length > 0 && !words.every((w) => searchText[i].includes(w))) continue;
      matches.push(i);
    }
    const { count, dampedMean } = this.live.model.popularity;
    const byId = (a: number, b: number) => a - b;
    const compare: Record<MovieOrder, (a: number, b: number) => number> = {
      POPULARITY: (a, b) => count[b] - count[a] || byId(a, b),
      AVERAGE_RATING: (a, b) => dampedMean[b] - dampedMean[a] || byId(a, b),
      TITLE: (a, b) =>
        searchText[a] < searchText[b] ? -1 : searchText[a] > searchText[b] ? 1 : byId(a, b),
      YEAR: (a, b) => (info[b].year ?? -1) - (info[a].year ?? -1) || byId(a, b),
    };
    matches.sort(compare[order]);
    const nodes = matches.slice(offset, offset + first).map((i) => this.movieView(i) as MovieView);
    return { nodes, offset, totalCount: matches.length };
  }

  ratingsOf(userId: number, first: number, after: string | null | undefined): RatingPage {
    const offset = decodeCursor('after', 'ratings', after);
    const u = this.live.userIdx(userId);
    const all = this.live
      .ratingsOfUser(u)
      .sort(
        (a, b) =>
          b.timestamp - a.timestamp ||
          this.catalog.movieIds[a.item] - this.catalog.movieIds[b.item],
      );
    const nodes = all.slice(offset, offset + first).map(
      (r): RatingView => ({
        userId,
        movieId: this.catalog.movieIds[r.item],
        value: r.value,
        timestamp: r.timestamp,
      }),
    );
    return { nodes, offset, totalCount: all.length };
  }

  async similarMovies(
    requests: ReadonlyArray<{ movieId: number; first: number }>,
  ): Promise<SimilarMovieView[][]> {
    const lists = await this.neighbours(
      'item',
      requests.map((r) => ({ entity: this.live.itemIdx(r.movieId), first: r.first })),
    );
    return lists.map((list) =>
      list.map((n) => ({
        movieId: this.catalog.movieIds[n.index],
        similarity: n.similarity,
        support: n.support,
      })),
    );
  }

  async similarUsers(
    requests: ReadonlyArray<{ userId: number; first: number }>,
  ): Promise<SimilarUserView[][]> {
    const lists = await this.neighbours(
      'user',
      requests.map((r) => ({ entity: this.live.userIdx(r.userId), first: r.first })),
    );
    return lists.map((list) =>
      list.map((n) => ({
        userId: this.live.userId(n.index),
        similarity: n.similarity,
        support: n.support,
      })),
    );
  }

  /** The first entries of each entity's current neighbour list (dense indexes). */
  private async neighbours(
    side: Side,
    requests: ReadonlyArray<{ entity: number; first: number }>,
  ): Promise<Array<Array<{ index: number; similarity: number; support: number }>>> {
    await this.readLists(
      side,
      requests.map((r) => r.entity),
    );
    const lists = this.live.model[side]?.lists;
    return requests.map(({ entity, first }) => {
      const out: Array<{ index: number; similarity: number; support: number }> = [];
      if (!lists || entity < 0) return out;
      for (
        let q = listStart(lists, entity), end = listEnd(lists, entity);
        q < end && out.length < first;
        q++
      ) {
        out.push({ index: lists.idx[q], similarity: lists.sim[q], support: lists.support[q] });
      }
      return out;
    });
  }

  /** Top-N for a batch of requests; predicted ratings are computed per strategy in one pass. */
  async recommendations(
    requests: ReadonlyArray<RecommendationRequest>,
  ): Promise<RecommendationView[][]> {
    await this.prepareLists(requests);
    const model = () => this.live.model;
    const scratch = recommendScratch(model());
    const picked = requests.map((req) => {
      const u = this.live.userIdx(req.userId);
      const allowed = req.genres.length > 0 ? this.genreMask('genres', req.genres) : undefined;
      const recs = recommendForUser(
        model(),
        u,
        { strategy: req.strategy, n: req.first, excludeRated: req.excludeRated, allowed },
        scratch,
      );
      return { u, req, recs, scales: { ...scratch.scales } };
    });
    return picked.map(({ u, req, recs, scales }) =>
      recs.map(
        (r): RecommendationView => ({
          movieId: this.catalog.movieIds[r.item],
          score: r.score,
          prediction: {
            userId: req.userId,
            movieId: this.catalog.movieIds[r.item],
            strategy: req.strategy,
          },
          source: r.source === 'popularity' ? 'POPULARITY' : 'NEIGHBOURS',
          reasons: r.source === 'popularity' ? [] : this.reasons(u, r.item, req.strategy, scales),
        }),
      ),
    );
  }

  /**
   * Predicted ratings for a batch, one pass per strategy (each needs similarity rows, so
   * they are computed only for the recommendations whose predictedRating was asked for).
   * null for the popularity strategy and for unknown movies.
   */
  async predictedRatings(
    requests: ReadonlyArray<PredictionRequest>,
  ): Promise<Array<number | null>> {
    const items = requests.map((r) => this.live.itemIdx(r.movieId));
    const predicted = this.predictFor(
      requests.map((r, k) => ({
        u: this.live.userIdx(r.userId),
        strategy: items[k] < 0 ? 'popularity' : r.strategy,
        items: [items[k]],
      })),
    );
    return predicted.map((p) => p[0]);
  }

  /**
   * Records a rating once it is durable; returns it with the value it replaced. Its
   * timestamp comes from the replica's clock when the write's turn comes (`nowSeconds`
   * sets it, for tests of the order), so it ranks after every change applied so far.
   */
  rate(
    userId: number,
    movieId: number,
    value: number,
    nowSeconds?: number,
  ): Promise<RateMovieResult> {
    return this.exclusive(userId, movieId, () => this.rateNow(userId, movieId, value, nowSeconds));
  }

  /** Removes a rating once the removal is durable. */
  remove(userId: number, movieId: number, nowSeconds?: number): Promise<RemoveRatingResult> {
    return this.exclusive(userId, movieId, () => this.removeNow(userId, movieId, nowSeconds));
  }

  /** Throws BAD_USER_INPUT naming `field` unless every genre exists. */
  checkGenres(field: string, names: ReadonlyArray<string>): void {
    if (names.length > 0) this.genreMask(field, names);
  }

  /**
   * Runs mutations of one (user, movie) one after another, so each validates against the
   * state the previous one left (two removals of one rating: the second is NOT_FOUND).
   * Mutations of different pairs still run together and share journal flushes.
   */
  private async exclusive<T>(userId: number, movieId: number, run: () => Promise<T>): Promise<T> {
    const key = `${userId}:${movieId}`;
    const previous = this.pending.get(key) ?? Promise.resolve();
    const current = previous.then(run, run);
    const settled = current.then(
      () => undefined,
      () => undefined,
    );
    this.pending.set(key, settled);
    try {
      return await current;
    } finally {
      if (this.pending.get(key) === settled) this.pending.delete(key);
    }
  }

  private async rateNow(
    userId: number,
    movieId: number,
    value: number,
    at: number | undefined,
  ): Promise<RateMovieResult> {
    const i = this.requireMovie(movieId);
    const nowSeconds = at ?? this.clock.next();
    const u = this.live.userIdx(userId);
    const previous = u >= 0 ? this.live.ratingOf(u, i) : null;
    const event: RatingEvent = {
      kind: 'rate',
      userId,
      movieId,
      rating: value,
      timestamp: nowSeconds,
    };
    await this.commit(event);
    return {
      rating: { userId, movieId, value, timestamp: nowSeconds },
      previousValue: previous ? previous.value : null,
    };
  }

  private async removeNow(
    userId: number,
    movieId: number,
    at: number | undefined,
  ): Promise<RemoveRatingResult> {
    const i = this.requireMovie(movieId);
    const u = this.live.userIdx(userId);
    const existing = u >= 0 ? this.live.ratingOf(u, i) : null;
    if (!existing) {
      throw new NotFoundError(
        'input',
        `user ${userId} has no rating of movie ${movieId} to remove`,
      );
    }
    await this.commit({ kind: 'remove', userId, movieId, timestamp: at ?? this.clock.next() });
    return { rating: { userId, movieId, value: existing.value, timestamp: existing.timestamp } };
  }

  /** Sends list changes and ratings Redis missed (call when it is reachable again); never rejects. */
  async resyncRedis(): Promise<void> {
    if (this.replication) return this.replication.resync();
    await this.sync?.flush();
  }

  /**
   * Joins the replicas sharing `stream`: publishes the journal events it lacks (`own`;
   * `shared` is what the stream held when the model was loaded from it), then keeps
   * applying the others' ratings as they arrive.
   */
  async joinStream(
    stream: RatingStream,
    own: ReadonlyArray<RatingEvent>,
    shared: ReadonlyArray<RatingEvent> = [],
  ): Promise<void> {
    const log = this.log;
    this.replication = new Replication(
      stream,
      {
        apply: (events) => this.applyShared(events),
        flushLists: () => this.sync?.flush() ?? Promise.resolve(),
        listsBehind: () => this.sync?.behind ?? false,
        acknowledgedEvents: () => log?.acknowledgedEvents() ?? Promise.resolve([]),
      },
      this.logger,
    );
    await this.replication.join(own, shared);
  }

  /** Applies ratings other replicas accepted. */
  private applyShared(events: RatingEvent[]): void {
    const known = events.filter((e) => this.live.itemIdx(e.movieId) >= 0);
    if (known.length < events.length) {
      this.logger?.warn(
        { skipped: events.length - known.length },
        'stream ratings of unknown movies skipped',
      );
    }
    for (const e of known) this.clock.observe(e.timestamp);
    const invalidated = this.live.apply(known);
    this.metrics?.ratingsApplied.inc({ source: 'stream' }, known.length);
    this.metrics?.listsInvalidated.inc({ source: 'stream' }, invalidated);
    this.metrics?.listsInvalidatedPerRating.observe(
      { source: 'stream' },
      invalidated / Math.max(1, known.length),
    );
    this.logger?.debug(
      { events: known.length, invalidated },
      'applied ratings from other replicas',
    );
    void this.sync?.flush();
  }

  /** Whether Redis lags behind this process: list changes or ratings not sent yet. */
  get redisBehind(): boolean {
    return this.replication?.behind ?? this.sync?.behind ?? false;
  }

  /** The version the lists of this model are kept under in the store, if there is one. */
  get listVersion(): string | null {
    return this.sync?.version ?? null;
  }

  async close(): Promise<void> {
    await this.replication?.close();
    await this.log?.close();
  }

  private async commit(event: RatingEvent): Promise<void> {
    try {
      await this.log?.append([event]);
    } catch (err) {
      // nothing was applied: the model changes only after the event is durable
      this.logger?.error({ err }, 'rating journal write failed; the rating was refused');
      throw new RatingNotSavedError(
        `the rating was not saved: the rating journal cannot be written (${journalProblem(err)}); nothing changed, retry later`,
      );
    }
    this.clock.observe(event.timestamp);
    const invalidated = this.live.apply([event]);
    this.metrics?.ratingsApplied.inc({ source: 'local' });
    this.metrics?.listsInvalidated.inc({ source: 'local' }, invalidated);
    this.metrics?.listsInvalidatedPerRating.observe({ source: 'local' }, invalidated);
    await this.sync?.flush();
    // durable in the journal already: if Redis is away the event waits in an outbox
    await this.replication?.accepted(event);
    this.logger?.debug(
      { userId: event.userId, movieId: event.movieId, kind: event.kind, invalidated },
      `rating applied: ${invalidated} neighbour lists invalidated`,
    );
  }

  private requireMovie(movieId: number): number {
    const i = this.live.itemIdx(movieId);
    if (i < 0)
      throw new NotFoundError(
        'input.movieId',
        `movie ${movieId} does not exist in ${this.dataset.name}`,
      );
    return i;
  }

  /**
   * Makes current every list a batch of recommendations reads: the lists of the movies
   * each user rated (item-based) and of each user (user-based), one store read per side.
   */
  private async prepareLists(requests: ReadonlyArray<RecommendationRequest>): Promise<void> {
    const items = new Set<number>();
    const users = new Set<number>();
    const { byUser } = this.live.model.matrix;
    for (const req of requests) {
      const u = this.live.userIdx(req.userId);
      if (u < 0 || req.strategy === 'popularity') continue;
      if (req.strategy === 'item' || req.strategy === 'hybrid') {
        for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) items.add(byUser.colIdx[p]);
      }
      if (req.strategy === 'user' || req.strategy === 'hybrid') users.add(u);
    }
    await this.readLists('item', [...items]);
    await this.readLists('user', [...users]);
  }

  /** Current lists for these entities: from the store when there is one, else computed here. */
  private async readLists(side: Side, entities: ReadonlyArray<number>): Promise<void> {
    await this.sync?.read(side, entities);
    this.live.ensureLists(side, entities);
  }

  private predictFor(
    groups: ReadonlyArray<{ u: number; strategy: Strategy; items: number[] }>,
  ): Array<Array<number | null>> {
    const out = groups.map((g) => g.items.map((): number | null => null));
    const byStrategy = new Map<Strategy, Array<{ g: number; t: number }>>();
    groups.forEach((g, k) => {
      if (g.strategy === 'popularity') return;
      const list = byStrategy.get(g.strategy) ?? [];
      for (let t = 0; t < g.items.length; t++) list.push({ g: k, t });
      byStrategy.set(g.strategy, list);
    });
    for (const [strategy, slots] of byStrategy) {
      const users = Int32Array.from(slots, ({ g }) => groups[g].u);
      const items = Int32Array.from(slots, ({ g, t }) => groups[g].items[t]);
      const p = predictRatings(this.live.model, strategy, users, items);
      slots.forEach(({ g, t }, s) => {
        out[g][t] = p.estimate[s];
      });
    }
    return out;
  }

  private reasons(
    u: number,
    item: number,
    strategy: Strategy,
    scales: { item: number; user: number },
  ): ReasonView[] {
    const { byUser } = this.live.model.matrix;
    return explain(this.live.model, u, item, strategy, MAX_REASONS, scales).map((r): ReasonView => {
      if (r.kind === 'item') {
        const rating = this.live.ratingOf(u, r.index);
        return {
          kind: 'RATED_MOVIE',
          weight: r.weight,
          movieId: this.catalog.movieIds[r.index],
          userId: null,
          rating: rating?.value ?? null,
        };
      }
      let rating: number | null = null;
      for (let p = byUser.rowPtr[r.index]; p < byUser.rowEnd[r.index]; p++) {
        if (byUser.colIdx[p] === item) rating = byUser.values[p];
      }
      return {
        kind: 'SIMILAR_USER',
        weight: r.weight,
        movieId: null,
        userId: this.live.userId(r.index),
        rating,
      };
    });
  }

  private genreMask(field: string, names: ReadonlyArray<string>): Uint8Array {
    const wanted = new Set<number>();
    for (const name of names) {
      const g = this.catalog.genreNumber.get(name);
      if (g === undefined) {
        const known = this.catalog.genres.map((x) => x.name).join(', ');
        throw new BadInputError(
          field,
          `${field}: unknown genre ${quote(name)}; the genres are ${known}`,
        );
      }
      wanted.add(g);
    }
    const mask = new Uint8Array(this.catalog.movieIds.length);
    this.catalog.genreBits.forEach((bits, i) => {
      if (bits.some((g) => wanted.has(g))) mask[i] = 1;
    });
    return mask;
  }

  private movieView(i: number): MovieView | null {
    if (i < 0) return null;
    const m = this.catalog.info[i];
    const { byItem } = this.live.model.matrix;
    const count = byItem.rowEnd[i] - byItem.rowPtr[i];
    let sum = 0;
    for (let p = byItem.rowPtr[i]; p < byItem.rowEnd[i]; p++) sum += byItem.values[p];
    return {
      id: m.id,
      title: m.title,
      year: m.year,
      genres: m.genres,
      averageRating: count > 0 ? sum / count : null,
      ratingCount: count,
      tags: this.catalog.tags[i],
      imdbId: m.imdbId,
      tmdbId: m.tmdbId,
    };
  }
}

/** What a model starts from, and the version that names its lists. */
function modelInputs(
  dataset: Dataset,
  replay: ReadonlyArray<RatingEvent>,
  config: ModelConfig,
  hybrid: 'fit' | HybridWeights,
) {
  const catalog = buildCatalog(dataset);
  const { ratings, removals } = replayRatings(dataset.ratings, replay);
  const scaled = { ...config, scale: dataset.scale };
  const version = modelVersion(catalog.movieIds, ratings, scaled, hybrid);
  return { catalog, ratings, removals, scaled, version };
}

/**
 * Names the lists and weights a model would compute: a hash of the ratings actually
 * loaded (every user, movie, value and timestamp, through the order-independent rating
 * digest: about a second for 25 million ratings), the catalogue, and every setting that
 * changes a list or a weight. Replicas that load the same content agree on it, so one can
 * reuse what another published; different content never shares a version.
 */
function modelVersion(
  movieIds: Int32Array,
  ratings: RatingColumns,
  config: ModelConfig,
  hybrid: 'fit' | HybridWeights,
): string {
  const content = ratingSetDigest(
    ratings.userIds,
    ratings.movieIds,
    ratings.values,
    ratings.length,
    ratings.timestamps,
  );
  return createHash('sha256')
    .update(JSON.stringify([digestHex(content), ratings.length, config, hybrid]))
    .update(new Uint8Array(movieIds.buffer, movieIds.byteOffset, movieIds.byteLength))
    .digest('hex')
    .slice(0, 16);
}

/** Makes the clock rank every later rating after everything loaded. */
function observeAll(
  clock: HybridClock,
  timestamps: ArrayLike<number>,
  events: ReadonlyArray<RatingEvent>,
): void {
  let latest = 0;
  for (let t = 0; t < timestamps.length; t++) if (timestamps[t] > latest) latest = timestamps[t];
  for (const e of events) if (e.timestamp > latest) latest = e.timestamp;
  clock.observe(latest);
}

/** Longest title search accepted: longer ones cannot match a title and only cost time. */
export const MAX_SEARCH_LENGTH = 200;

/** The system's reason a journal write failed (ENOSPC, EROFS...), without paths. */
function journalProblem(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause ?? err;
  const code = (cause as { code?: unknown })?.code;
  if (code === 'ENOSPC') return 'ENOSPC: no space left on the device';
  if (code === 'EROFS') return 'EROFS: the file system is read-only';
  if (code === 'EFBIG') return 'EFBIG: the file is at its size limit';
  if (code === 'EACCES' || code === 'EPERM') return `${code}: permission denied`;
  if (code === 'EIO') return 'EIO: an input/output error';
  return typeof code === 'string' ? code : 'the journal is closed or unwritable';
}
