import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Every process the harness starts goes through here, so that all of them can be stopped
 * by pid on any way out: a finished schedule, a thrown error, or SIGINT.
 */
const running = new Set<ChildProcess>();

export { sleep };

/**
 * Starts `command` with stdout and stderr appended to `logPath` (a header line first, so
 * a log that spans restarts says where each life began), and tracks the process.
 */
export function spawnLogged(
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly logPath: string; readonly env?: NodeJS.ProcessEnv; readonly cwd?: string },
): ChildProcess {
  appendFileSync(
    options.logPath,
    `\n=== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`,
  );
  const fd = openSync(options.logPath, 'a');
  try {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', fd, fd],
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    // a spawn failure (command not found) arrives as an event; the exit follows it
    child.once('error', () => running.delete(child));
    return child;
  } finally {
    // the child holds its own copy of the descriptor
    closeSync(fd);
  }
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Resolves when the process has exited (at once if it has), or false after `timeoutMs`. */
export function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (!isRunning(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', done);
      resolve(false);
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', done);
  });
}

/** Sends `signal` to a running process by its pid; false if it is gone. */
export function signal(child: ChildProcess, sig: NodeJS.Signals): boolean {
  if (!isRunning(child) || child.pid === undefined) return false;
  try {
    process.kill(child.pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL, then wait for the exit (a stopped process dies of SIGKILL too). */
export async function killHard(child: ChildProcess): Promise<void> {
  if (!signal(child, 'SIGKILL')) return;
  await waitExit(child, 10_000);
}

/** SIGTERM (after SIGCONT, in case it was paused); SIGKILL if it is not gone in `graceMs`. */
export async function stopGently(child: ChildProcess, graceMs = 5000): Promise<void> {
  signal(child, 'SIGCONT');
  if (!signal(child, 'SIGTERM')) return;
  if (!(await waitExit(child, graceMs))) await killHard(child);
}

/** SIGKILLs every tracked process now (synchronous, for signal handlers). */
export function killEverythingNow(): void {
  for (const child of running) {
    if (child.pid === undefined) continue;
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** SIGKILLs every tracked process and waits for them. */
export async function killEverything(): Promise<void> {
  await Promise.all([...running].map((child) => killHard(child)));
}

/** Whether a loopback port can be bound now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A loopback port that was free a moment ago (from a server bound to port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Polls `ok` every `everyMs` until it is true, or throws `message` after `timeoutMs`. */
export async function until(
  ok: () => Promise<boolean> | boolean,
  timeoutMs: number,
  message: string,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ok()) return;
    if (Date.now() > deadline) throw new Error(`${message} (waited ${timeoutMs} ms)`);
    await sleep(everyMs);
  }
}
