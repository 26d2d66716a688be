import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import express from 'express';
import type { Logger } from 'pino';
import { type AuthConfig, authorizeRating, type Caller, createIdentify } from './access/auth.ts';
import { createMutationLimiter, type RateLimit } from './access/rate-limit.ts';
import type { Context } from './graphql/context.ts';
import { documentCache, noSubscriptions } from './graphql/document-rules.ts';
import { formatError } from './graphql/errors.ts';
import {
  graphqlRoute,
  httpStatusOf,
  isGraphqlPath,
  type RequestFacts,
} from './graphql/http-route.ts';
import { legacyJsonStatusPlugin } from './graphql/json-status.ts';
import { defaultLimits, limitProtection, type QueryLimits } from './graphql/limits.ts';
import { createLoaders } from './graphql/loaders.ts';
import { nullVariablesPlugin } from './graphql/null-variables.ts';
import { createResolvers } from './graphql/resolvers.ts';
import { subgraphSchema } from './graphql/subgraph.ts';
import { createMetrics, type Metrics, metricsObserver, observeService } from './metrics.ts';
import type { RecommenderService } from './service/recommender-service.ts';
import type { StartStatus } from './service/start-progress.ts';
import type { RedisClient } from './store/redis-client.ts';

export interface ServerOptions {
  readonly introspection: boolean;
  readonly sandbox: boolean;
  readonly logger: Logger;
  /** Node's process metrics on /metrics too (default true; off where several servers share a process). */
  readonly processMetrics?: boolean;
  /** Limits on requests (default `defaultLimits`). */
  readonly limits?: QueryLimits;
  /** Bearer tokens required for writes; null or absent: writes are open. */
  readonly auth?: AuthConfig | null;
  /** Writes per client and window; null or absent: unlimited. */
  readonly rateLimit?: RateLimit | null;
  /** Express's `trust proxy`: whose X-Forwarded-For names the client (default: nobody's). */
  readonly trustProxy?: boolean | number | string;
  /** The built web page, served at `/` when the directory holds an index.html (default `web/dist`). */
  readonly webRoot?: string | null;
  /** One info line per GraphQL request (default true). */
  readonly logRequests?: boolean;
  /** Serve the schema as an Apollo Federation 2 subgraph (Movie and User keyed by id). */
  readonly subgraph?: boolean;
  /** Serve /metrics only on a server of its own (`listenMetrics`), not beside /graphql. */
  readonly separateMetrics?: boolean;
}

export interface AttachOptions {
  /** Names what is wrong while the service answers without something it depends on. */
  readonly degraded?: () => string | null;
  /** Keeps rate-limit counts in this Redis, shared by replicas (default: in the process). */
  readonly redis?: { readonly client: RedisClient; readonly prefix: string } | null;
  /** Seconds the model took to build, for /metrics. */
  readonly buildSeconds?: number;
}

/** Where `npm run build:web` writes the page. */
export const defaultWebRoot = fileURLToPath(new URL('../web/dist', import.meta.url));

/** The contract, read once from the top of the project (schema-first). */
export const typeDefs = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');

/**
 * The HTTP server: POST/GET /graphql (Apollo Server 5 through the Express 5 integration),
 * GET /healthz (the process is alive) and GET /readyz (the model is loaded and /graphql
 * answers). It listens before the model is ready, so orchestrators see it alive while it
 * loads; /graphql answers 503 until `attach` is called. Opens no port until `listen`.
 */
export class HttpServer {
  readonly http: Server;
  /** The server of /metrics alone, with `separateMetrics`; null: /metrics is on `http`. */
  readonly metricsHttp: Server | null;
  private readonly app = express();
  private readonly graphqlRoute: ReturnType<typeof graphqlRoute<Context>>;
  /** The request context once the model is attached; /graphql answers 503 before. */
  private contextOf: ((facts: RequestFacts) => Promise<Context>) | null = null;
  private apollo: ApolloServer<Context> | null = null;
  private degraded: () => string | null = () => null;
  private startStatus: (() => StartStatus) | null = null;
  readonly metrics: Metrics;

  private readonly limits: QueryLimits;

