#!/usr/bin/env node
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { type Logger, pino } from 'pino';
import { runPrimary } from '../cluster/primary.ts';
import { joinPrimary } from '../cluster/worker.ts';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { loadDataset } from '../data/movielens.ts';
import { HttpServer } from '../server.ts';
import { HybridClock } from '../service/hybrid-clock.ts';
import { RecommenderService } from '../service/recommender-service.ts';
import { StartProgress } from '../service/start-progress.ts';
import { DataDirLockedError } from '../store/data-dir-locked-error.ts';
import { openJournal } from '../store/file-journal.ts';
import { RatingStream } from '../store/rating-stream.ts';
import { connectRedis, type RedisClient } from '../store/redis-client.ts';
import { RedisNeighbourStore } from '../store/redis-neighbour-store.ts';
import { isEntryPoint } from './entry.ts';

/**
 * Starts the service: opens the port first (so /healthz answers while the model loads),
 * loads the data set and replays the journal, fits the model, then opens /graphql.
 * SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the journal, exit 0.
 */
/** The `serve` command: configuration comes from the environment (see README). */
export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'Start the GraphQL service (configured by environment variables: PORT, DATASET, DATA_DIR, REDIS_URL, ...; see the README)',
    )
    .action(() => serve().catch(fail));
}

