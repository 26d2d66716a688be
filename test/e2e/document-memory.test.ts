/**
 * Distinct large documents cannot make the process grow without bound: the parsed-
 * document cache counts the query text each entry keeps, so 60,000 distinct 9.8 kB
 * queries (each padded with a comment, as an attacker would) leave the service under
 * 400 MiB of resident memory.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_DIR,
  killStartedChildren,
  type ReadyChild,
  startChild,
  tempDir,
} from './helpers.ts';

const DOCUMENTS = 60_000;
const PADDING = 'x'.repeat(9_750);
const IN_FLIGHT = 16;

/** Resident memory of a process, from /proc (Linux). */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}

describe('memory under distinct documents', () => {
  let server: ReadyChild;
  beforeAll(async () => {
    server = await startChild({
      DATASET: FIXTURE_DIR,
      DATA_DIR: await tempDir(),
      LOG_REQUESTS: 'false',
      NODE_ENV: 'production',
      ALLOW_ANONYMOUS_WRITES: 'true',
    });
  }, 60_000);
  afterAll(async () => {
    await killStartedChildren();
  });

  it(`given ${DOCUMENTS.toLocaleString('en')} distinct 9.8 kB queries, when all are answered, then the service stays under 400 MiB`, async () => {
    const pid = server.process.pid as number;
    let next = 0;
    let peak = 0;
    let failures = 0;
    const worker = async () => {
      while (next < DOCUMENTS) {
        const k = next++;
        const res = await fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `# ${k} ${PADDING}\n{ genres { name } }` }),
        });
        if (res.status !== 200) failures++;
        await res.arrayBuffer();
        if (k % 5_000 === 0) peak = Math.max(peak, await rssMiB(pid));
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    peak = Math.max(peak, await rssMiB(pid));
    expect(failures).toBe(0);
    expect(peak, `peak RSS ${peak.toFixed(0)} MiB`).toBeLessThan(400);
  }, 300_000);
});