  constructor(private readonly options: ServerOptions) {
    this.metrics = createMetrics(options.processMetrics ?? true);
    this.limits = options.limits ?? defaultLimits;
    this.app.disable('x-powered-by');
    this.app.set('trust proxy', options.trustProxy ?? false);
    this.app.get('/healthz', (_req, res) => {
      res.json({ status: 'ok' });
    });
    this.app.get('/readyz', (_req, res) => {
      if (!this.contextOf) {
        res.status(503).json({ status: 'loading', ...this.startStatus?.() });
        return;
      }
      // degraded still answers (from process memory), so it stays 200
      const problem = this.degraded();
      res.json(problem ? { status: 'degraded', reason: problem } : { status: 'ready' });
    });
    const metricsRoute: express.RequestHandler = async (_req, res) => {
      res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
    };
    if (options.separateMetrics) {
      const metricsApp = express().disable('x-powered-by').get('/metrics', metricsRoute);
      this.metricsHttp = createServer(metricsApp);
    } else {
      this.metricsHttp = null;
      this.app.get('/metrics', metricsRoute);
    }
    const webRoot = options.webRoot === undefined ? defaultWebRoot : options.webRoot;
    if (webRoot !== null && existsSync(join(webRoot, 'index.html'))) {
      this.app.use(express.static(webRoot, { index: 'index.html', maxAge: '1h' }));
    }
    this.graphqlRoute = graphqlRoute<Context>({
      maxBody: this.limits.maxBody,
      maxQueryLength: this.limits.maxQueryLength,
      trust: this.app.get('trust proxy fn'),
      apollo: () => (this.contextOf ? this.apollo : null),
      context: (facts) => {
        if (!this.contextOf) throw new Error('the model is not attached');
        return this.contextOf(facts);
      },
      sendError: (res, status, message, extensions) =>
        this.sendError(res, status, message, extensions),
      onInternalError: (err) =>
        this.options.logger.error({ err }, 'internal error in an HTTP request'),
    });
    // Errors of the other routes (a malformed path for the web page) in GraphQL's error
    // shape, never with Express's HTML page and its stack trace.
    this.app.use(
      (err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
        if (res.headersSent) return next(err);
        const status = httpStatusOf(err);
        if (status >= 500) this.options.logger.error({ err }, 'internal error in an HTTP request');
        this.sendError(
          res,
          status,
          status < 500 ? (err as Error).message : 'Internal server error',
          {
            code: status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR',
          },
        );
      },
    );
    this.http = createServer((req, res) => {
      const sent = req.headers['x-request-id'];
      const id = typeof sent === 'string' && /^[\w.:-]{1,64}$/.test(sent) ? sent : randomUUID();
      res.setHeader('x-request-id', id);
      if (isGraphqlPath(req.url ?? '/')) this.graphqlRoute(req, res, id);
      else this.app(req, res);
    });
  }

  /**
   * Starts Apollo on the loaded service and opens /graphql. `degraded` names what is
   * wrong while the service answers without something it depends on (Redis), else null.
   */
  async attach(service: RecommenderService, options: AttachOptions = {}): Promise<void> {
    this.degraded = options.degraded ?? (() => null);
    service.observer = metricsObserver(this.metrics);
    const redisClient = options.redis?.client ?? null;
    observeService(
      this.metrics,
      service,
      redisClient ? () => redisClient.status === 'ready' : null,
    );
    if (options.buildSeconds !== undefined)
      this.metrics.modelBuildSeconds.set(options.buildSeconds);
    const { logger, auth = null, rateLimit = null } = this.options;
    const protection = limitProtection(this.limits);
    const identify = createIdentify(auth);
    const consume = rateLimit ? createMutationLimiter(rateLimit, options.redis ?? null) : null;
    const apollo = new ApolloServer<Context>({
      ...(this.options.subgraph
        ? { schema: subgraphSchema(typeDefs, service) }
        : { typeDefs, resolvers: createResolvers(service) }),
      introspection: this.options.introspection,
      csrfPrevention: true,
      allowBatchedHttpRequests: this.limits.batchRequests,
      // automatic persisted queries are off: clients send the query text (documented),
      // and no client can fill a cache of query texts by hash
      persistedQueries: false,
      documentStore: documentCache(),
      validationRules: [...protection.validationRules, noSubscriptions],
      includeStacktraceInErrorResponses: false,
      formatError: (formatted, error) =>
        formatError(formatted, error, (e) =>
          logger.error({ err: e }, 'internal error in a GraphQL request'),
        ),
      plugins: [
        ...protection.plugins,
        retryAfterPlugin,
        legacyJsonStatusPlugin(),
        nullVariablesPlugin(),
        observabilityPlugin(this.metrics, logger, this.options.logRequests ?? true),
        ApolloServerPluginDrainHttpServer({ httpServer: this.http }),
        // the schema gives no cache hints; the default plugin wraps every field resolver
        // to collect them
        ApolloServerPluginCacheControlDisabled(),
        this.options.sandbox
          ? ApolloServerPluginLandingPageLocalDefault({ embed: true })
          : ApolloServerPluginLandingPageDisabled(),
      ],
    });
    await apollo.start();
    this.apollo = apollo;
    this.contextOf = async ({ requestId, authorization, ip }): Promise<Context> => {
      let caller: Promise<Caller> | null = null;
      return {
        requestId,
        loaders: createLoaders(service),
        allowWrite: async (userId) => {
          caller ??= identify(authorization);
          const who = await caller;
          if (auth) authorizeRating(who, userId, auth.adminScope);
          if (consume) await consume(who.kind === 'token' ? `sub:${who.subject}` : `ip:${ip()}`);
        },
      };
    };
  }

