import { type AlgorithmName, algorithmByName } from '../engine/algorithms.ts';
import type { LiveModel } from '../engine/live-model.ts';
import { findInRow, type Side } from '../engine/matrix.ts';
import type { Model } from '../engine/model.ts';
import { listEnd, listStart } from '../engine/neighbours.ts';
import { predictRatings } from '../engine/predict.ts';
import {
  explainAll,
  type Reason,
  type RecommendScratch,
  recommendForUser,
  recommendScratch,
} from '../engine/recommend.ts';
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
/** Recommendation answers kept by default (each about 10 movies with their reasons). */
export const DEFAULT_CACHE_ENTRIES = 10_000;

/** What identifies a recommendation request's answer, at one revision of the ratings. */
function answerKey(req: RecommendationRequest): string {
  return `${req.userId}|${req.strategy}|${req.first}|${req.excludeRated}|${JSON.stringify(req.genres)}`;
}

/**
 * Recommendations, neighbours, predicted ratings and the reasons behind them, for
 * batches keyed by MovieLens ids (one call per DataLoader batch). The lists a batch needs
 * are made current first: read from the shared store when there is one (one round trip
 * per side), computed here otherwise.
 */
export class Recommender {
  /** Answers computed at `revision`, by request (see recommendations). */
  private readonly answers = new Map<string, RecommendationView[]>();
  private revision = -1;
  private scratch: RecommendScratch | null = null;

  constructor(
    private readonly live: LiveModel,
    private readonly queries: CatalogueQueries,
    private readonly sync: () => ListSync | null,
    /** Recommendation answers kept while the ratings do not change; 0: none. */
    private readonly cacheEntries = DEFAULT_CACHE_ENTRIES,
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
  /**
   * Top-N for a batch of requests. An answer is a function of the request and the ratings
   * alone (lists are exact for the ratings, the baseline and weights are fixed until the
   * next start), so answers are kept until the live model's revision moves: any applied
   * rating, local or from another replica, drops them all.
   */
  async recommendations(
    requests: ReadonlyArray<RecommendationRequest>,
  ): Promise<RecommendationView[][]> {
    const out: Array<RecommendationView[] | undefined> = requests.map((req) => this.cached(req));
    const missing = requests.filter((_, t) => out[t] === undefined);
    if (missing.length === 0) return out as RecommendationView[][];
    await this.prepareLists(missing);
    // the lists were read at this revision: a rating applied during the read is in them
    const revision = this.live.revision;
    const computed = this.compute(missing);
    let m = 0;
    return requests.map((req, t) => {
      const known = out[t];
      if (known) return known;
      const answer = computed[m++];
      if (this.live.revision === revision) this.remember(req, answer);
      return answer;
    });
  }
  private cached(req: RecommendationRequest): RecommendationView[] | undefined {
    if (this.revision !== this.live.revision) {
      this.answers.clear();
      this.revision = this.live.revision;
      return undefined;
    }
    return this.answers.get(answerKey(req));
  }
  private remember(req: RecommendationRequest, answer: RecommendationView[]): void {
    if (this.cacheEntries === 0) return;
    if (this.revision !== this.live.revision) {
      this.answers.clear();
      this.revision = this.live.revision;
    }
    // first in, first out: a full cache drops its oldest answer
    if (this.answers.size >= this.cacheEntries) {
      const oldest = this.answers.keys().next().value;
      if (oldest !== undefined) this.answers.delete(oldest);
    }
    this.answers.set(answerKey(req), answer);
  }
  /** The scores' buffers, kept between batches and grown with the catalogue. */
  private scratchFor(model: Model): RecommendScratch {
    if (!this.scratch || this.scratch.itemScores.length < model.matrix.nItems)
      this.scratch = recommendScratch(model);
    return this.scratch;
  }
  private compute(requests: ReadonlyArray<RecommendationRequest>): RecommendationView[][] {
    const model = () => this.live.model;
    const scratch = this.scratchFor(model());
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
    return picked.map(({ u, req, recs, scales }) => {
      const explained = recs.filter((r) => r.source !== 'popularity').map((r) => r.item);
      const reasons = explainAll(model(), u, explained, req.strategy, MAX_REASONS, scales);
      let k = 0;
      return recs.map(
        (r): RecommendationView => ({
          movieId: this.live.movieIds[r.item],
          score: r.score,
          prediction: {
            userId: req.userId,
            movieId: this.live.movieIds[r.item],
            strategy: req.strategy,
          },
          source: r.source === 'popularity' ? 'POPULARITY' : 'NEIGHBOURS',
          reasons: r.source === 'popularity' ? [] : this.reasonViews(u, r.item, reasons[k++]),
        }),
      );
    });
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
  private reasonViews(u: number, item: number, reasons: ReadonlyArray<Reason>): ReasonView[] {
    const { byUser } = this.live.model.matrix;
    return reasons.map((r): ReasonView => {
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
      const p = findInRow(byUser, r.index, item);
      const rating = p < 0 ? null : byUser.values[p];
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
