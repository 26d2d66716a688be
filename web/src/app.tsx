import { type ReactNode, useRef, useState } from 'react';
import { Provider } from 'urql';
import { createClient } from './client.ts';
import type { Strategy } from './documents.ts';
import { MovieBrowser } from './movie-browser.tsx';
import { MovieDetails } from './movie-details.tsx';
import { RatingsProvider, useRatings } from './ratings.tsx';
import { RecommendationList } from './recommendation-list.tsx';
import { UserPicker } from './user-picker.tsx';
import { YourRatings } from './your-ratings.tsx';

/** What the last write did, politely; why it failed, at once. */
function StatusBar(): ReactNode {
  const { notice } = useRatings();
  return (
    <div className="status" data-testid="status">
      {notice?.kind === 'error' ? (
        <p role="alert" className="error">
          {notice.text}
        </p>
      ) : (
        <p role="status">{notice?.text ?? ''}</p>
      )}
    </div>
  );
}

/** The page: who you are, the catalogue, the open movie, your recommendations and ratings. */
export function App(): ReactNode {
  const [token, setToken] = useState('');
  const tokenRef = useRef(token);
  tokenRef.current = token;
  // one client for the page's life: its cache is what makes paging back instant
  const [client] = useState(() => createClient(() => tokenRef.current));
  const [userId, setUserId] = useState<string | null>(null);
  const [strategy, setStrategy] = useState<Strategy>('HYBRID');
  const [openMovieId, setOpenMovieId] = useState<string | null>(null);

  return (
    <Provider value={client}>
      <RatingsProvider userId={userId}>
        <header className="page-head">
          <div>
            <h1>movie-recs</h1>
            <p className="muted">
              Rate a few movies with half-stars and watch the recommendations follow.
            </p>
          </div>
          <UserPicker onUser={setUserId} token={token} onToken={setToken} />
        </header>
        <StatusBar />
        <main className="columns">
          <MovieBrowser onOpen={setOpenMovieId} />
          <div className="side">
            {openMovieId !== null && (
              <MovieDetails
                movieId={openMovieId}
                onOpen={setOpenMovieId}
                onClose={() => setOpenMovieId(null)}
              />
            )}
            <RecommendationList
              strategy={strategy}
              onStrategy={setStrategy}
              onOpen={setOpenMovieId}
            />
            <YourRatings onOpen={setOpenMovieId} />
          </div>
        </main>
      </RatingsProvider>
    </Provider>
  );
}
