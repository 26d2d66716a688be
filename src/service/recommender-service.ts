import type { Logger } from 'pino';
import type { Dataset, RatingScale } from '../data/types.ts';
import { type ListsAtStart, LiveModel, type TimedRatings } from '../engine/live-model.ts';
import type { HybridSource, HybridWeights, ModelConfig } from '../engine/model.ts';
import { defaultModelConfig } from '../engine/model.ts';
import type { Removal } from '../engine/rating-order.ts';
import type { NeighbourStore } from '../store/neighbour-store.ts';
import type { RatingEvent } from '../store/rating-event.ts';
import type { RatingLog } from '../store/rating-log.ts';
import type { RatingStream } from '../store/rating-stream.ts';
import type { Catalog } from './catalog.ts';
import { CatalogueQueries, type MovieFilter, type MovieOrder } from './catalogue-queries.ts';
import { HybridClock } from './hybrid-clock.ts';
import { ListRefresher } from './list-refresher.ts';
import { ListSync } from './list-sync.ts';
import { modelInputs, observeAll } from './model-inputs.ts';
import { RatingWriter } from './rating-writer.ts';
import { Recommender } from './recommender.ts';
import { Replication } from './replication.ts';
import type { ServiceObserver } from './service-observer.ts';
import type {
  GenreView,
  MoviePage,
  MovieView,
  PredictionRequest,
  RateMovieResult,
  RatingPage,
  RecommendationRequest,
  RecommendationView,
  RemoveRatingResult,
  SimilarMovieView,
  SimilarUserView,
  UserView,
} from './views.ts';

export type { MovieFilter, MovieOrder } from './catalogue-queries.ts';
export { MAX_SEARCH_LENGTH } from './catalogue-queries.ts';

/** What a service starts from. */
export interface ServiceInputs {
  readonly dataset: Dataset;
  /**
   * Rating changes on top of the data set (the journal's, and what the replicas shared),
   * applied by the rating order before the fit.
   */
  readonly events?: ReadonlyArray<RatingEvent>;
  /** Default: defaultModelConfig. */
  readonly config?: ModelConfig;
  /** Fit the hybrid's weights at start, or use these. */
  readonly hybrid: HybridSource;
  /** Where accepted changes are made durable; none: kept in memory only. */
  readonly log?: RatingLog | null;
  readonly logger?: Logger | null;
  /** Times accepted ratings; default a hybrid clock on the wall clock. */
  readonly clock?: HybridClock;
  /** Recommendation answers kept while the ratings do not change (default 10,000; 0: none). */
  readonly recommendationCache?: number;
  /**
   * Recompute invalidated lists in the background after ratings (list-refresher.ts), so
   * reads rarely wait for them (default false: each list is recomputed when first read).
   */
  readonly refreshLists?: boolean;
  /**
   * When the users' neighbour lists are computed: at start, each when first read (a start
   * on a large data set then builds the movies' lists only), or (`auto`, the default) at
   * start up to USER_LISTS_AT_START_UP_TO ratings and on first read above.
   */
  readonly userLists?: UserLists;
  /**
   * Build the model with the event loop free (LiveModel.start: lists and weights on
   * worker threads), telling `progress` how far each phase is; without it the model is
   * built on this thread in one piece (LiveModel.create), as tests and tools do.
   */
  readonly background?: {
    readonly progress?: (phase: string, fraction: number) => void;
    /** Threads that build the lists (default one per core). */
    readonly threads?: number;
  };
}

/** A service whose neighbour lists are shared through a store (Redis). */
export interface SharedServiceInputs extends ServiceInputs {
  readonly store: NeighbourStore;
  /** Load every list of a warm start up front (default), or each when first read. */
  readonly preload?: boolean;
  /** Told how far a cold start's publishing of every list has got. */
  readonly onPublish?: (done: number, total: number) => void;
}

/**
 * What the GraphQL layer calls, put together from the parts that do the work: catalogue
 * queries (catalogue-queries.ts), recommendations and neighbours (recommender.ts),
 * accepted changes (rating-writer.ts), the lists shared through a store (list-sync.ts)
 * and replication through Redis (replication.ts). Reads are batches keyed by MovieLens
 * ids (one call per DataLoader batch).
 */
export class RecommenderService {
  private sync: ListSync | null = null;
  private replication: Replication | null = null;
  private readonly queries: CatalogueQueries;
  private readonly recommender: Recommender;
  private readonly writer: RatingWriter;
  private readonly refresher: ListRefresher | null;

  readonly dataset: Dataset;

