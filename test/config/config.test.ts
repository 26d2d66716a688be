/**
 * The environment variables of limits, authentication and rate limiting: defaults, the
 * production switch, and a refusal naming the variable for a bad value.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { defaultLimits } from '../../src/graphql/limits.ts';

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
    expect(loadConfig({ NODE_ENV: 'production' }).limits.fieldSuggestions).toBe(false);
    expect(
      loadConfig({ NODE_ENV: 'production', FIELD_SUGGESTIONS: 'true' }).limits.fieldSuggestions,
    ).toBe(true);
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

  it('given both a secret and a JWKS URL, when loading, then it refuses to guess', () => {
    expect(() =>
      loadConfig({ AUTH_JWT_SECRET: 'x'.repeat(32), AUTH_JWKS_URL: 'https://id.example/k' }),
    ).toThrow(/both set/);
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
  ])(
    'given %s=%s, when loading, then ConfigError names the variable and the value',
    (name, value) => {
      expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(`${name}=${JSON.stringify(value)}`);
    },
  );
});
