/**
 * The suite runs on the Node that package.json pins in devDependencies (the `node`
 * package), not on whatever `node` the machine has: `npm test` puts node_modules/.bin
 * first on the PATH, and every child process is spawned with process.execPath.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

describe('the test runtime', () => {
  it('given npm test, when a test runs, then it runs on the Node version package.json pins', () => {
    const pinned: string = manifest.devDependencies.node;
    expect(
      process.versions.node,
      `running on ${process.execPath}: run the tests with npm test (or npx vitest), which put node_modules/.bin/node first on the PATH, after npm ci`,
    ).toBe(pinned);
  });
});
