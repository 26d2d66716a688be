import { type ReactNode, useState } from 'react';
import type { MovieSummary } from './documents.ts';
import { formatStars, useRatings } from './ratings.tsx';

const STARS = [1, 2, 3, 4, 5] as const;

/**
 * Five stars, each split into two buttons: the left half rates n - 0.5, the right half n,
 * which is the ml-latest scale (0.5 to 5 in halves). Each half is a real button whose
 * text ("4.5 stars") is read out and found by tests, while the eye sees half a star.
 */
export function StarRating(props: { readonly movie: MovieSummary }): ReactNode {
  const { movie } = props;
  const ratings = useRatings();
  const [preview, setPreview] = useState<number | null>(null);
  if (ratings.userId === null) return null;
  const value = ratings.valueOf(movie.id);
  const busy = ratings.pendingMovieId === movie.id;
  const shown = preview ?? value ?? 0;

  const half = (stars: number, side: 'left' | 'right') => {
    const v = side === 'left' ? stars - 0.5 : stars;
    return (
      <button
        type="button"
        key={side}
        className={`half ${side}${v <= shown ? ' filled' : ''}`}
        aria-pressed={v === value}
        disabled={busy}
        onClick={() => ratings.rate(movie, v)}
        onMouseEnter={() => setPreview(v)}
        onMouseLeave={() => setPreview(null)}
        onFocus={() => setPreview(v)}
        onBlur={() => setPreview(null)}
      >
        <span className="visually-hidden">{formatStars(v)}</span>
        <span className="glyph" aria-hidden="true">
          ★
        </span>
      </button>
    );
  };

  return (
    <fieldset className="star-rating" data-testid="star-rating" data-value={value ?? ''}>
      <legend className="visually-hidden">Your rating of {movie.title}</legend>
      {STARS.map((n) => (
        <span className="star" key={n}>
          {half(n, 'left')}
          {half(n, 'right')}
        </span>
      ))}
      <span className="rating-value">{value === null ? 'not rated' : value}</span>
      {value !== null && (
        <button
          type="button"
          className="link"
          disabled={busy}
          onClick={() => ratings.remove(movie)}
        >
          Remove<span className="visually-hidden"> rating of {movie.title}</span>
        </button>
      )}
    </fieldset>
  );
}
