import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../e2e/helpers.ts';

const run = promisify(execFile);

/** Runs `movie-recs <args>` (src/cli/main.ts) to the end; rejects on a non-zero exit. */
export function cli(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_ENV: 'development' },
  });
}
