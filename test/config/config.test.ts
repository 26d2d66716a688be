/**
 * The environment variables of limits, authentication, rate limiting and metrics:
 * defaults, the production switch, and a refusal naming the variable for a bad value.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { defaultLimits } from '../../src/graphql/limits.ts';
import { FIXTURE_DIR, killStartedChildren, spawnServe } from '../e2e/helpers.ts';

const SECRET = 'x'.repeat(32);

describe('limits', () => {
  it('given nothing set, when loading, then the documented defaults apply and writes are open but limited', () => {
    const config = loadConfig({});
    expect(config.limits).toEqual(defaultLimits);
    expect(config.auth).toBeNull();
    expect(config.rateLimit).toEqual({ points: 120, seconds: 60 });
    expect(config.trustProxy).toBe(false);
  });

  it('given every limit set, when loading, then each is taken', () => {
    const config = loadConfig({
      LIMIT_DEPTH: '7',
      LIMIT_ALIASES: '0',
      LIMIT_ROOT_FIELDS: '4',
      LIMIT_DIRECTIVES: '2',
      LIMIT_COST: '900',
      LIMIT_QUERY_LENGTH: '3000',
      LIMIT_BODY: '1mb',
      BATCH_REQUESTS: 'true',
      RATE_LIMIT: 'off',
      TRUST_PROXY: '1',
    });
    expect(config.limits).toEqual({
      maxDepth: 7,
      maxAliases: 0,
      maxRootFields: 4,
      maxDirectives: 2,
      maxCost: 900,
      maxQueryLength: 3000,
      maxBody: '1mb',
      batchRequests: true,
      fieldSuggestions: true,
    });
    expect(config.rateLimit).toBeNull();
    expect(config.trustProxy).toBe(1);
  });

  it('given production, when loading, then field suggestions are off unless asked for', () => {
    const production = { NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET };
    expect(loadConfig(production).limits.fieldSuggestions).toBe(false);
    expect(loadConfig({ ...production, FIELD_SUGGESTIONS: 'true' }).limits.fieldSuggestions).toBe(
      true,
    );
  });
});

describe('authentication', () => {
  it('given a secret, issuer and audience, when loading, then tokens are verified with them', () => {
    const config = loadConfig({
      AUTH_JWT_SECRET: 'x'.repeat(32),
      AUTH_ISSUER: 'https://id.example',
      AUTH_AUDIENCE: 'movie-recs',
    });
    expect(config.auth).toEqual({
      keys: { kind: 'secret', secret: 'x'.repeat(32) },
      issuer: 'https://id.example',
      audience: 'movie-recs',
      adminScope: 'ratings:admin',
    });
  });

  it('given a JWKS URL, when loading, then the key set is used', () => {
    expect(loadConfig({ AUTH_JWKS_URL: 'https://id.example/jwks.json' }).auth?.keys).toEqual({
      kind: 'jwks',
      url: 'https://id.example/jwks.json',
    });
  });

  it('given the throughput settings unset, when loading, then answers are kept, lists refresh in the background and one process serves', () => {
    const config = loadConfig({});
    expect(config.recommendationCache).toBe(10_000);
    expect(config.refreshLists).toBe(true);
    expect(config.serveProcesses).toBe(1);
    expect(config.userLists).toBe('auto');
    expect(loadConfig({ USER_LISTS: 'read' }).userLists).toBe('read');
    expect(() => loadConfig({ USER_LISTS: 'later' })).toThrow(/USER_LISTS/);
  });

  it('given HYBRID_WEIGHTS of five or nine numbers, when loading, then the factor weights are the last four, 0 when left out; other counts are refused', () => {
    expect(loadConfig({ HYBRID_WEIGHTS: '0.4,0.6,0,0,0.3' }).hybridWeights).toEqual({
      user: 0.4,
      item: 0.6,
      userSparse: 0,
      itemSparse: 0,
      factor: 0,
      factorUserSparse: 0,
      factorItemSparse: 0,
      itemShare: 0.3,
      factorShare: 0,
    });
    expect(loadConfig({ HYBRID_WEIGHTS: '0.4,0.6,0,0,0.3,0.9,-1,-2,0.5' }).hybridWeights).toEqual({
      user: 0.4,
      item: 0.6,
      userSparse: 0,
      itemSparse: 0,
      factor: 0.9,
      factorUserSparse: -1,
      factorItemSparse: -2,
      itemShare: 0.3,
      factorShare: 0.5,
    });
    expect(() => loadConfig({ HYBRID_WEIGHTS: '0.4,0.6,0,0,0.3,0.9' })).toThrow(/HYBRID_WEIGHTS/);
  });

  it('given several processes with Redis, when loading, then it refuses and says to run replicas instead', () => {
    expect(() => loadConfig({ SERVE_PROCESSES: '2', REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      /SERVE_PROCESSES=2 with REDIS_URL; with Redis, run more replicas/,
    );
    expect(() => loadConfig({ SERVE_PROCESSES: '0' })).toThrow(/SERVE_PROCESSES/);
  });

  it('given both a secret and a JWKS URL, when loading, then it refuses to guess', () => {
    expect(() =>
      loadConfig({ AUTH_JWT_SECRET: 'x'.repeat(32), AUTH_JWKS_URL: 'https://id.example/k' }),
    ).toThrow(/both set/);
  });
});

describe('writes in production', () => {
  // a child that started after all would otherwise outlive the run
  afterAll(killStartedChildren);

  it('given production and no key for tokens, when loading, then it refuses and names the three variables that fix it', () => {
    const load = () => loadConfig({ NODE_ENV: 'production' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/AUTH_JWT_SECRET.*AUTH_JWKS_URL.*ALLOW_ANONYMOUS_WRITES=true/);
  });

  it('given production with a secret or a key set, when loading, then writes need a token', () => {
    expect(loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET }).auth).not.toBeNull();
    expect(
      loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://id.example/k' }).auth,
    ).not.toBeNull();
  });

  it('given production and ALLOW_ANONYMOUS_WRITES=true, when loading, then writes are open as asked', () => {
    const config = loadConfig({ NODE_ENV: 'production', ALLOW_ANONYMOUS_WRITES: 'true' });
    expect(config.auth).toBeNull();
  });

  it('given production and an empty secret (an env file line left blank), when loading, then it refuses', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: '' })).toThrow(
      /writes open to anyone/,
    );
  });

  it('given development and no key, when loading, then writes stay open without asking', () => {
    expect(loadConfig({}).auth).toBeNull();
  });

  it('given ALLOW_ANONYMOUS_WRITES=true and a secret, when loading, then it refuses to guess', () => {
    expect(() => loadConfig({ ALLOW_ANONYMOUS_WRITES: 'true', AUTH_JWT_SECRET: SECRET })).toThrow(
      /ALLOW_ANONYMOUS_WRITES=true and AUTH_JWT_SECRET are both set/,
    );
  });

  it('given production and no key, when serve.ts starts, then it exits 2 with the message on stderr before loading anything', async () => {
    const child = spawnServe({
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: '',
      AUTH_JWKS_URL: '',
      ALLOW_ANONYMOUS_WRITES: '',
      PORT: '0',
      DATASET: FIXTURE_DIR,
    });
    expect(await child.exited).toEqual({ code: 2, signal: null });
    expect(child.stderr()).toMatch(
      /^invalid configuration: NODE_ENV=production with writes open to anyone; set AUTH_JWT_SECRET .* or AUTH_JWKS_URL .* or ALLOW_ANONYMOUS_WRITES=true/,
    );
    expect(child.logs.some((r) => r.msg.startsWith('listening on'))).toBe(false);
  });
});

describe('metrics', () => {
  it('given no METRICS_PORT, when loading, then /metrics stays on the main port', () => {
    expect(loadConfig({}).metrics).toBeNull();
  });

  it('given METRICS_PORT, when loading, then it is bound to 127.0.0.1 unless METRICS_HOST says otherwise', () => {
    expect(loadConfig({ METRICS_PORT: '9464', HOST: '0.0.0.0' }).metrics).toEqual({
      port: 9464,
      host: '127.0.0.1',
    });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics).toEqual({
      port: 9464,
      host: '0.0.0.0',
    });
  });

  it('given METRICS_HOST without METRICS_PORT, when loading, then it refuses rather than leave /metrics on the main port', () => {
    expect(() => loadConfig({ METRICS_HOST: '127.0.0.1' })).toThrow(/METRICS_PORT is not/);
  });

  it('given METRICS_PORT equal to PORT, when loading, then it refuses', () => {
    expect(() => loadConfig({ PORT: '4000', METRICS_PORT: '4000' })).toThrow(
      /METRICS_PORT and PORT are both 4000/,
    );
  });
});

describe('Redis', () => {
  it('given REDIS_CLUSTER_NODES, when loading, then the cluster seeds are parsed', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,redis-b:7001' }).redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
      ],
    });
    expect(loadConfig({ REDIS_URL: 'redis://h:6379' }).redis).toEqual({
      kind: 'single',
      url: 'redis://h:6379',
    });
    expect(loadConfig({}).redis).toBeNull();
  });

  it('given both REDIS_URL and REDIS_CLUSTER_NODES, when loading, then it refuses to guess', () => {
    expect(() =>
      loadConfig({ REDIS_URL: 'redis://h:6379', REDIS_CLUSTER_NODES: 'h:7000' }),
    ).toThrow(/both set/);
  });
});

describe('bad values', () => {
  it.each([
    ['LIMIT_DEPTH', '0'],
    ['LIMIT_COST', 'lots'],
    ['LIMIT_BODY', '100 kilobytes'],
    ['RATE_LIMIT', '0/60'],
    ['RATE_LIMIT', 'fast'],
    ['AUTH_JWT_SECRET', 'short'],
    ['AUTH_JWKS_URL', 'ftp://id.example/k'],
    ['AUTH_ADMIN_SCOPE', 'two scopes'],
    ['BATCH_REQUESTS', 'sometimes'],
    ['REDIS_CLUSTER_NODES', 'h:7000,h'],
    ['ALLOW_ANONYMOUS_WRITES', 'maybe'],
    ['METRICS_PORT', '70000'],
  ])(
    'given %s=%s, when loading, then ConfigError names the variable and the value',
    (name, value) => {
      expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(`${name}=${JSON.stringify(value)}`);
    },
  );
});
