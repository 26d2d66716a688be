import type { ReactNode } from 'react';
import { RATINGS_READ } from './documents.ts';
import { MovieTitle } from './movie-title.tsx';
import { useRatings } from './ratings.tsx';
import { StarRating } from './star-rating.tsx';

/** The user's latest ratings, newest first, each with its stars to change or remove it. */
export function YourRatings(props: { readonly onOpen: (movieId: string) => void }): ReactNode {
  const { userId, user } = useRatings();
  if (userId === null || !user) return null;
  const edges = user.ratings.edges;
  return (
    <section className="panel" aria-labelledby="yours-heading">
      <h2 id="yours-heading">Your ratings</h2>
      <p className="muted">
        {user.ratingCount} rated
        {user.meanRating !== null && `, ${user.meanRating.toFixed(2)}★ on average`}
        {user.ratingCount > RATINGS_READ && ` (the latest ${RATINGS_READ} shown)`}
      </p>
      <ul className="movies compact" data-testid="your-ratings">
        {edges.map(({ node }) => (
          <li key={node.movie.id}>
            <MovieTitle movie={node.movie} onOpen={props.onOpen} />
            <StarRating movie={node.movie} />
          </li>
        ))}
      </ul>
    </section>
  );
}
