/**
 * GraphQL over HTTP with a deadline: a replica that is down refuses at once, one that is
 * paused never answers, and both must cost a client no more than `timeoutMs`.
 */
export interface GraphQLAnswer<T> {
  readonly status: number;
  readonly data: T | null | undefined;
  readonly errors: ReadonlyArray<{ message: string; extensions?: { code?: string } }> | undefined;
}

export type Outcome<T> =
  | { readonly ok: true; readonly answer: GraphQLAnswer<T> }
  | { readonly ok: false; readonly problem: 'timeout' | 'network'; readonly message: string };

export async function post<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  timeoutMs: number,
): Promise<Outcome<T>> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: { data?: T | null; errors?: GraphQLAnswer<T>['errors'] };
    try {
      body = JSON.parse(text);
    } catch {
      return {
        ok: false,
        problem: 'network',
        message: `HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`,
      };
    }
    return { ok: true, answer: { status: res.status, data: body.data, errors: body.errors } };
  } catch (err) {
    const name = (err as Error).name;
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    return {
      ok: false,
      problem: timedOut ? 'timeout' : 'network',
      message: (err as Error).message,
    };
  }
}

/** The data of an answer that must have succeeded; throws with the errors otherwise. */
export async function postData<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  timeoutMs: number,
): Promise<T> {
  const outcome = await post<T>(url, query, variables, timeoutMs);
  if (!outcome.ok) throw new Error(`${url}: ${outcome.problem}: ${outcome.message}`);
  const { answer } = outcome;
  if (answer.status !== 200 || answer.errors?.length || answer.data == null) {
    throw new Error(
      `${url} answered HTTP ${answer.status}: ${JSON.stringify(answer.errors ?? answer.data).slice(0, 500)}`,
    );
  }
  return answer.data;
}
