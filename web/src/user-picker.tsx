import { type FormEvent, type ReactNode, useState } from 'react';
import { useClient } from 'urql';
import { UserExistsQuery } from './documents.ts';
import { describeError } from './errors.ts';
import { useRatings } from './ratings.tsx';

/** New users get ids from here up, far above the MovieLens users (1..610 in ml-latest-small). */
const NEW_USER_MIN = 100_001;
const NEW_USER_SPAN = 900_000;
/** Random draws before giving up; a collision is already unlikely with a few ratings given. */
const NEW_USER_TRIES = 5;

/**
 * Who the page acts as: an existing user by id, or a new user with a random unused id
 * (one the service has no rating from). The optional token is for a service started
 * with AUTH_JWT_SECRET or AUTH_JWKS_URL, where writes need one.
 */
export function UserPicker(props: {
  readonly onUser: (userId: string) => void;
  readonly token: string;
  readonly onToken: (token: string) => void;
}): ReactNode {
  const client = useClient();
  const { userId, user, loadError } = useRatings();
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [picking, setPicking] = useState(false);

  const pickExisting = (event: FormEvent) => {
    event.preventDefault();
    const id = draft.trim();
    // the service answers BAD_USER_INPUT too; this only saves a round trip for typos
    if (!/^[1-9][0-9]{0,9}$/.test(id)) {
      setProblem(`A user id is a whole number from 1 up, got "${id}".`);
      return;
    }
    setProblem(null);
    props.onUser(id);
  };

  const startNew = async () => {
    setPicking(true);
    setProblem(null);
    try {
      for (let i = 0; i < NEW_USER_TRIES; i++) {
        const id = String(NEW_USER_MIN + Math.floor(Math.random() * NEW_USER_SPAN));
        const found = await client
          .query(UserExistsQuery, { userId: id }, { requestPolicy: 'network-only' })
          .toPromise();
        if (found.error) {
          setProblem(describeError(found.error));
          return;
        }
        if (found.data?.user === null) {
          setDraft(id);
          props.onUser(id);
          return;
        }
      }
      setProblem(`No unused id found in ${NEW_USER_TRIES} tries; type one instead.`);
    } finally {
      setPicking(false);
    }
  };

  return (
    <section className="user-picker" aria-label="User">
      <form onSubmit={pickExisting} className="inline">
        <label>
          User id
          <input
            inputMode="numeric"
            value={draft}
            placeholder="1 to 610"
            onChange={(e) => setDraft(e.target.value)}
            data-testid="user-id-input"
          />
        </label>
        <button type="submit">Use this user</button>
        <span className="muted">or</span>
        <button type="button" onClick={startNew} disabled={picking} data-testid="new-user">
          New user
        </button>
      </form>
      <p className="current-user" data-testid="current-user" aria-live="polite">
        {userId === null
          ? 'No user picked yet: you can browse, but not rate.'
          : user === undefined
            ? `User ${userId}`
            : user === null
              ? `User ${userId}: new, no ratings yet`
              : `User ${userId}: ${user.ratingCount} rating${user.ratingCount === 1 ? '' : 's'}`}
      </p>
      {problem && <p role="alert">{problem}</p>}
      {loadError && <p role="alert">{loadError}</p>}
      <details>
        <summary>Access token</summary>
        <label>
          Bearer token, only when the service requires one for ratings
          <input
            type="password"
            autoComplete="off"
            value={props.token}
            onChange={(e) => props.onToken(e.target.value)}
          />
        </label>
      </details>
    </section>
  );
}
