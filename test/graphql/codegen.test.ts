import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('generated resolver types', () => {
  it('given schema.graphql, when generating the resolver types again, then they equal the committed ones', async () => {
    // `--check` exits non-zero when the generated file would change, so a schema edit
    // without `npm run codegen` (and hence unchecked resolvers) fails here.
    const result = await run(
      process.execPath,
      ['node_modules/.bin/graphql-codegen', '--config', 'codegen.ts', '--check'],
      {
        cwd: root,
      },
    ).then(
      () => 0,
      (err: { code?: number }) => err.code ?? 1,
    );
    expect(result).toBe(0);
  });
});
