import { spawn } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JOURNAL_FILE_NAME, openJournal } from '../../src/store/file-journal.ts';
import { captureLogger, useTempDirs } from './helpers.ts';

const tempDir = useTempDirs();
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const appendLoop = fileURLToPath(new URL('./fixtures/append-loop.ts', import.meta.url));
const RUN_AFTER_FIRST_ACK_MS = 300;

/**
 * Runs the append loop on `dir`, SIGKILLs it RUN_AFTER_FIRST_ACK_MS after its first
 * acknowledgement, and returns the acknowledged sequence numbers.
 */
function runAndKill(dir: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', appendLoop, dir], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), RUN_AFTER_FIRST_ACK_MS);
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(giveUp);
      clearTimeout(killTimer);
      if (signal !== 'SIGKILL' || killTimer === undefined) {
        reject(new Error(`append loop ended with code ${code}, signal ${signal}: ${stderr}`));
        return;
      }
      // Only whole lines count: a number cut by the kill was never fully reported.
      resolve(stdout.split('\n').slice(0, -1).map(Number));
    });
  });
}

describe('rating journal under SIGKILL', () => {
  it('given a writer killed twice mid-append with a torn tail between runs, when reopening, then every acknowledged event is there, in order', async () => {
    const dir = await tempDir();
    const acked = await runAndKill(dir);
    // SIGKILL cannot split a write() on a local disk, but power loss can: fake its torn
    // tail, which the second run must cut off and start over instead of failing.
    await appendFile(join(dir, JOURNAL_FILE_NAME), '{"v":1,"k":"rate","u":3,"m');
    acked.push(...(await runAndKill(dir)));

    const { logger } = captureLogger();
    const { journal, replay } = await openJournal(dir, { logger });
    await journal.close();

    expect(acked.length).toBeGreaterThan(0);
    // Appends are numbered in call order, so the journal must hold 0, 1, 2, ... exactly.
    const movieIds = replay.events.map((event) => event.movieId);
    expect(movieIds).toEqual(movieIds.map((_, s) => s + 1));
    const missing = acked.filter((s) => s >= replay.events.length);
    expect(missing).toEqual([]);
  });
});
