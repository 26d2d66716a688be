import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { documentCache } from '../../src/graphql/document-rules.ts';

describe('the parsed-document cache', () => {
  it('given a document longer than any client sends, when stored, then it is not kept; a short one is', async () => {
    const cache = documentCache(2 ** 20, 100);
    await cache.set('short', parse('{ genres { name } }'));
    await cache.set('long', parse(`# ${'x'.repeat(200)}\n{ genres { name } }`));
    expect(await cache.get('short')).toBeDefined();
    expect(await cache.get('long')).toBeUndefined();
  });

  it('given more documents than fit, when stored, then the bound counts each query text and the oldest go', async () => {
    const cache = documentCache(50_000, 4096);
    for (let k = 0; k < 100; k++) {
      await cache.set(String(k), parse(`# ${k} ${'x'.repeat(1000)}\n{ genres { name } }`));
    }
    // each entry counts at least its ~1 kB text twice: at most 25 of them fit in 50 kB
    const kept = (await Promise.all(Array.from({ length: 100 }, (_, k) => cache.get(String(k)))))
      .map((d, k) => (d ? k : -1))
      .filter((k) => k >= 0);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(25);
    expect(kept.at(-1)).toBe(99);
  });
});
