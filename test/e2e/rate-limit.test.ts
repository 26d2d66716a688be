/**
 * Writes per client: over the allowance a mutation gets RATE_LIMITED with a retry hint
 * (HTTP 429 and Retry-After when nothing else was done) and changes nothing; reads and
 * other clients are unaffected; replicas sharing a Redis share each client's allowance.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/access/auth.ts';
import { mintToken } from '../../src/access/mint.ts';
import { freePort } from '../support/own-redis.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';
import { FIXTURE_DIR, type InProcessServer, startInProcess } from './helpers.ts';

const RATE = `mutation($userId: ID!, $movieId: ID!, $rating: Float!) {
  rateMovie(input: { userId: $userId, movieId: $movieId, rating: $rating }) { rating { value } }
}`;

async function rate(url: string, userId: number, movieId: number, authorization?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization ? { authorization } : {}),
    },
    body: JSON.stringify({
      query: RATE,
      variables: { userId: String(userId), movieId: String(movieId), rating: 3 },
    }),
  });
  const body = (await res.json()) as {
    data?: unknown;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
}

describe('an allowance of 3 writes a minute per client', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcess({
      dataset: FIXTURE_DIR,
      server: { rateLimit: { points: 3, seconds: 60 } },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('given 3 writes made, when the 4th arrives, then 429 RATE_LIMITED with Retry-After, and the rating is not applied', async () => {
    for (const movieId of [1, 2, 3]) {
      expect((await rate(server.url, 600, movieId)).body.errors).toBeUndefined();
    }
    const limited = await rate(server.url, 600, 4);
    expect(limited.status).toBe(429);
    const error = limited.body.errors?.[0];
    expect(error?.extensions?.code).toBe('RATE_LIMITED');
    expect(error?.message).toMatch(
      /^too many ratings from this client: at most 3 per 60 s; retry in \d+ s$/,
    );
    const wait = Number(error?.extensions?.retryAfterSeconds);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect(limited.retryAfter).toBe(String(wait));
    expect(server.service.users([600])[0]?.ratingCount).toBe(3);
  });

  it('given a client over its allowance, when it reads, then reads are not limited', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ user(id: 600) { ratingCount } }' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { user: { ratingCount: 3 } } });
  });

  it('given two aliased mutations in one request over the allowance, when sent, then each is refused, named by its path, and nothing is applied', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'mutation { a: rateMovie(input: { userId: 601, movieId: 1, rating: 2 }) { previousValue } b: rateMovie(input: { userId: 601, movieId: 2, rating: 2 }) { previousValue } }',
      }),
    });
    const body = (await res.json()) as {
      data?: unknown;
      errors?: Array<{ path?: string[]; extensions?: { code?: string } }>;
    };
    expect(res.status).toBe(429);
    expect(body.data).toEqual({ a: null, b: null });
    expect(body.errors?.map((e) => [e.path?.[0], e.extensions?.code])).toEqual([
      ['a', 'RATE_LIMITED'],
      ['b', 'RATE_LIMITED'],
    ]);
    expect(server.service.users([601])[0]).toBeNull();
  });
});

describe('clients told apart by their token', () => {
  const SECRET = 'a-development-secret-of-32-chars!';
  const auth: AuthConfig = {
    keys: { kind: 'secret', secret: SECRET },
    issuer: null,
    audience: null,
    adminScope: 'ratings:admin',
  };
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcess({
      dataset: FIXTURE_DIR,
      server: { auth, rateLimit: { points: 2, seconds: 60 } },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const bearer = async (sub: string) =>
    `Bearer ${await mintToken({ subject: sub, secret: SECRET, admin: false, adminScope: 'ratings:admin', expiresIn: '5m', issuer: null, audience: null })}`;

  it('given user 610 over its allowance, when user 611 writes from the same address, then 611 is not limited', async () => {
    const a = await bearer('610');
    const b = await bearer('611');
    await rate(server.url, 610, 1, a);
    await rate(server.url, 610, 2, a);
    expect((await rate(server.url, 610, 3, a)).body.errors?.[0].extensions?.code).toBe(
      'RATE_LIMITED',
    );
    expect((await rate(server.url, 611, 1, b)).body.errors).toBeUndefined();
  });
});

describe('counted in Redis', () => {
  let shared: TestRedis;
  const servers: InProcessServer[] = [];
  beforeAll(async () => {
    shared = await testRedis();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await shared?.cleanup();
  });

  it('given two replicas on one Redis, when a client spends its allowance across both, then the second replica refuses the next write', async () => {
    for (let k = 0; k < 2; k++) {
      servers.push(
        await startInProcess({
          dataset: FIXTURE_DIR,
          server: { rateLimit: { points: 3, seconds: 60 } },
          attach: { redis: { client: shared.redis, prefix: shared.prefix } },
        }),
      );
    }
    const [one, two] = servers;
    expect((await rate(one.url, 620, 1)).body.errors).toBeUndefined();
    expect((await rate(two.url, 620, 2)).body.errors).toBeUndefined();
    expect((await rate(one.url, 620, 3)).body.errors).toBeUndefined();
    const limited = await rate(two.url, 620, 4);
    expect(limited.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(await shared.redis.keys(`${shared.prefix}:ratelimit:v1:mutations:*`)).toHaveLength(1);
  });

  it('given a Redis that does not answer, when writes arrive, then the process counts them itself and still limits', async () => {
    const away = new Redis(await freePort(), '127.0.0.1', {
      lazyConnect: true,
      enableOfflineQueue: false,
    });
    const server = await startInProcess({
      dataset: FIXTURE_DIR,
      server: { rateLimit: { points: 2, seconds: 60 } },
      attach: { redis: { client: away, prefix: 'nowhere' } },
    });
    servers.push(server);
    expect((await rate(server.url, 630, 1)).body.errors).toBeUndefined();
    expect((await rate(server.url, 630, 2)).body.errors).toBeUndefined();
    expect((await rate(server.url, 630, 3)).body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    away.disconnect();
  });
});
