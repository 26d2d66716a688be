import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { RATINGS_CONTEXT } from './client.ts';
import {
  type MovieSummary,
  RATINGS_READ,
  RateMovieMutation,
  RemoveRatingMutation,
  type UserData,
  UserQuery,
} from './documents.ts';
import { describeError } from './errors.ts';

/** A line for the status bar: what the last write did, or why it failed. */
export interface Notice {
  readonly kind: 'info' | 'error';
  readonly text: string;
}

/** The current user's ratings and the writes that change them, for any component. */
export interface Ratings {
  /** Null until a user is picked. */
  readonly userId: string | null;
  /** The user as the service knows them; null for a new user, undefined while loading. */
  readonly user: UserData['user'] | undefined;
  /** The user's rating of a movie, when it is among their latest RATINGS_READ. */
  valueOf(movieId: string): number | null;
  rate(movie: MovieSummary, value: number): void;
  remove(movie: MovieSummary): void;
  /** The movie whose write is in flight, if any. */
  readonly pendingMovieId: string | null;
  readonly notice: Notice | null;
  /** A failure to read the user, shown beside the user picker. */
  readonly loadError: string | null;
}

const RatingsContext = createContext<Ratings | null>(null);

export function useRatings(): Ratings {
  const ratings = useContext(RatingsContext);
  if (!ratings) throw new Error('useRatings needs a <RatingsProvider> above it');
  return ratings;
}

/** Formats a rating as the page shows it: 4.5 -> "4.5", 4 -> "4". */
export function formatStars(value: number): string {
  return `${value} star${value === 1 ? '' : 's'}`;
}

export function RatingsProvider(props: {
  readonly userId: string | null;
  readonly children: ReactNode;
}): ReactNode {
  const { userId } = props;
  const [result] = useQuery({
    query: UserQuery,
    variables: { userId: userId ?? '', first: RATINGS_READ },
    pause: userId === null,
    context: RATINGS_CONTEXT,
  });
  const [, rateMovie] = useMutation(RateMovieMutation);
  const [, removeRating] = useMutation(RemoveRatingMutation);
  const [pendingMovieId, setPending] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);

  // The latest answer for this user is kept while a write's refetch runs (urql keeps the
  // data while fetching), so the stars do not blink; one for another user is not used.
  const current =
    userId !== null && result.operation?.variables.userId === userId ? result.data : undefined;
  const user = current?.user;
  const byMovie = useMemo(() => {
    const map = new Map<string, number>();
    for (const { node } of user?.ratings.edges ?? []) map.set(node.movie.id, node.value);
    return map;
  }, [user]);

  const rate = useCallback(
    (movie: MovieSummary, value: number) => {
      if (userId === null) return;
      setPending(movie.id);
      void rateMovie({ input: { userId, movieId: movie.id, rating: value } }).then((r) => {
        setPending(null);
        // a saved rating is shown as saved even if another field of the answer failed
        const saved = r.data?.rateMovie;
        if (saved) {
          const before = saved.previousValue;
          const was = before === null ? '' : ` (was ${formatStars(before)})`;
          setNotice({ kind: 'info', text: `Rated ${movie.title} ${formatStars(value)}${was}.` });
        } else if (r.error) {
          setNotice({
            kind: 'error',
            text: `Could not rate ${movie.title}: ${describeError(r.error)}`,
          });
        }
      });
    },
    [userId, rateMovie],
  );

  const remove = useCallback(
    (movie: MovieSummary) => {
      if (userId === null) return;
      setPending(movie.id);
      void removeRating({ input: { userId, movieId: movie.id } }).then((r) => {
        setPending(null);
        setNotice(
          r.data?.removeRating
            ? { kind: 'info', text: `Removed your rating of ${movie.title}.` }
            : {
                kind: 'error',
                text: `Could not remove ${movie.title}: ${r.error ? describeError(r.error) : 'no answer'}`,
              },
        );
      });
    },
    [userId, removeRating],
  );

  const value = useMemo<Ratings>(
    () => ({
      userId,
      user,
      valueOf: (movieId) => byMovie.get(movieId) ?? null,
      rate,
      remove,
      pendingMovieId,
      notice,
      loadError: result.error ? describeError(result.error) : null,
    }),
    [userId, user, byMovie, rate, remove, pendingMovieId, notice, result.error],
  );
  return <RatingsContext.Provider value={value}>{props.children}</RatingsContext.Provider>;
}
