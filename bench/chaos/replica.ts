import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  isPortFree,
  isRunning,
  killHard,
  signal,
  sleep,
  spawnLogged,
  stopGently,
  until,
} from './processes.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How long a start (data set load, journal replay, stream catch-up) may take. */
const READY_TIMEOUT_MS = 60_000;
/** Restarts after exits the harness did not cause, per replica and schedule. */
const MAX_UNEXPECTED_RESTARTS = 5;

/** The key prefix of the replicas in Redis (REDIS_PREFIX). */
export const PREFIX = 'chaos';

/** Service settings every replica of every schedule gets (see src/config.ts). */
export const REPLICA_ENV: Readonly<Record<string, string>> = {
  HOST: '127.0.0.1',
  REDIS_PREFIX: PREFIX,
  // fixed weights skip the weight fit at every start
  HYBRID_WEIGHTS: '0.9,1.05,-0.7,-1.06,0.2',
  JOURNAL_FSYNC: 'true',
  LOG_LEVEL: 'warn',
  LOG_FORMAT: 'json',
  LOG_REQUESTS: 'false',
  // the checks read hundreds of lists per request
  LIMIT_ALIASES: '1000',
  LIMIT_ROOT_FIELDS: '1000',
  LIMIT_COST: '100000000',
  LIMIT_QUERY_LENGTH: '1000000',
  LIMIT_BODY: '10mb',
  RATE_LIMIT: 'off',
  // compact the rating stream during a schedule (ignored by a service without compaction)
  STREAM_COMPACT_ENTRIES: '40',
  STREAM_COMPACT_MIN_AGE_MS: '1000',
};

/** Variables of the harness's own environment that would change what a replica does. */
const NOT_INHERITED = [
  'NODE_ENV',
  'REDIS_URL',
  'REDIS_CLUSTER_NODES',
  'AUTH_JWT_SECRET',
  'AUTH_JWKS_URL',
  'SUBGRAPH',
  'TRUST_PROXY',
  'CLOCK_OFFSET_MS',
  'CLOCK_OFFSET_FILE',
];

export interface UnexpectedExit {
  readonly replica: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Milliseconds since the schedule's load started (negative: before). */
  readonly atMs: number;
}

export interface ReplicaOptions {
  readonly slot: number;
  /** The project whose src/cli/serve.ts runs (default: this one). */
  readonly serviceRoot?: string;
  readonly scheduleDir: string;
  readonly datasetDir: string;
  /** REDIS_URL or REDIS_CLUSTER_NODES, asked at every start. */
  readonly redisEnv: () => Record<string, string>;
  /** Told about every exit the harness did not cause (after which it restarts the replica). */
  readonly onUnexpectedExit: (exit: Omit<UnexpectedExit, 'atMs'>) => void;
}

/**
 * One service replica: `node --import tsx src/cli/serve.ts` with its own DATA_DIR, port,
 * clock offset file and log file (stdout and stderr of every life, appended). Operations
 * on one replica (kill and restart, pause, clock step) run one at a time.
 */
export class Replica {
  readonly slot: number;
  readonly dataDir: string;
  readonly logPath: string;
  readonly clockFile: string;
  port = 0;
  /** The clock offset in force: kept over restarts, as a machine's clock would be. */
  clockOffsetMs = 0;
  paused = false;
  starts = 0;
  private child: ChildProcess | null = null;
  private expectedExit = false;
  private unexpectedRestarts = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: ReplicaOptions) {
    this.slot = options.slot;
    this.dataDir = join(options.scheduleDir, `replica-${options.slot}`);
    this.logPath = join(options.scheduleDir, `replica-${options.slot}.log`);
    this.clockFile = join(options.scheduleDir, `replica-${options.slot}.clock`);
    mkdirSync(this.dataDir, { recursive: true });
    writeFileSync(this.clockFile, '0\n');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && isRunning(this.child);
  }

  /** Runs `op` after every operation already queued on this replica. */
  exclusive<T>(op: () => Promise<T>): Promise<T> {
    const next = this.chain.then(op, op);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Starts the process and waits until /readyz answers 200 (ready or degraded). */
  async start(): Promise<void> {
    if (this.port === 0 || !(await isPortFree(this.port))) this.port = await freePort();
    const inherited = { ...process.env };
    for (const name of NOT_INHERITED) delete inherited[name];
    this.expectedExit = false;
    this.paused = false;
    this.starts++;
    const child = spawnLogged(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts'], {
      cwd: this.options.serviceRoot ?? PROJECT_ROOT,
      logPath: this.logPath,
      env: {
        ...inherited,
        ...REPLICA_ENV,
        ...this.options.redisEnv(),
        PORT: String(this.port),
        DATASET: this.options.datasetDir,
        DATA_DIR: this.dataDir,
        CLOCK_OFFSET_MS: String(this.clockOffsetMs),
        CLOCK_OFFSET_FILE: this.clockFile,
      },
    });
    this.child = child;
    child.once('exit', (code, sig) => {
      if (this.child !== child || this.expectedExit || this.closed) return;
      this.options.onUnexpectedExit({ replica: this.slot, code, signal: sig });
      if (this.unexpectedRestarts++ < MAX_UNEXPECTED_RESTARTS) {
        void this.exclusive(async () => {
          if (!this.running && !this.closed) await this.start();
        }).catch(() => undefined);
      }
    });
    await until(
      async () => {
        if (!isRunning(child)) {
          throw new Error(
            `replica ${this.slot} exited at start (code ${child.exitCode}, signal ${child.signalCode}); log ${this.logPath}:\n${this.logTail()}`,
          );
        }
        return this.ready();
      },
      READY_TIMEOUT_MS,
      `replica ${this.slot} did not become ready; log ${this.logPath}`,
    );
  }

  /** Whether /readyz answers 200 within a second. */
  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/readyz`, {
        signal: AbortSignal.timeout(1000),
      });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /** SIGKILL: a crash, with whatever was in flight. */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.expectedExit = true;
    await killHard(this.child);
    this.paused = false;
  }

  pause(): void {
    if (this.child && signal(this.child, 'SIGSTOP')) this.paused = true;
  }

  resume(): void {
    if (this.child) signal(this.child, 'SIGCONT');
    this.paused = false;
  }

  /**
   * Steps the clock: writes the new offset to the offset file and sends SIGUSR2, on which
   * the service re-reads it. A service without the hook dies of SIGUSR2 (its default
   * action); then it is started again with CLOCK_OFFSET_MS set, and this returns false.
   */
  async stepClock(offsetMs: number): Promise<boolean> {
    this.clockOffsetMs = offsetMs;
    writeFileSync(this.clockFile, `${offsetMs}\n`);
    const child = this.child;
    // a replica that is down takes the offset from CLOCK_OFFSET_MS when it starts
    if (child === null || !isRunning(child)) return true;
    // the exit, if it comes, is this step's doing
    this.expectedExit = true;
    signal(child, 'SIGUSR2');
    await sleep(300);
    if (isRunning(child)) {
      this.expectedExit = false;
      return true;
    }
    await this.start();
    return false;
  }

  /** SIGTERM and wait (SIGKILL after 5 s); no restart follows. */
  async close(): Promise<void> {
    this.closed = true;
    this.expectedExit = true;
    if (this.child) await stopGently(this.child, 5000);
  }

  /** The last lines of the log, for error messages. */
  logTail(bytes = 2000): string {
    try {
      const text = readFileSync(this.logPath, 'utf8');
      return text.slice(-bytes);
    } catch {
      return '(no log)';
    }
  }
}
