import { type ReactNode, useEffect, useRef } from 'react';
import { useQuery } from 'urql';
import { LIST_SIZE, MovieQuery } from './documents.ts';
import { describeError } from './errors.ts';
import { MovieTitle } from './movie-title.tsx';
import { StarRating } from './star-rating.tsx';

/** Tags past this many are left out: some movies carry dozens. */
const TAGS_SHOWN = 12;

/** One movie opened: its statistics, tags, the user's stars and the movies like it. */
export function MovieDetails(props: {
  readonly movieId: string;
  readonly onOpen: (movieId: string) => void;
  readonly onClose: () => void;
}): ReactNode {
  const [result] = useQuery({
    query: MovieQuery,
    variables: { id: props.movieId, similarFirst: LIST_SIZE },
  });
  const heading = useRef<HTMLHeadingElement>(null);
  const movie = result.data?.movie;
  const loadedId = movie?.id;

  // Opening a movie (here or from a similar one) moves the focus to it, so keyboard and
  // screen-reader users land where the page changed.
  useEffect(() => {
    if (loadedId !== undefined) heading.current?.focus();
  }, [loadedId]);

  return (
    <section
      className="panel details"
      aria-labelledby="details-heading"
      data-testid="movie-details"
    >
      <div className="panel-head">
        <h2 id="details-heading" ref={heading} tabIndex={-1}>
          {movie ? movie.title : 'Movie'}
          {movie?.year != null && <span className="year"> ({movie.year})</span>}
        </h2>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      {result.error && <p role="alert">{describeError(result.error)}</p>}
      {result.data && movie === null && <p role="alert">No movie with id {props.movieId}.</p>}
      {!result.data && result.fetching && <p className="muted">Loading…</p>}
      {movie && (
        <>
          <p className="muted">
            {movie.genres.join(' · ') || 'no genre listed'} ·{' '}
            {movie.averageRating === null
              ? 'no ratings yet'
              : `★ ${movie.averageRating.toFixed(2)} from ${movie.ratingCount} ratings`}
          </p>
          <StarRating movie={movie} />
          {movie.tags.length > 0 && (
            <ul className="tags" aria-label="Tags">
              {movie.tags.slice(0, TAGS_SHOWN).map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ul>
          )}
          <h3>Similar movies</h3>
          {movie.similar.length === 0 ? (
            <p className="muted">No other movie shares enough raters with this one.</p>
          ) : (
            <ol className="similar" data-testid="similar-movies" aria-label="Similar movies">
              {movie.similar.map((s) => (
                <li key={s.movie.id} data-testid="similar-movie">
                  <MovieTitle movie={s.movie} onOpen={props.onOpen} />
                  <span className="muted">
                    similarity {s.similarity.toFixed(2)}, rated together by {s.support}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}
