import type { ReactNode } from 'react';
import { useQuery } from 'urql';
import { RATINGS_CONTEXT } from './client.ts';
import {
  LIST_SIZE,
  type Recommendation,
  RecommendationsQuery,
  STRATEGIES,
  type Strategy,
} from './documents.ts';
import { describeError } from './errors.ts';
import { MovieTitle } from './movie-title.tsx';
import { useRatings } from './ratings.tsx';
import { StarRating } from './star-rating.tsx';

/**
 * Why a movie is recommended, in words: each rated movie behind it ("because you rated
 * Heat"), then one line for the similar users, who are anonymous ids and mean little one
 * by one.
 */
function Reasons(props: { readonly reasons: Recommendation['reasons'] }): ReactNode {
  const rated = props.reasons.filter((r) => r.kind === 'RATED_MOVIE' && r.movie !== null);
  const users = props.reasons.filter((r) => r.kind === 'SIMILAR_USER' && r.user !== null);
  if (rated.length === 0 && users.length === 0) return null;
  return (
    <ul className="reasons" aria-label="Why">
      {rated.map((r) => (
        <li key={`movie-${r.movie?.id}`}>
          because you rated {r.movie?.title}
          {r.rating !== null && <span className="muted"> ({r.rating}★)</span>}
        </li>
      ))}
      {users.length > 0 && (
        <li>
          users like you rated it
          <span className="muted">
            {' '}
            (user{users.length === 1 ? '' : 's'} {users.map((r) => r.user?.id).join(', ')})
          </span>
        </li>
      )}
    </ul>
  );
}

/**
 * The user's recommendations under the chosen strategy. They refetch after every rating
 * (see RATINGS_CONTEXT), and the list says which strategy its items came from, so a
 * reader (or a test) can tell a reloaded list from the one before.
 */
export function RecommendationList(props: {
  readonly strategy: Strategy;
  readonly onStrategy: (strategy: Strategy) => void;
  readonly onOpen: (movieId: string) => void;
}): ReactNode {
  const { userId, user } = useRatings();
  const [result] = useQuery({
    query: RecommendationsQuery,
    variables: { userId: userId ?? '', strategy: props.strategy, first: LIST_SIZE },
    pause: userId === null,
    context: RATINGS_CONTEXT,
  });
  const items = result.data?.recommendations;
  const shown = result.operation?.variables;

  return (
    <section className="panel" aria-labelledby="recs-heading">
      <div className="panel-head">
        <h2 id="recs-heading">Recommended for you</h2>
        <label>
          Strategy
          <select
            value={props.strategy}
            onChange={(e) => props.onStrategy(e.target.value as Strategy)}
            data-testid="strategy-select"
          >
            {STRATEGIES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {userId === null && <p className="muted">Pick a user or start as a new one to see these.</p>}
      {userId !== null && user === null && (
        <p className="hint">
          You have not rated anything yet, so these are the most popular movies. Rate a few and the
          list becomes yours.
        </p>
      )}
      {result.error && <p role="alert">{describeError(result.error)}</p>}
      {userId !== null && items && (
        <ol
          className="recommendations"
          data-testid="recommendations"
          data-strategy={shown?.strategy}
          data-user-id={shown?.userId}
          aria-busy={result.fetching}
          aria-label="Recommendations"
        >
          {items.length === 0 && <li className="muted">Nothing to recommend.</li>}
          {items.map((r) => (
            <li key={r.movie.id} data-testid="recommendation" data-source={r.source}>
              <MovieTitle movie={r.movie} onOpen={props.onOpen} />
              <div className="movie-meta">
                <span className={`badge ${r.source === 'POPULARITY' ? 'popular' : 'personal'}`}>
                  {r.source === 'POPULARITY' ? 'popular' : 'for you'}
                </span>
                {r.predictedRating !== null && (
                  <span className="muted">you'd give it about {r.predictedRating.toFixed(1)}★</span>
                )}
                <StarRating movie={r.movie} />
              </div>
              <Reasons reasons={r.reasons} />
            </li>
          ))}
        </ol>
      )}
      {userId !== null && !items && result.fetching && (
        <p className="muted">Loading recommendations…</p>
      )}
    </section>
  );
}