  /**
   * An error answered before GraphQL runs (body, length, loading), in GraphQL's error
   * shape, counted in the same metric as the errors GraphQL sends.
   */
  private sendError(
    res: ServerResponse,
    status: number,
    message: string,
    extensions: { code: string; [key: string]: unknown },
  ): void {
    this.metrics.errors.inc({ code: extensions.code });
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ errors: [{ message, extensions }] }));
  }

  /** What /readyz says of the start while the model loads (phases and progress). */
  loading(status: () => StartStatus): void {
    this.startStatus = status;
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return listenOn(this.http, port, host);
  }

  /** Opens the port of /metrics, with `separateMetrics`. */
  async listenMetrics(port: number, host: string): Promise<AddressInfo> {
    if (!this.metricsHttp) throw new Error('/metrics is on the main port (separateMetrics is off)');
    return listenOn(this.metricsHttp, port, host);
  }

  /** Stops accepting connections and waits for in-flight requests (Apollo's drain plugin). */
  async close(): Promise<void> {
    if (this.apollo) await this.apollo.stop();
    else await new Promise<void>((resolve) => this.http.close(() => resolve()));
    const metricsHttp = this.metricsHttp;
    if (metricsHttp?.listening)
      await new Promise<void>((resolve) => metricsHttp.close(() => resolve()));
  }
}

function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Operation names are the client's to choose: only so many become metric labels. */
const MAX_OPERATION_LABELS = 200;

/**
 * Request metrics (latency by operation, errors by code) and one log line per request
 * with its id, operation, duration and error codes.
 */
function observabilityPlugin(
  metrics: Metrics,
  logger: Logger,
  logRequests: boolean,
): ApolloServerPlugin<Context> {
  const labels = new Set<string>();
  // one histogram child per label pair: looking it up by its labels on every request
  // hashes them each time
  const timers = new Map<string, { observe(seconds: number): void }>();
  const label = (name: string | null | undefined) => {
    if (!name) return 'anonymous';
    if (labels.has(name)) return name;
    if (labels.size >= MAX_OPERATION_LABELS || !/^[A-Za-z_]\w{0,63}$/.test(name)) return 'other';
    labels.add(name);
    return name;
  };
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ response, operation, operationName }) {
          const seconds = (performance.now() - started) / 1000;
          const type = operation?.operation ?? 'none';
          const operationLabel = label(operationName);
          const key = `${type} ${operationLabel}`;
          let timer = timers.get(key);
          if (!timer) {
            timer = metrics.requestDuration.labels({ operation: operationLabel, type });
            timers.set(key, timer);
          }
          timer.observe(seconds);
          const errors =
            response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN'));
          for (const code of codes) metrics.errors.inc({ code });
          if (logRequests) {
            logger.info(
              {
                requestId: contextValue.requestId,
                operation: operationName ?? null,
                type,
                durationMs: Math.round(seconds * 1e4) / 10,
                ...(codes.length > 0 ? { errors: codes } : {}),
              },
              'graphql request',
            );
          }
        },
      };
    },
  };
}

/** RATE_LIMITED answers 429 with a Retry-After header when nothing else was done. */
const retryAfterPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const { data, errors } = response.body.singleResult;
        const waits = (errors ?? [])
          .filter((e) => e.extensions?.code === 'RATE_LIMITED')
          .map((e) => Number(e.extensions?.retryAfterSeconds));
        if (waits.length === 0) return;
        response.http.headers.set('retry-after', String(Math.max(...waits)));
        // 429 only when the limit refused everything the request asked (every mutation
        // field null), so an accepted write is never answered as a failure
        const nothingDone = data == null || Object.values(data).every((v) => v === null);
        if (nothingDone && waits.length === (errors ?? []).length) response.http.status = 429;
      },
    };
  },
};
