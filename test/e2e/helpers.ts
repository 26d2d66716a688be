/**
 * Shared machinery for the end-to-end specifications: the real HTTP server, either built
 * in this process (so a test can spy on the service behind it) or started as the real
 * entry point `src/cli/serve.ts` in a child process, and a small GraphQL client over
 * fetch.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Logger, pino } from 'pino';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import type { Dataset } from '../../src/data/types.ts';
import type { HybridWeights } from '../../src/engine/model.ts';
import type { Metrics } from '../../src/metrics.ts';
import { type AttachOptions, HttpServer, type ServerOptions } from '../../src/server.ts';
import { RecommenderService } from '../../src/service/recommender-service.ts';
import { FileJournal, JOURNAL_FILE_NAME, openJournal } from '../../src/store/file-journal.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A 43-movie, 30-user data set in the ml-latest layout (see its README.txt). Movies 901
 * and 902 are co-rated by exactly one user; movie 999 has no ratings, no year and no genre.
 */
export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/e2e-small/', import.meta.url));

/** Fixed hybrid weights, so a start skips the weight fit (~6 s on ml-latest-small). */
export const FIXED_WEIGHTS: HybridWeights = {
  user: 0.9,
  item: 1.05,
  userSparse: -0.7,
  itemSparse: -1.06,
  factor: 0,
  factorUserSparse: 0,
  factorItemSparse: 0,
  itemShare: 0.2,
  factorShare: 0,
};
export const FIXED_WEIGHTS_ENV = '0.9,1.05,-0.7,-1.06,0.2,0,0,0,0';

/** Time for a start on the full ml-latest-small with fixed weights, on a slow 2-core box. */
export const START_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------
// GraphQL over HTTP

export interface GraphQLErrorBody {
  readonly message: string;
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions?: { readonly code?: string; readonly [key: string]: unknown };
}

export interface GraphQLResult<T> {
  readonly status: number;
  readonly data: T | null | undefined;
  readonly errors: ReadonlyArray<GraphQLErrorBody> | undefined;
  /** The raw body, for assertions on what must not leak. */
  readonly text: string;
}

