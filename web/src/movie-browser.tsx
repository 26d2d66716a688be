import { type FormEvent, type ReactNode, useState } from 'react';
import { useQuery } from 'urql';
import {
  GenresQuery,
  type MovieOrder,
  MoviesQuery,
  type MoviesVariables,
  ORDERS,
  PAGE_SIZE,
} from './documents.ts';
import { describeError } from './errors.ts';
import { MovieTitle } from './movie-title.tsx';
import { StarRating } from './star-rating.tsx';

interface Filter {
  readonly search: string;
  readonly genre: string;
  readonly orderBy: MovieOrder;
}

/**
 * The catalogue: a title search, a genre and an order, a page of PAGE_SIZE movies at a
 * time. The pages are a stack of `endCursor`s, so "Previous" goes back without the
 * server supporting `before`.
 */
export function MovieBrowser(props: { readonly onOpen: (movieId: string) => void }): ReactNode {
  const [draft, setDraft] = useState('');
  const [filter, setFilter] = useState<Filter>({ search: '', genre: '', orderBy: 'POPULARITY' });
  // cursors[i] is the `after` of page i + 1; page 1 has none
  const [cursors, setCursors] = useState<ReadonlyArray<string>>([]);
  const [genres] = useQuery({ query: GenresQuery, variables: {} });

  const variables: MoviesVariables = {
    filter: {
      ...(filter.search.trim() === '' ? {} : { search: filter.search.trim() }),
      ...(filter.genre === '' ? {} : { genres: [filter.genre] }),
    },
    orderBy: filter.orderBy,
    first: PAGE_SIZE,
    after: cursors.at(-1) ?? null,
  };
  const [result] = useQuery({ query: MoviesQuery, variables });
  const movies = result.data?.movies;

  const apply = (next: Partial<Filter>) => {
    setFilter({ ...filter, ...next });
    setCursors([]);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply({ search: draft });
  };
  const first = cursors.length * PAGE_SIZE + 1;

  return (
    <section className="panel" aria-labelledby="browse-heading">
      <h2 id="browse-heading">Browse movies</h2>
      <search>
        <form className="filters" onSubmit={submit}>
          <label>
            Title
            <input
              type="search"
              value={draft}
              placeholder="e.g. heat, star wars"
              maxLength={200}
              onChange={(e) => setDraft(e.target.value)}
              data-testid="search-input"
            />
          </label>
          <button type="submit">Search</button>
          <label>
            Genre
            <select
              value={filter.genre}
              onChange={(e) => apply({ genre: e.target.value })}
              data-testid="genre-select"
            >
              <option value="">All genres</option>
              {genres.data?.genres.map((g) => (
                <option key={g.name} value={g.name}>
                  {g.name} ({g.movieCount})
                </option>
              ))}
            </select>
          </label>
          <label>
            Order
            <select
              value={filter.orderBy}
              onChange={(e) => apply({ orderBy: e.target.value as MovieOrder })}
            >
              {ORDERS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        </form>
      </search>
      {genres.error && <p role="alert">Genres: {describeError(genres.error)}</p>}
      {result.error && <p role="alert">{describeError(result.error)}</p>}
      {movies && (
        <>
          <p className="muted" aria-live="polite" data-testid="search-summary">
            {movies.totalCount === 0
              ? 'No movie matches.'
              : `Movies ${first}–${first + movies.edges.length - 1} of ${movies.totalCount}`}
          </p>
          <ul
            className="movies"
            data-testid="search-results"
            aria-busy={result.fetching}
            aria-label="Search results"
          >
            {movies.edges.map(({ node }) => (
              <li key={node.id} data-testid="movie-row" data-movie-id={node.id}>
                <MovieTitle movie={node} onOpen={props.onOpen} />
                <div className="movie-meta">
                  <span className="muted">
                    {node.averageRating === null
                      ? 'no ratings yet'
                      : `★ ${node.averageRating.toFixed(1)} from ${node.ratingCount} ratings`}
                  </span>
                  <StarRating movie={node} />
                </div>
              </li>
            ))}
          </ul>
          <div className="pager">
            <button
              type="button"
              disabled={cursors.length === 0}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              Previous page
            </button>
            <button
              type="button"
              disabled={!movies.pageInfo.hasNextPage || movies.pageInfo.endCursor === null}
              onClick={() => {
                const next = movies.pageInfo.endCursor;
                if (next !== null) setCursors([...cursors, next]);
              }}
            >
              Next page
            </button>
          </div>
        </>
      )}
      {!movies && result.fetching && <p className="muted">Loading movies…</p>}
    </section>
  );
}