export async function serve(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config);
  if (config.serveProcesses > 1 && cluster.isPrimary) return runPrimary(config, logger);
  const server = new HttpServer({
    introspection: config.introspection,
    sandbox: config.sandbox,
    logger,
    limits: config.limits,
    auth: config.auth,
    rateLimit: config.rateLimit,
    trustProxy: config.trustProxy,
    logRequests: config.logRequests,
    subgraph: config.subgraph,
    separateMetrics: config.metrics !== null,
  });
  if (config.auth === null) {
    logger.warn(
      "authentication is off: anyone can change any user's ratings (set AUTH_JWT_SECRET or AUTH_JWKS_URL to require bearer tokens)",
    );
  } else {
    logger.info(
      { keys: config.auth.keys.kind, adminScope: config.auth.adminScope },
      'changing ratings needs a bearer token whose subject is the user id',
    );
  }
  // a worker of a multi-process service: the primary owns the journal and the metrics port
  const worker = cluster.isWorker ? joinPrimary(server.metrics.registry) : null;
  const address = await server.listen(config.port, config.host);
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/graphql`;
  logger.info({ url }, `listening on ${url} (the model is loading)`);
  if (config.metrics && !worker) {
    const at = await server.listenMetrics(config.metrics.port, config.metrics.host);
    const metricsUrl = `http://${at.family === 'IPv6' ? `[${at.address}]` : at.address}:${at.port}/metrics`;
    logger.info({ metricsUrl }, `metrics on ${metricsUrl}, not on the main port`);
  }

  let service: RecommenderService | null = null;
  let closeRedis = async () => {};
  let redisProblem: () => string | null = () => null;
  let limiterRedis: RedisClient | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing in-flight requests');
    await server.close();
    await service?.close();
    await closeRedis();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const clock = ratingClock(config, logger);
  const started = performance.now();
  // the model takes minutes on a large data set: say how far it is, in the log and on /readyz
  const progress = new StartProgress();
  server.loading(() => progress.status());
  const ticker = setInterval(
    () => logger.info({ start: progress.status() }, `starting: ${progress.describe()}`),
    PROGRESS_LOG_MS,
  );
  const background = { progress: (phase: string, f: number) => progress.report(phase, f) };
  progress.report('loading data', null);
  const dataset = await loadDataset(config.dataset);
  progress.report('loading data', 1);
  const dataDir = resolve(config.dataDir);
  const { journal, replay } = worker
    ? { journal: worker.log, replay: { events: await worker.events } }
    : await openJournal(dataDir, {
        logger,
        fsync: config.journalFsync,
        onFlush: (seconds) => server.metrics.journalFlush.observe(seconds),
      }).catch((err: unknown) => {
        // an operator's mistake, not a bug: the message says what to do, a stack would bury it
        if (!(err instanceof DataDirLockedError)) throw err;
        process.stderr.write(`${err.message}\n`);
        process.exit(2);
      });
  logger.info(
    {
      dataset: dataset.name,
      ratings: dataset.ratings.length,
      journalEvents: replay.events.length,
      dataDir,
    },
    'data loaded; fitting the model',
  );
  if (config.redis) {
    const target = config.redis;
    const redis = connectRedis(target);
    redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
    // back after an outage: send the list changes it missed, with no manual step
    redis.on('ready', () => void service?.resyncRedis()); // never rejects: it logs
    redisProblem = () =>
      redis.status !== 'ready'
        ? `redis is ${redis.status}`
        : service?.redisBehind
          ? 'redis lags behind the local lists'
          : null;
    await redis.connect();
    limiterRedis = redis;
    // ratings accepted by other replicas arrive through a stream on a second connection
    const reader = connectRedis(target);
    reader.on('error', () => {});
    await reader.connect();
    const stream = new RatingStream(redis, reader, config.redisPrefix, randomUUID(), logger, {
      compaction: {
        maxEntries: config.streamCompactEntries,
        minAgeMs: config.streamCompactMinAgeMs,
      },
    });
    await stream.claimEpoch();
    // the model starts from everything accepted so far: the data set, this replica's
    // journal and what the other replicas shared (the stream and its snapshot)
    const shared = await stream.readAll();
    const store = new RedisNeighbourStore(redis, config.redisPrefix);
    const started = await RecommenderService.createWithStore({
      dataset,
      events: [...replay.events, ...shared],
      hybrid: config.hybridWeights,
      recommendationCache: config.recommendationCache,
      refreshLists: config.refreshLists,
      userLists: config.userLists,
      log: journal,
      logger,
      store,
      clock,
      background,
      onPublish: (done, total) => progress.report('publishing lists', done / total),
    });
    service = started.service;
    await service.joinStream(stream, replay.events, shared);
    closeRedis = async () => {
      redis.disconnect();
      reader.disconnect();
    };
    logger.info(
      { warm: started.warm, listsLoaded: started.listsLoaded, prefix: config.redisPrefix },
      started.warm
        ? `warm start: reused ${started.listsLoaded} neighbour lists from Redis`
        : 'cold start: neighbour lists computed and published to Redis',
    );
  } else {
    service = await RecommenderService.start({
      dataset,
      events: replay.events,
      hybrid: config.hybridWeights,
      recommendationCache: config.recommendationCache,
      refreshLists: config.refreshLists,
      userLists: config.userLists,
      log: journal,
      logger,
      clock,
      background,
    });
  }
  clearInterval(ticker);
  worker?.attach(service);
  const buildSeconds = (performance.now() - started) / 1000;
  await server.attach(service, {
    buildSeconds,
    // what readiness reports while the service answers without something it needs
    degraded: () => [journal.problem, redisProblem()].filter((p) => p !== null).join('; ') || null,
    redis: limiterRedis ? { client: limiterRedis, prefix: config.redisPrefix } : null,
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (worker) {
    // the primary says "ready" once every worker is
    logger.info({ url, seconds, pid: process.pid }, `worker ready in ${seconds} s`);
    worker.ready(url);
    return;
  }
  logger.info(
    { url, seconds, mode: config.production ? 'production' : 'development' },
    `ready in ${seconds} s: ${url}${config.sandbox ? ' (open it in a browser for Apollo Sandbox)' : ''}`,
  );
}

/** How often a start says how far it is. */
const PROGRESS_LOG_MS = 5000;

/**
 * The log's lines: JSON, written asynchronously (a synchronous write per request line cost
 * a tenth of a trivial request's CPU; pino flushes what is buffered when the process
 * exits), or pretty for a person at a terminal.
 */
function createLogger(config: Config): Logger {
  // the workers of a multi-process service say which one wrote a line
  const base = { service: 'movie-recs', ...(cluster.isWorker ? { pid: process.pid } : {}) };
  return config.logFormat === 'pretty'
    ? pino({
        level: config.logLevel,
        base,
        transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname,service' } },
      })
    : pino({ level: config.logLevel, base }, pino.destination({ dest: 1, sync: false }));
}

/**
 * The clock that times accepted ratings. CLOCK_OFFSET_MS shifts it; with CLOCK_OFFSET_FILE
 * set, SIGUSR2 makes it read a new offset from that file, so a test can step a running
 * replica's clock back or forth as NTP would.
 */
function ratingClock(config: Config, logger: Logger): HybridClock {
  const clock = new HybridClock(config.clockOffsetMs);
  const file = config.clockOffsetFile;
  if (file) {
    process.on('SIGUSR2', () => {
      try {
        const offset = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
        if (!Number.isFinite(offset)) throw new Error(`${file} does not hold a whole number`);
        clock.offsetMs = offset;
        logger.warn({ offsetMs: offset }, 'rating clock offset changed');
      } catch (err) {
        logger.error({ err: (err as Error).message }, 'could not read the clock offset');
      }
    });
  }
  return clock;
}

if (isEntryPoint(import.meta.url)) serve().catch(fail);

function fail(err: unknown): never {
  process.stderr.write(
    `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
}
