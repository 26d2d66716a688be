import type { ReactNode } from 'react';
import type { MovieSummary } from './documents.ts';

/**
 * A movie's title as a button that opens its details, with its year and genres: the
 * first line of every movie the page lists.
 */
export function MovieTitle(props: {
  readonly movie: MovieSummary;
  readonly onOpen: (movieId: string) => void;
}): ReactNode {
  const { movie, onOpen } = props;
  return (
    <div className="movie-title">
      <button
        type="button"
        className="link title"
        onClick={() => onOpen(movie.id)}
        data-testid="movie-title"
      >
        {movie.title}
      </button>
      {movie.year !== null && <span className="year"> ({movie.year})</span>}
      {movie.genres.length > 0 && <span className="genres">{movie.genres.join(' · ')}</span>}
    </div>
  );
}
