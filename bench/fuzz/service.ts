import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The service under test: the real entry point `src/cli/serve.ts` of the project at
 * `root`, in a child process on an ephemeral loopback port, with a fresh DATA_DIR, the
 * given data set and fixed hybrid weights (so it starts in about a second), embedded
 * mode (no Redis), no rate limit (the fuzzer writes faster than a person) and writes
 * without a token (ALLOW_ANONYMOUS_WRITES, which production otherwise refuses).
 */

/** The weights test/e2e/helpers.ts uses, so a start skips the weight fit. */
export const FIXED_WEIGHTS = '0.9,1.05,-0.7,-1.06,0.2';

export interface ServiceOptions {
  /** The project whose src/cli/serve.ts runs. */
  readonly root: string;
  /** A MovieLens directory. */
  readonly dataset: string;
  readonly production: boolean;
  readonly startTimeoutMs?: number;
}

/** An error the service logged (level >= 50), numbered so a caller can ask what came after a point. */
export interface ErrorLog {
  readonly seq: number;
  readonly msg: string;
  readonly err: string | null;
}

export interface Service {
  readonly origin: string;
  readonly dataDir: string;
  readonly pid: number;
  alive(): boolean;
  /** How it ended, once it has. */
  exit(): string | null;
  /** The number of lines logged so far: a mark for `errorsSince`. */
  mark(): number;
  errorsSince(mark: number): ErrorLog[];
  /** Log lines that were not JSON (a crash's stack), and stderr. */
  stderr(): string;
  /** SIGTERM (SIGKILL after 10 s), then removes DATA_DIR unless `keep`. */
  stop(keep?: boolean): Promise<void>;
}

const started = new Set<ChildProcess>();

// the child must not outlive a fuzzer that crashes or is interrupted
process.once('exit', () => {
  for (const child of started) if (child.pid) process.kill(child.pid, 'SIGKILL');
});

const MAX_ERROR_LOGS = 5000;

export async function startService(options: ServiceOptions): Promise<Service> {
  const dataDir = await mkdtemp(join(tmpdir(), 'movie-recs-fuzz-'));
  // the child gets Redis only when asked: the fuzzer runs the embedded mode
  const { REDIS_URL: _redis, REDIS_CLUSTER_NODES: _cluster, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts'], {
    cwd: options.root,
    env: {
      ...inherited,
      NODE_ENV: options.production ? 'production' : 'development',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATASET: options.dataset,
      HYBRID_WEIGHTS: FIXED_WEIGHTS,
      RATE_LIMIT: 'off',
      // production refuses open writes unless told; the fuzzer writes without a token
      // (revisions that do not know the variable ignore it)
      ALLOW_ANONYMOUS_WRITES: 'true',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      LOG_REQUESTS: 'false',
      JOURNAL_FSYNC: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let exitText: string | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      started.delete(child);
      exitText = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolve();
    });
  });
  let lines = 0;
  const errors: ErrorLog[] = [];
  let stderr = '';
  let pending = '';
  let readyUrl: string | null = null;
  let wake: () => void = () => {};
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      lines++;
      let record: { level?: number; msg?: string; url?: string; err?: { message?: string } };
      try {
        record = JSON.parse(line);
      } catch {
        stderr += `${line}\n`;
        continue;
      }
      if (record.msg?.startsWith('ready in ') && typeof record.url === 'string') {
        readyUrl = record.url;
        wake();
      }
      if ((record.level ?? 0) >= 50 && errors.length < MAX_ERROR_LOGS) {
        errors.push({ seq: lines, msg: record.msg ?? '', err: record.err?.message ?? null });
      }
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the service did not log "ready" within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the service ${exitText} before it was ready: ${stderr}`));
    });
    if (readyUrl) wake();
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  try {
    await ready;
  } catch (err) {
    // a start that failed leaves neither a process nor a directory behind
    if (alive() && child.pid) process.kill(child.pid, 'SIGKILL');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    origin: new URL(readyUrl as unknown as string).origin,
    dataDir,
    pid: child.pid as number,
    alive,
    exit: () => exitText,
    mark: () => lines,
    errorsSince: (mark) => errors.filter((e) => e.seq > mark),
    stderr: () => stderr,
    stop: async (keep = false) => {
      if (alive() && child.pid) {
        process.kill(child.pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (alive() && child.pid) process.kill(child.pid, 'SIGKILL');
        }, 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (!keep) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
