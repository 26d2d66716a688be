import { type AlgorithmName, algorithmByName } from '../engine/algorithms.ts';
import type { LiveModel } from '../engine/live-model.ts';
import type { Side } from '../engine/matrix.ts';
import { listEnd, listStart } from '../engine/neighbours.ts';
import { predictRatings } from '../engine/predict.ts';
import { explain, recommendForUser, recommendScratch } from '../engine/recommend.ts';
import type { CatalogueQueries } from './catalogue-queries.ts';
import type { ListSync } from './list-sync.ts';
import type {
  PredictionRequest,
  ReasonView,
  RecommendationRequest,
  RecommendationView,
  SimilarMovieView,
  SimilarUserView,
} from './views.ts';

/** Reasons shown per recommendation. */
const MAX_REASONS = 3;

/**
 * Recommendations, neighbours, predicted ratings and the reasons behind them, for
 * batches keyed by MovieLens ids (one call per DataLoader batch). The lists a batch needs
 * are made current first: read from the shared store when there is one (one round trip
 * per side), computed here otherwise.
 */
export class Recommender {
  constructor(
    private readonly live: LiveModel,
    private readonly queries: CatalogueQueries,
    private readonly sync: () => ListSync | null,
  ) {}

  async similarMovies(
    requests: ReadonlyArray<{ movieId: number; first: number }>,
  ): Promise<SimilarMovieView[][]> {
    const lists = await this.neighbours(
      'item',
      requests.map((r) => ({ entity: this.live.itemIdx(r.movieId), first: r.first })),
    );
    return lists.map((list) =>
      list.map((n) => ({
        movieId: this.live.movieIds[n.index],
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
      const allowed =
        req.genres.length > 0 ? this.queries.genreMask('genres', req.genres) : undefined;
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
          movieId: this.live.movieIds[r.item],
          score: r.score,
          prediction: {
            userId: req.userId,
            movieId: this.live.movieIds[r.item],
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
   * null for a strategy that is not personal (popularity) and for unknown movies.
   */
  async predictedRatings(
    requests: ReadonlyArray<PredictionRequest>,
  ): Promise<Array<number | null>> {
    const predicted = this.predictFor(
      requests.map((r) => ({
        u: this.live.userIdx(r.userId),
        strategy: r.strategy,
        items: [this.live.itemIdx(r.movieId)],
      })),
    );
    return predicted.map((p) => p[0]);
  }
  /**
   * Makes current every list a batch of recommendations reads, as each strategy declares
   * (the lists of the movies the user rated, the user's own list), one store read per side.
   */
  private async prepareLists(requests: ReadonlyArray<RecommendationRequest>): Promise<void> {
    const items = new Set<number>();
    const users = new Set<number>();
    const { byUser } = this.live.model.matrix;
    for (const req of requests) {
      const u = this.live.userIdx(req.userId);
      if (u < 0) continue;
      const { reads } = algorithmByName[req.strategy];
      if (reads.ratedMovies) {
        for (let p = byUser.rowPtr[u]; p < byUser.rowEnd[u]; p++) items.add(byUser.colIdx[p]);
      }
      if (reads.ownList) users.add(u);
    }
    await this.readLists('item', [...items]);
    await this.readLists('user', [...users]);
  }
  /** Current lists for these entities: from the store when there is one, else computed here. */
  private async readLists(side: Side, entities: ReadonlyArray<number>): Promise<void> {
    await this.sync()?.read(side, entities);
    this.live.ensureLists(side, entities);
  }
  /** Each group's predicted ratings; null for an unknown movie (index -1). */
  private predictFor(
    groups: ReadonlyArray<{ u: number; strategy: AlgorithmName; items: number[] }>,
  ): Array<Array<number | null>> {
    const out = groups.map((g) => g.items.map((): number | null => null));
    const byStrategy = new Map<AlgorithmName, Array<{ g: number; t: number }>>();
    groups.forEach((g, k) => {
      if (!algorithmByName[g.strategy].personal) return;
      for (let t = 0; t < g.items.length; t++) {
        if (g.items[t] < 0) continue;
        const list = byStrategy.get(g.strategy) ?? [];
        list.push({ g: k, t });
        byStrategy.set(g.strategy, list);
      }
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
    strategy: AlgorithmName,
    scales: { item: number; user: number },
  ): ReasonView[] {
    const { byUser } = this.live.model.matrix;
    return explain(this.live.model, u, item, strategy, MAX_REASONS, scales).map((r): ReasonView => {
      if (r.kind === 'item') {
        const rating = this.live.ratingOf(u, r.index);
        return {
          kind: 'RATED_MOVIE',
          weight: r.weight,
          movieId: this.live.movieIds[r.index],
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
}
