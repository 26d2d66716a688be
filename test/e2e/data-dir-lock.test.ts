/**
 * One writer per DATA_DIR (serve.ts in children): a second service on a directory in use
 * stops at once, naming the first, instead of appending to (and, on a failed batch,
 * cutting) its journal; a service killed with SIGKILL does not keep the directory.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME } from '../../src/store/data-dir-lock.ts';
import {
  childrenForFile,
  FIXED_WEIGHTS_ENV,
  FIXTURE_DIR,
  START_TIMEOUT_MS,
  spawnServe,
  startChild,
  tempDir,
} from './helpers.ts';

const dirs = childrenForFile();

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('two services on one DATA_DIR', () => {
  it(
    'given a running service, when a second starts on its DATA_DIR, then the second exits 2 naming the first, and after the first is SIGKILLed a new start succeeds',
    async () => {
      const dir = await tempDir();
      dirs.push(dir);
      const env = { DATASET: FIXTURE_DIR, DATA_DIR: dir };
      const first = await startChild(env);
      const firstPid = first.process.pid;

      const second = spawnServe({
        ...env,
        PORT: '0',
        HOST: '127.0.0.1',
        HYBRID_WEIGHTS: FIXED_WEIGHTS_ENV,
      });
      // without the lock it would start and run beside the first: fail then, not time out
      const outcome = await Promise.race([
        second.exited,
        second
          .waitForLog((r) => r.msg.startsWith('ready in '))
          .then(
            () => 'the second service started beside the first',
            () => new Promise<never>(() => {}),
          ),
      ]);

      expect(outcome).toEqual({ code: 2, signal: null });
      const lockFile = join(dir, LOCK_FILE_NAME);
      expect(second.stderr()).toMatch(
        new RegExp(
          `^DATA_DIR ${literal(dir)} is in use by process ${firstPid} on host ${literal(hostname())} \\(since [^)]+\\); stop it, or remove ${literal(lockFile)} if that process is gone\\n$`,
        ),
      );
      // the first still owns the directory and still answers
      expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ pid: firstPid });
      expect((await fetch(`${first.origin}/readyz`)).status).toBe(200);

      first.process.kill('SIGKILL');
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const third = await startChild(env);

      expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({
        pid: third.process.pid,
      });
    },
    2 * START_TIMEOUT_MS,
  );
});
