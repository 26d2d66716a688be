/**
 * The layering holds: no module imports itself through others, and the engine (pure
 * computation over typed arrays) imports nothing of the layers above it.
 */
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));

describe('imports', () => {
  it('given every module under src/, when their imports are followed, then none comes back to itself', async () => {
    const graph = await madge(SRC, { fileExtensions: ['ts'], tsConfig: TSCONFIG });
    expect(graph.circular()).toEqual([]);
  }, 60_000);

  it('given the engine, when its imports are listed, then each is another engine module', async () => {
    const graph = await madge(`${SRC}engine`, { fileExtensions: ['ts'], tsConfig: TSCONFIG });
    const outside = Object.entries(graph.obj()).flatMap(([file, deps]) =>
      deps.filter((d) => d.startsWith('..')).map((d) => `${file} -> ${d}`),
    );
    expect(outside).toEqual([]);
  }, 60_000);
});