  private constructor(
    dataset: Dataset,
    readonly catalog: Catalog,
    readonly live: LiveModel,
    private readonly log: RatingLog | null,
    private readonly logger: Logger | null,
    /** Issues the timestamps of accepted ratings (see hybrid-clock.ts). */
    readonly clock: HybridClock,
    options: Pick<ServiceInputs, 'recommendationCache' | 'refreshLists'>,
  ) {
    // the columns are in the model now: keeping them would hold 20 bytes per rating
    this.dataset = { ...dataset, ratings: noRatings };
    this.queries = new CatalogueQueries(this.dataset, catalog, live);
    this.recommender = new Recommender(
      live,
      this.queries,
      () => this.sync,
      options.recommendationCache,
    );
    this.refresher = options.refreshLists
      ? new ListRefresher(live, () => void this.sync?.flush())
      : null;
    this.writer = new RatingWriter(live, this.queries, log, clock, logger);
    // a change is written to the shared lists, then published to the other replicas
    this.writer.onCommitted(async (event) => {
      await this.sync?.flush();
      // durable in the journal already: if Redis is away the event waits in an outbox
      await this.replication?.accepted(event);
    });
    this.writer.onApplied(() => {
      void this.sync?.flush();
      this.refresher?.wake();
    });
  }

  /**
   * Builds the model from the data set plus the given changes (applied by the rating
   * order before fitting, so a restart serves what was acknowledged).
   */
  static create(inputs: ServiceInputs): RecommenderService {
    const { dataset, events = [], hybrid } = inputs;
    const { catalog, ratings, removals, scaled } = modelInputs(
      dataset,
      events,
      inputs.config ?? defaultModelConfig,
      hybrid,
    );
    const live = LiveModel.create(
      catalog.movieIds,
      ratings,
      scaled,
      hybrid,
      listsAtStart(inputs.userLists, ratings.length),
      {},
      removals,
    );
    return RecommenderService.around(inputs, catalog, ratings.timestamps, live);
  }

  /** The service around a fitted model, its clock placed after every rating loaded. */
  private static around(
    inputs: ServiceInputs,
    catalog: Catalog,
    timestamps: ArrayLike<number>,
    live: LiveModel,
  ): RecommenderService {
    const clock = inputs.clock ?? new HybridClock();
    observeAll(clock, timestamps, inputs.events ?? []);
    return new RecommenderService(
      inputs.dataset,
      catalog,
      live,
      inputs.log ?? null,
      inputs.logger ?? null,
      clock,
      inputs,
    );
  }

  /** Like create, building the model in the background when `inputs.background` says so. */
  static async start(inputs: ServiceInputs): Promise<RecommenderService> {
    const { dataset, events = [], hybrid } = inputs;
    const { catalog, ratings, removals, scaled } = modelInputs(
      dataset,
      events,
      inputs.config ?? defaultModelConfig,
      hybrid,
    );
    const lists = listsAtStart(inputs.userLists, ratings.length);
    const live = await fitLive(inputs, catalog.movieIds, ratings, scaled, hybrid, lists, removals);
    return RecommenderService.around(inputs, catalog, ratings.timestamps, live);
  }

  /**
   * Like create, with the neighbour lists shared through a store. When the store already
   * holds this model version (the same content and settings), its lists and hybrid
   * weights are reused and nothing is recomputed up front (a warm start); otherwise the
   * model is fitted and its lists published under the version.
   */
  static async createWithStore(
    inputs: SharedServiceInputs,
  ): Promise<{ service: RecommenderService; warm: boolean; listsLoaded: number }> {
    const { dataset, events = [], hybrid, store } = inputs;
    const { catalog, ratings, removals, scaled, version } = modelInputs(
      dataset,
      events,
      inputs.config ?? defaultModelConfig,
      hybrid,
    );
    const meta = (await store.currentVersion()) === version ? await store.getMeta(version) : null;
    const stored = meta?.weights ? (JSON.parse(meta.weights) as HybridWeights) : null;
    const lists = stored ? 'later' : listsAtStart(inputs.userLists, ratings.length);
    const live = await fitLive(
      inputs,
      catalog.movieIds,
      ratings,
      scaled,
      stored ?? hybrid,
      lists,
      removals,
    );
    const service = RecommenderService.around(inputs, catalog, ratings.timestamps, live);
    const { clock } = service;
    service.sync = new ListSync(store, version, live, inputs.logger ?? null, () => clock.position);
    if (stored) {
      // preloading moves every list once; without it each is read from the store when
      // first needed (one HMGET per side per batch)
      const listsLoaded = (inputs.preload ?? true) ? await service.sync.loadAll() : 0;
      return { service, warm: true, listsLoaded };
    }
    await service.sync.publishAll(
      { weights: JSON.stringify(live.config.hybrid) },
      inputs.onPublish,
    );
    return { service, warm: false, listsLoaded: 0 };
  }

