import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import bodyParser from 'body-parser';
import proxyAddr from 'proxy-addr';
import { LIMIT_CODE } from './limits.ts';

/** What the route needs to know of a request beyond Apollo's view of it. */
export interface RequestFacts {
  readonly requestId: string;
  readonly authorization: string | undefined;
  /** The client's address, through trusted proxies (computed when asked). */
  readonly ip: () => string;
}

export interface GraphqlRouteOptions<C extends BaseContext> {
  /** Bytes of a request body, as body-parser reads it ("100kb"). */
  readonly maxBody: string;
  /** Characters of each query text. */
  readonly maxQueryLength: number;
  /** Which proxies' X-Forwarded-For to believe (Express's compiled `trust proxy`). */
  readonly trust: (address: string, hop: number) => boolean;
  /** Apollo once the model is loaded; null while it loads (answered 503). */
  readonly apollo: () => ApolloServer<C> | null;
  readonly context: (facts: RequestFacts) => Promise<C>;
  /** Answers an error in GraphQL's shape (and counts it). */
  readonly sendError: (
    res: ServerResponse,
    status: number,
    message: string,
    extensions: { code: string; [key: string]: unknown },
  ) => void;
  /** Called with errors no GraphQL answer covers (logged as internal). */
  readonly onInternalError: (err: unknown) => void;
}

type ParsedRequest = IncomingMessage & { body?: unknown };

/**
 * /graphql on Node's own request and response: body-parser's JSON parser (the same one
 * Express's `express.json` is), the query-length limit, then Apollo's
 * `executeHTTPGraphQLRequest`, as Apollo's standalone server does. Express's router and
 * its request and response wrappers cost about a quarter of a trivial request's CPU, so
 * only the other routes (health, metrics, the web page) go through Express.
 */
export function graphqlRoute<C extends BaseContext>(
  options: GraphqlRouteOptions<C>,
): (req: IncomingMessage, res: ServerResponse, requestId: string) => void {
  const parseJson = bodyParser.json({ limit: options.maxBody });
  const { maxQueryLength, sendError } = options;
  return (req, res, requestId) => {
    parseJson(req, res, (err?: unknown) => {
      if (err) {
        answerBodyError(err, res, options);
        return;
      }
      const search = searchOf(req.url ?? '');
      const longest = longestQuery((req as ParsedRequest).body, search);
      if (longest > maxQueryLength) {
        sendError(
          res,
          400,
          `the query is ${longest} characters long; the limit is ${maxQueryLength}`,
          {
            code: LIMIT_CODE,
            limit: 'maxQueryLength',
            max: maxQueryLength,
          },
        );
        return;
      }
      const apollo = options.apollo();
      if (!apollo) {
        sendError(res, 503, 'the model is still loading; retry shortly', {
          code: 'SERVICE_UNAVAILABLE',
        });
        return;
      }
      execute(apollo, req as ParsedRequest, res, search, requestId, options).catch(
        (failure: unknown) => {
          options.onInternalError(failure);
          if (res.headersSent) res.destroy();
          else sendError(res, 500, 'Internal server error', { code: 'INTERNAL_SERVER_ERROR' });
        },
      );
    });
  };
}

async function execute<C extends BaseContext>(
  apollo: ApolloServer<C>,
  req: ParsedRequest,
  res: ServerResponse,
  search: string,
  requestId: string,
  options: GraphqlRouteOptions<C>,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let ip: string | null = null;
  const facts: RequestFacts = {
    requestId,
    authorization: req.headers.authorization,
    ip: () => {
      ip ??= proxyAddr(req, options.trust);
      return ip;
    },
  };
  const answer = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: (req.method ?? 'GET').toUpperCase(),
      headers,
      search,
      body: req.body,
    },
    context: () => options.context(facts),
  });
  for (const [key, value] of answer.headers) res.setHeader(key, value);
  res.statusCode = answer.status ?? 200;
  if (answer.body.kind === 'complete') {
    res.end(answer.body.string);
    return;
  }
  for await (const chunk of answer.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * Body-parser failures (malformed JSON, an oversized body, a charset it cannot read)
 * answer in GraphQL's error shape, never as an HTML page with a stack trace.
 */
function answerBodyError<C extends BaseContext>(
  err: unknown,
  res: ServerResponse,
  options: GraphqlRouteOptions<C>,
): void {
  const status = httpStatusOf(err);
  const message =
    status === 413
      ? `the request body is larger than the ${options.maxBody} limit`
      : status < 500
        ? `the request body is not valid JSON: ${(err as Error).message}`
        : 'Internal server error';
  if (status >= 500) options.onInternalError(err);
  options.sendError(res, status, message, {
    code: status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR',
  });
}

/** The HTTP status an error carries (body-parser sets one), else 500. */
export function httpStatusOf(err: unknown): number {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/** The query string of a request target, with its "?" ("" when there is none). */
function searchOf(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return hash < 0 ? url.slice(q) : url.slice(q, hash);
}

/** The length of the longest query text in a request: the body's (several when batched) or the URL's. */
function longestQuery(body: unknown, search: string): number {
  let longest = 0;
  if (search.length > 1) {
    for (const query of new URLSearchParams(search).getAll('query'))
      longest = Math.max(longest, query.length);
  }
  const operations = Array.isArray(body) ? body : [body];
  for (const op of operations) {
    const query = (op as { query?: unknown } | null)?.query;
    if (typeof query === 'string') longest = Math.max(longest, query.length);
  }
  return longest;
}

/** Whether a request target is /graphql (or below it), as Express mounts it: any case, any query. */
export function isGraphqlPath(url: string): boolean {
  const end = url.search(/[?#]/);
  const path = (end < 0 ? url : url.slice(0, end)).toLowerCase();
  return path === '/graphql' || path.startsWith('/graphql/');
}
