/**
 * The HTTP surface: health and readiness, the 503 while the model loads, the Sandbox
 * landing page and introspection by mode, and the masking of internal errors.
 */
import { rm } from 'node:fs/promises';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { HttpServer } from '../../src/server.ts';
import {
  ERROR,
  FIXTURE_DIR,
  gql,
  type InProcessServer,
  killStartedChildren,
  onlyError,
  type ReadyChild,
  START_TIMEOUT_MS,
  startChild,
  startInProcess,
  tempDir,
} from './helpers.ts';

const INTROSPECTION = '{ __schema { queryType { name } } }';

/** GET /graphql as a browser asks for it. */
const browse = (url: string) => fetch(url, { headers: { accept: 'text/html' } });

describe('an attached server in development', () => {
  let server: InProcessServer;

  beforeAll(async () => {
    // the options serve.ts derives from NODE_ENV=development
    const config = loadConfig({ NODE_ENV: 'development' });
    server = await startInProcess({
      dataset: FIXTURE_DIR,
      introspection: config.introspection,
      sandbox: config.sandbox,
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('given a running server, when GET /healthz, then 200 ok', async () => {
    const res = await fetch(`${server.origin}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('given an attached service, when GET /readyz, then 200 ready', async () => {
    const res = await fetch(`${server.origin}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });

  it('given development mode, when a browser GETs /graphql, then the Apollo Sandbox page is served', async () => {
    const res = await browse(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toMatch(/sandbox/i);
    expect(html).toMatch(/apollo/i);
  });

  it('given development mode, when sending an introspection query, then the schema answers', async () => {
    const result = await gql<{ __schema: { queryType: { name: string } } }>(
      server.url,
      INTROSPECTION,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.__schema.queryType.name).toBe('Query');
  });

  it('given a body that is not JSON, when posting it to /graphql, then 400 with a JSON error and no stack trace', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": "{ genres { name } }"',
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text).not.toMatch(/node_modules|\bat JSON\.parse/);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(JSON.parse(text).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('given a body over the 100 kB limit, when posting it to /graphql, then 413 with a JSON error and no stack trace', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ genres { name } }', padding: 'x'.repeat(200_000) }),
    });
    const text = await res.text();
    expect(res.status).toBe(413);
    expect(text).not.toMatch(/node_modules|PayloadTooLargeError: /);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(JSON.parse(text).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('given a service method that throws a plain Error, when a query reaches it, then the client gets INTERNAL_SERVER_ERROR without details and the log has them', async () => {
    vi.spyOn(server.service, 'movies').mockImplementation(() => {
      throw new Error('disk on fire at /var/secret/ratings.db');
    });
    const result = await gql(server.url, '{ movie(id: 1) { title } }');
    expect(result.status).toBe(200);
    const error = onlyError(result);
    expect(error.message).toBe('Internal server error');
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(error.path).toEqual(['movie']);
    expect(result.text).not.toContain('disk on fire');
    expect(result.text).not.toContain('secret');
    expect(result.text).not.toMatch(/stack|\.ts:\d+/);
    const logged = server.logs.filter((r) => r.level === ERROR);
    expect(JSON.stringify(logged)).toContain('disk on fire');
  });
});

describe('a server whose model is still loading', () => {
  let http: HttpServer;
  let origin: string;

  beforeAll(async () => {
    http = new HttpServer({
      introspection: true,
      sandbox: true,
      logger: pino({ level: 'silent' }),
    });
    const address = await http.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await http?.close();
  });

  it('given no attached service, when GET /healthz, then 200: the process is alive', async () => {
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
  });

  it('given no attached service, when GET /readyz, then 503 loading', async () => {
    const res = await fetch(`${origin}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'loading' });
  });

  it('given no attached service, when posting a query, then 503 with SERVICE_UNAVAILABLE', async () => {
    const result = await gql(`${origin}/graphql`, '{ genres { name } }');
    expect(result.status).toBe(503);
    expect(onlyError(result).extensions?.code).toBe('SERVICE_UNAVAILABLE');
  });
});

describe('serve.ts in production', () => {
  let child: ReadyChild;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await tempDir();
    child = await startChild({
      NODE_ENV: 'production',
      // production refuses open writes unless asked for; writes are not what this tests
      ALLOW_ANONYMOUS_WRITES: 'true',
      DATASET: FIXTURE_DIR,
      DATA_DIR: dataDir,
    });
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await killStartedChildren();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('given NODE_ENV=production, when starting, then the ready line says production', () => {
    const ready = child.logs.find((r) => r.msg.startsWith('ready in '));
    expect(ready?.mode).toBe('production');
    expect(ready?.msg).not.toContain('Sandbox');
  });

  it('given NODE_ENV=production, when sending an introspection query, then it fails validation', async () => {
    const result = await gql(child.url, INTROSPECTION);
    // 200: gql() accepts only application/json (see graphql-over-http.test.ts)
    expect(result.status).toBe(200);
    const error = onlyError(result);
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error.message).toMatch(/introspection/i);
    expect(result.data ?? null).toBeNull();
  });

  it('given NODE_ENV=production, when a browser GETs /graphql, then no landing page is served', async () => {
    const res = await browse(child.url);
    const body = await res.text();
    expect(res.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(body).not.toMatch(/sandbox/i);
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it('given NODE_ENV=production, when querying, then ordinary queries still answer', async () => {
    const result = await gql<{ movie: { title: string } }>(child.url, '{ movie(id: 1) { title } }');
    expect(result.data).toEqual({ movie: { title: 'Alpha Heist' } });
  });
});