  /** Where counts go (the server's metrics). */
  set observer(observer: ServiceObserver | null) {
    this.writer.observer = observer;
  }

  get scale(): RatingScale {
    return this.dataset.scale;
  }

  movies(ids: ReadonlyArray<number>): Array<MovieView | null> {
    return this.queries.movies(ids);
  }

  users(ids: ReadonlyArray<number>): Array<UserView | null> {
    return this.queries.users(ids);
  }

  genres(): ReadonlyArray<GenreView> {
    return this.queries.genres();
  }

  listMovies(
    filter: MovieFilter,
    order: MovieOrder,
    first: number,
    after: string | null | undefined,
  ): MoviePage {
    return this.queries.listMovies(filter, order, first, after);
  }

  ratingsOf(userId: number, first: number, after: string | null | undefined): RatingPage {
    return this.queries.ratingsOf(userId, first, after);
  }

  /** Throws BAD_USER_INPUT naming `field` unless every genre exists. */
  checkGenres(field: string, names: ReadonlyArray<string>): void {
    this.queries.checkGenres(field, names);
  }

  similarMovies(
    requests: ReadonlyArray<{ movieId: number; first: number }>,
  ): Promise<SimilarMovieView[][]> {
    return this.recommender.similarMovies(requests);
  }

  similarUsers(
    requests: ReadonlyArray<{ userId: number; first: number }>,
  ): Promise<SimilarUserView[][]> {
    return this.recommender.similarUsers(requests);
  }

  recommendations(requests: ReadonlyArray<RecommendationRequest>): Promise<RecommendationView[][]> {
    return this.recommender.recommendations(requests);
  }

  predictedRatings(requests: ReadonlyArray<PredictionRequest>): Promise<Array<number | null>> {
    return this.recommender.predictedRatings(requests);
  }

  /** See RatingWriter.rate. */
  rate(
    userId: number,
    movieId: number,
    value: number,
    nowSeconds?: number,
  ): Promise<RateMovieResult> {
    return this.writer.rate(userId, movieId, value, nowSeconds);
  }

  /** See RatingWriter.remove. */
  remove(userId: number, movieId: number, nowSeconds?: number): Promise<RemoveRatingResult> {
    return this.writer.remove(userId, movieId, nowSeconds);
  }

  /**
   * Applies changes another process made durable (a peer worker of a multi-process
   * service), by the rating order, as the replication applies other replicas'.
   */
  applyShared(events: RatingEvent[]): void {
    this.writer.applyShared(events);
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
        apply: (events) => this.writer.applyShared(events),
        flushLists: () => this.sync?.flush() ?? Promise.resolve(),
        listsBehind: () => this.sync?.behind ?? false,
        acknowledgedEvents: () => log?.acknowledgedEvents() ?? Promise.resolve([]),
      },
      this.logger,
    );
    await this.replication.join(own, shared);
  }

  /** Whether Redis lags behind this process: list changes or ratings not sent yet. */
  get redisBehind(): boolean {
    return this.replication?.behind ?? this.sync?.behind ?? false;
  }

  async close(): Promise<void> {
    this.refresher?.close();
    await this.replication?.close();
    await this.log?.close();
  }
}

/**
 * The live model of a service: built in the background (LiveModel.start, with the
 * caller's progress and threads) when the inputs ask for it, else on this thread.
 */
function fitLive(
  inputs: ServiceInputs,
  movieIds: Int32Array,
  ratings: TimedRatings,
  config: ModelConfig,
  hybrid: HybridSource,
  lists: ListsAtStart,
  removals: ReadonlyArray<Removal>,
): Promise<LiveModel> {
  return inputs.background
    ? LiveModel.start(movieIds, ratings, config, hybrid, lists, removals, inputs.background)
    : Promise.resolve(LiveModel.create(movieIds, ratings, config, hybrid, lists, {}, removals));
}

const noRatings = {
  length: 0,
  userIds: new Int32Array(0),
  movieIds: new Int32Array(0),
  values: new Float32Array(0),
  timestamps: new Float64Array(0),
};

export type UserLists = 'auto' | 'start' | 'read';

/**
 * Ratings up to which `auto` builds the users' lists at start: the users' side grows with
 * the square of the data (seconds on 5M ratings; on 25M, more than the three minutes the
 * rest of a start takes, so the lists come on first read instead).
 */
export const USER_LISTS_AT_START_UP_TO = 10_000_000;

export function listsAtStart(
  userLists: UserLists | undefined,
  ratings: number,
): 'compute' | 'movies' {
  const onRead =
    userLists === 'read' || (userLists === 'auto' && ratings > USER_LISTS_AT_START_UP_TO);
  return onRead ? 'movies' : 'compute';
}
