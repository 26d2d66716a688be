import { z } from 'zod';
import { type AuthConfig, MIN_SECRET_LENGTH } from './access/auth.ts';
import type { RateLimit } from './access/rate-limit.ts';
import type { HybridSource } from './engine/model.ts';
import { defaultLimits, type QueryLimits } from './graphql/limits.ts';
import type { UserLists } from './service/recommender-service.ts';
import { parseClusterNodes, type RedisTarget } from './store/redis-client.ts';

/**
 * The service's configuration, from environment variables, validated at start: a bad
 * value stops the process with a message naming the variable.
 */
const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const count = z.coerce.number().int().min(1);

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('var'),
  DATASET: z.string().min(1).default('ml-latest-small'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  LOG_REQUESTS: boolean.default(true),
  SUBGRAPH: boolean.default(false),
  INTROSPECTION: boolean.optional(),
  SANDBOX: boolean.optional(),
  JOURNAL_FSYNC: boolean.default(true),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
    .optional(),
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^[^:,\s]+:\d{1,5}(,[^:,\s]+:\d{1,5})*$/, 'expected host:port,host:port,...')
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/, 'letters, digits, :, _ and - only')
    .default('movie-recs'),
  HYBRID_WEIGHTS: z
    .string()
    .regex(
      /^(fit|-?\d+(\.\d+)?(,-?\d+(\.\d+)?){4}((,-?\d+(\.\d+)?){4})?)$/,
      'expected "fit" or five or nine numbers: user,item,userSparse,itemSparse,itemShare[,factor,factorUserSparse,factorItemSparse,factorShare]',
    )
    .default('fit'),
  LIMIT_DEPTH: count.default(defaultLimits.maxDepth),
  LIMIT_ALIASES: z.coerce.number().int().min(0).default(defaultLimits.maxAliases),
  LIMIT_ROOT_FIELDS: count.default(defaultLimits.maxRootFields),
  LIMIT_DIRECTIVES: z.coerce.number().int().min(0).default(defaultLimits.maxDirectives),
  LIMIT_COST: count.default(defaultLimits.maxCost),
  LIMIT_QUERY_LENGTH: count.default(defaultLimits.maxQueryLength),
  LIMIT_BODY: z
    .string()
    .regex(/^\d+(b|kb|mb)$/, 'expected a size such as 100kb or 1mb')
    .default(defaultLimits.maxBody),
  BATCH_REQUESTS: boolean.default(defaultLimits.batchRequests),
  FIELD_SUGGESTIONS: boolean.optional(),
  AUTH_JWT_SECRET: z
    .string()
    .min(MIN_SECRET_LENGTH, `at least ${MIN_SECRET_LENGTH} characters (HS256 wants 256 bits)`)
    .optional(),
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_ADMIN_SCOPE: z.string().regex(/^\S+$/, 'one scope, no spaces').default('ratings:admin'),
  ALLOW_ANONYMOUS_WRITES: boolean.default(false),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).optional(),
  RATE_LIMIT: z
    .string()
    .regex(/^(off|[1-9]\d*\/[1-9]\d*)$/, 'expected "off" or <writes>/<seconds>, for example 120/60')
    .default('120/60'),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|\d+|[0-9a-fA-F.:/,\s]+|loopback|linklocal|uniquelocal)$/,
      'expected true, false, a hop count or addresses',
    )
    .default('false'),
  CLOCK_OFFSET_MS: z.coerce.number().int().default(0),
  CLOCK_OFFSET_FILE: z.string().min(1).optional(),
  STREAM_COMPACT_ENTRIES: count.default(10_000),
  RECOMMENDATION_CACHE: z.coerce.number().int().min(0).default(10_000),
  LIST_REFRESH: boolean.default(true),
  SERVE_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  USER_LISTS: z.enum(['auto', 'start', 'read']).default('auto'),
  HYBRID_FIT_RATINGS: z
    .union([z.literal('all'), z.coerce.number().int().min(1)])
    .default(2_000_000),
  STREAM_COMPACT_MIN_AGE_MS: z.coerce.number().int().min(0).default(60_000),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly dataset: string;
  readonly production: boolean;
  readonly logLevel: string;
  /** pretty: coloured lines for people (development on a terminal); json: one object per line. */
  readonly logFormat: 'json' | 'pretty';
  /** One info line per GraphQL request. */
  readonly logRequests: boolean;
  /** Serve an Apollo Federation 2 subgraph. */
  readonly subgraph: boolean;
  /** Schema introspection: on in development, off in production unless INTROSPECTION=true. */
  readonly introspection: boolean;
  /** Apollo Sandbox on GET /graphql: on in development, off in production unless SANDBOX=true. */
  readonly sandbox: boolean;
  readonly journalFsync: boolean;
  /** Share neighbour lists through this Redis or cluster; null for the embedded, in-process mode. */
  readonly redis: RedisTarget | null;
  readonly redisPrefix: string;
  /** Fit the hybrid's weights on held-out ratings at start, or use these. */
  readonly hybridWeights: HybridSource;
  readonly limits: QueryLimits;
  /**
   * Writes need a bearer token; null: writes are open to anyone, which production allows
   * only with ALLOW_ANONYMOUS_WRITES=true.
   */
  readonly auth: AuthConfig | null;
  /**
   * /metrics on a port of its own (METRICS_PORT), on METRICS_HOST (default 127.0.0.1);
   * null: on the main port, beside /graphql.
   */
  readonly metrics: { readonly port: number; readonly host: string } | null;
  /** Writes per client and window; null: unlimited. */
  readonly rateLimit: RateLimit | null;
  readonly trustProxy: boolean | number | string;
  /**
   * Milliseconds added to the wall clock of the rating clock, and a file it re-reads on
   * SIGUSR2: for tests that step a replica's clock (see docs/replication.md).
   */
  readonly clockOffsetMs: number;
  readonly clockOffsetFile: string | null;
  /** Compact the rating stream when it holds more entries than this... */
  readonly streamCompactEntries: number;
  /** Recommendation answers kept while the ratings do not change; 0: none. */
  readonly recommendationCache: number;
  /** Recompute invalidated lists in the background after ratings. */
  readonly refreshLists: boolean;
  /** Processes answering requests (1: this one; more: a primary and that many workers). */
  readonly serveProcesses: number;
  /** When the users' neighbour lists are computed: at start, or each on its first read. */
  readonly userLists: UserLists;
  /** ...leaving entries younger than this. */
  readonly streamCompactMinAgeMs: number;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k in schema.shape && v !== '')),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `${name}=${JSON.stringify(env[name])}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  if (c.REDIS_URL && c.REDIS_CLUSTER_NODES) {
    throw new ConfigError(
      'invalid configuration: REDIS_URL and REDIS_CLUSTER_NODES are both set; use one Redis or one cluster',
    );
  }
  if (c.AUTH_JWT_SECRET && c.AUTH_JWKS_URL) {
    throw new ConfigError(
      'invalid configuration: AUTH_JWT_SECRET and AUTH_JWKS_URL are both set; tokens are verified with one or the other',
    );
  }
  if (c.ALLOW_ANONYMOUS_WRITES && (c.AUTH_JWT_SECRET || c.AUTH_JWKS_URL)) {
    throw new ConfigError(
      `invalid configuration: ALLOW_ANONYMOUS_WRITES=true and ${c.AUTH_JWT_SECRET ? 'AUTH_JWT_SECRET' : 'AUTH_JWKS_URL'} are both set; writes either need a token or not`,
    );
  }
  // anyone who reaches the port could change any user's ratings: never by omission
  if (production && !c.AUTH_JWT_SECRET && !c.AUTH_JWKS_URL && !c.ALLOW_ANONYMOUS_WRITES) {
    throw new ConfigError(
      `invalid configuration: NODE_ENV=production with writes open to anyone; set AUTH_JWT_SECRET (${MIN_SECRET_LENGTH} characters or more) or AUTH_JWKS_URL to require a bearer token for writes, or ALLOW_ANONYMOUS_WRITES=true to accept them without one`,
    );
  }
  if (c.SERVE_PROCESSES > 1 && (c.REDIS_URL || c.REDIS_CLUSTER_NODES)) {
    throw new ConfigError(
      `invalid configuration: SERVE_PROCESSES=${c.SERVE_PROCESSES} with ${c.REDIS_URL ? 'REDIS_URL' : 'REDIS_CLUSTER_NODES'}; with Redis, run more replicas (each with its own DATA_DIR) instead of more processes of one`,
    );
  }
  if (c.METRICS_PORT === undefined && c.METRICS_HOST !== undefined) {
    throw new ConfigError(
      'invalid configuration: METRICS_HOST is set but METRICS_PORT is not; /metrics is served on PORT and HOST unless METRICS_PORT is set',
    );
  }
  if (c.METRICS_PORT !== undefined && c.METRICS_PORT !== 0 && c.METRICS_PORT === c.PORT) {
    throw new ConfigError(
      `invalid configuration: METRICS_PORT and PORT are both ${c.PORT}; leave METRICS_PORT unset to serve /metrics on PORT`,
    );
  }
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: c.DATA_DIR,
    dataset: c.DATASET,
    production,
    logLevel: c.LOG_LEVEL,
    logFormat: c.LOG_FORMAT ?? (!production && process.stdout.isTTY ? 'pretty' : 'json'),
    logRequests: c.LOG_REQUESTS,
    subgraph: c.SUBGRAPH,
    introspection: c.INTROSPECTION ?? !production,
    sandbox: c.SANDBOX ?? !production,
    journalFsync: c.JOURNAL_FSYNC,
    hybridWeights: hybridSource(c.HYBRID_WEIGHTS, c.HYBRID_FIT_RATINGS),
    redis: c.REDIS_CLUSTER_NODES
      ? { kind: 'cluster', nodes: parseClusterNodes(c.REDIS_CLUSTER_NODES) }
      : c.REDIS_URL
        ? { kind: 'single', url: c.REDIS_URL }
        : null,
    redisPrefix: c.REDIS_PREFIX,
    limits: {
      maxDepth: c.LIMIT_DEPTH,
      maxAliases: c.LIMIT_ALIASES,
      maxRootFields: c.LIMIT_ROOT_FIELDS,
      maxDirectives: c.LIMIT_DIRECTIVES,
      maxCost: c.LIMIT_COST,
      maxQueryLength: c.LIMIT_QUERY_LENGTH,
      maxBody: c.LIMIT_BODY,
      batchRequests: c.BATCH_REQUESTS,
      fieldSuggestions: c.FIELD_SUGGESTIONS ?? !production,
    },
    auth: authConfig(c),
    metrics:
      c.METRICS_PORT === undefined
        ? null
        : { port: c.METRICS_PORT, host: c.METRICS_HOST ?? '127.0.0.1' },
    rateLimit: parseRateLimit(c.RATE_LIMIT),
    trustProxy: parseTrustProxy(c.TRUST_PROXY),
    clockOffsetMs: c.CLOCK_OFFSET_MS,
    clockOffsetFile: c.CLOCK_OFFSET_FILE ?? null,
    streamCompactEntries: c.STREAM_COMPACT_ENTRIES,
    recommendationCache: c.RECOMMENDATION_CACHE,
    refreshLists: c.LIST_REFRESH,
    serveProcesses: c.SERVE_PROCESSES,
    userLists: c.USER_LISTS,
    streamCompactMinAgeMs: c.STREAM_COMPACT_MIN_AGE_MS,
  };
}

function authConfig(c: z.infer<typeof schema>): AuthConfig | null {
  const keys = c.AUTH_JWT_SECRET
    ? ({ kind: 'secret', secret: c.AUTH_JWT_SECRET } as const)
    : c.AUTH_JWKS_URL
      ? ({ kind: 'jwks', url: c.AUTH_JWKS_URL } as const)
      : null;
  if (keys === null) return null;
  return {
    keys,
    issuer: c.AUTH_ISSUER ?? null,
    audience: c.AUTH_AUDIENCE ?? null,
    adminScope: c.AUTH_ADMIN_SCOPE,
  };
}

function parseRateLimit(text: string): RateLimit | null {
  if (text === 'off') return null;
  const [points, seconds] = text.split('/').map(Number);
  return { points, seconds };
}

function parseTrustProxy(text: string): boolean | number | string {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** HYBRID_WEIGHTS with HYBRID_FIT_RATINGS: the weights given, or fitted on a sample that size. */
function hybridSource(weights: string, fitRatings: number | 'all'): HybridSource {
  const parsed = parseWeights(weights);
  if (parsed !== 'fit') return parsed;
  return { fitRatings: fitRatings === 'all' ? Number.MAX_SAFE_INTEGER : fitRatings };
}

/**
 * HYBRID_WEIGHTS (and `build --weights`): "fit", or the weights in order; the factor
 * model's four weights come last and are 0 when left out (the five numbers of earlier
 * versions).
 */
export function parseWeights(text: string): HybridSource {
  if (text === 'fit') return 'fit';
  const numbers = text.split(',').map(Number);
  const [user, item, userSparse, itemSparse, itemShare] = numbers;
  const [factor = 0, factorUserSparse = 0, factorItemSparse = 0, factorShare = 0] =
    numbers.slice(5);
  const weights = {
    user,
    item,
    userSparse,
    itemSparse,
    factor,
    factorUserSparse,
    factorItemSparse,
    itemShare,
    factorShare,
  };
  if (
    (numbers.length !== 5 && numbers.length !== 9) ||
    Object.values(weights).some((x) => !Number.isFinite(x))
  ) {
    throw new Error(
      `expected "fit" or five or nine numbers user,item,userSparse,itemSparse,itemShare[,factor,factorUserSparse,factorItemSparse,factorShare], got "${text}"`,
    );
  }
  return weights;
}