/** POSTs one operation to `url` (the /graphql endpoint) and parses the JSON answer. */
export async function gql<T>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResult<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: T | null; errors?: GraphQLErrorBody[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${url} answered ${res.status} with a body that is not JSON: ${text}`);
  }
  return { status: res.status, data: body.data, errors: body.errors, text };
}

/** The data of a result that must have succeeded; fails with the errors otherwise. */
export async function gqlData<T>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const result = await gql<T>(url, query, variables);
  if (result.errors?.length || result.data == null) {
    throw new Error(
      `expected data, got HTTP ${result.status}: ${result.text}\nquery: ${query}\nvariables: ${JSON.stringify(variables)}`,
    );
  }
  return result.data;
}

/** The one error of a result that must have failed. */
export function onlyError<T>(result: GraphQLResult<T>): GraphQLErrorBody {
  if (result.errors?.length !== 1) {
    throw new Error(`expected exactly one error, got HTTP ${result.status}: ${result.text}`);
  }
  return result.errors[0];
}

// ---------------------------------------------------------------------------------------
// In-process server

export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** pino's numeric levels. */
export const WARN = 40;
export const ERROR = 50;

/** A pino logger whose records (parsed JSON) are kept in `records`. */
export function captureLogger(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => records.push(JSON.parse(line)) },
  );
  return { logger, records };
}

export interface InProcessOptions {
  /** A data set name or directory, or a data set already loaded. */
  readonly dataset: string | Dataset;
  readonly hybrid?: 'fit' | HybridWeights;
  /** Open a journal in a fresh temporary directory (default: no rating log). */
  readonly journal?: boolean;
  readonly introspection?: boolean;
  readonly sandbox?: boolean;
  /** Limits, authentication and rate limiting, as `serve.ts` passes them from its config. */
  readonly server?: Pick<
    ServerOptions,
    'limits' | 'auth' | 'rateLimit' | 'trustProxy' | 'subgraph'
  >;
  /** Where the rate limiter counts (default: in the process). */
  readonly attach?: AttachOptions;
}

export interface InProcessServer {
  /** The /graphql endpoint. */
  readonly url: string;
  /** http://host:port, for /healthz and /readyz. */
  readonly origin: string;
  readonly service: RecommenderService;
  readonly dataset: Dataset;
  readonly logs: LogRecord[];
  readonly journal: FileJournal | null;
  /** `<dataDir>/ratings.journal`, when a journal was opened. */
  readonly journalPath: string | null;
  close(): Promise<void>;
}

/**
 * The real `HttpServer` around a `RecommenderService`, attached and listening on an
 * ephemeral port of 127.0.0.1: what `serve.ts` builds, minus the process.
 */
export async function startInProcess(options: InProcessOptions): Promise<InProcessServer> {
  const dataset =
    typeof options.dataset === 'string' ? await loadDataset(options.dataset) : options.dataset;
  const { logger, records } = captureLogger();
  let dataDir: string | null = null;
  let journal: FileJournal | null = null;
  let metricsOf: Metrics | null = null;
  if (options.journal) {
    dataDir = await mkdtemp(join(tmpdir(), 'movie-recs-e2e-'));
    const opened = (
      await openJournal(dataDir, {
        logger,
        fsync: false,
        onFlush: (seconds) => metricsOf?.journalFlush.observe(seconds),
      })
    ).journal;
    if (!(opened instanceof FileJournal)) throw new Error(`${dataDir} is not writable`);
    journal = opened;
  }
  const service = RecommenderService.create({
    dataset,
    hybrid: options.hybrid ?? FIXED_WEIGHTS,
    log: journal,
  });
  const server = new HttpServer({
    introspection: options.introspection ?? true,
    sandbox: options.sandbox ?? true,
    logger,
    ...options.server,
  });
  metricsOf = server.metrics;
  await server.attach(service, options.attach);
  const address = await server.listen(0, '127.0.0.1');
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    url: `${origin}/graphql`,
    origin,
    service,
    dataset,
    logs: records,
    journal,
    journalPath: dataDir === null ? null : join(dataDir, JOURNAL_FILE_NAME),
    close: async () => {
      await server.close();
      await service.close();
      if (dataDir !== null) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------
// Child process: the real entry point

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ChildServer {
  readonly process: ChildProcess;
  /** stdout, parsed line by line (pino JSON); lines that are not JSON are kept as msg. */
  readonly logs: LogRecord[];
  stderr(): string;
  readonly exited: Promise<Exit>;
  /** Resolves with the first record (past or future) matching, rejects on exit or timeout. */
  waitForLog(match: (r: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
}

const started = new Set<ChildProcess>();

export interface ChildLimits {
  /** The largest file, in KiB, the process may write (bash's `ulimit -f`). */
  readonly fileSizeKb?: number;
}

/**
 * Starts `node --import tsx src/cli/serve.ts` in the project with `env` on top of this
 * process's environment (minus NODE_ENV, which vitest sets to "test").
 */
export function spawnServe(env: Record<string, string>, limits: ChildLimits = {}): ChildServer {
  // the child gets Redis only when the test asks (REDIS_URL is set for the whole run in CI)
  const { NODE_ENV: _ignored, REDIS_URL: _redis, ...inherited } = process.env;
  const node = [process.execPath, '--import', 'tsx', 'src/cli/serve.ts'];
  // bash's ulimit -f caps every file the process writes; Node ignores SIGXFSZ, so a write
  // past the cap fails with EFBIG, as one on a full disk fails with ENOSPC
  const [command, ...args] =
    limits.fileSizeKb === undefined
      ? node
      : ['bash', '-c', `ulimit -f ${limits.fileSizeKb} && exec "$@"`, 'serve', ...node];
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  const logs: LogRecord[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let pending = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ level: 0, msg: line });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
      for (const wake of waiters) wake();
    });
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const waitForLog = (match: (r: LogRecord) => boolean, timeoutMs = START_TIMEOUT_MS) =>
    new Promise<LogRecord>((resolve, reject) => {
      const check = () => {
        const found = logs.find(match);
        if (found) {
          done();
          resolve(found);
        } else if (hasExited || child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`serve.ts exited before the expected log line; stderr: ${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return { process: child, logs, stderr: () => stderr, exited, waitForLog };
}

/** SIGKILLs every child this module started that is still running (for afterAll). */
export async function killStartedChildren(): Promise<void> {
  const running = [...started];
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) resolve();
          else child.once('exit', () => resolve());
        }),
    ),
  );
}

export interface ReadyChild extends ChildServer {
  readonly url: string;
  readonly origin: string;
}

/**
 * Starts serve.ts on an ephemeral port (PORT=0; the logged URL carries the real one)
 * with the fixed weights and waits for its "ready" log line.
 */
export async function startChild(
  env: Record<string, string>,
  limits: ChildLimits = {},
): Promise<ReadyChild> {
  const child = spawnServe(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      HYBRID_WEIGHTS: FIXED_WEIGHTS_ENV,
      // streams of writes from one loopback client; the limiter has its own specification
      RATE_LIMIT: 'off',
      ...env,
    },
    limits,
  );
  const ready = await child.waitForLog((r) => r.msg.startsWith('ready in '));
  const url = String(ready.url);
  return { ...child, url, origin: new URL(url).origin };
}

/** A fresh directory under os.tmpdir(); remove it with `rm` when done. */
export function tempDir(prefix = 'movie-recs-e2e-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * The in-process server of a test file: started before its tests, closed after them. The
 * handle reads through to the server once it is started.
 */
export function serverForFile(options: InProcessOptions): InProcessServer {
  let started: InProcessServer | null = null;
  beforeAll(async () => {
    started = await startInProcess(options);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as InProcessServer, {
    get(_, key) {
      if (!started) throw new Error('the server of this file is not started yet');
      return Reflect.get(started, key);
    },
  });
}

/**
 * For a file that starts serve.ts children: kills them after each test, and removes the
 * directories pushed onto the returned list after the file.
 */
export function childrenForFile(): string[] {
  const dirs: string[] = [];
  afterEach(async () => {
    await killStartedChildren();
  });
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return dirs;
}
