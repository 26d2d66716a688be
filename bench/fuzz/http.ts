import type { HttpRequest } from './model.ts';

/** What came back for one request. */
export type Answer =
  | {
      readonly ok: true;
      readonly status: number;
      readonly contentType: string;
      readonly text: string;
      /** The parsed body, or undefined when it is not JSON. */
      readonly json: unknown;
    }
  | { readonly ok: false; readonly error: string };

export const REQUEST_TIMEOUT_MS = 30_000;

/** Sends `request` to the service at `origin` and reads the whole answer. */
export async function send(
  origin: string,
  request: HttpRequest,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<Answer> {
  try {
    const res = await fetch(`${origin}${request.target}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return {
      ok: true,
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      text,
      json,
    };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return {
      ok: false,
      error: `${(err as Error).name}: ${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`,
    };
  }
}

/** Whether GET /healthz answers 200. */
export async function healthy(origin: string): Promise<boolean> {
  try {
    const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(5000) });
    await res.text();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** A GraphQL request that must succeed (the fuzzer's own reads); throws with the answer otherwise. */
export async function query<T>(
  origin: string,
  text: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const answer = await send(origin, {
    method: 'POST',
    target: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: text, variables }),
    graphql: null,
    operationType: 'query',
  });
  const body = answer.ok
    ? (answer.json as { data?: T; errors?: unknown[] } | undefined)
    : undefined;
  if (!answer.ok || !body?.data || body.errors?.length) {
    throw new Error(
      `the fuzzer's own query failed: ${answer.ok ? `${answer.status} ${answer.text.slice(0, 500)}` : answer.error}\n${text}`,
    );
  }
  return body.data;
}
