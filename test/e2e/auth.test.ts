/**
 * Who may write: with a secret or a key set configured, changing ratings needs a bearer
 * JWT whose subject is the user (or the admin scope); reading never does. A refused write
 * changes nothing.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';

type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/access/auth.ts';
import { mintToken } from '../../src/access/mint.ts';
import {
  FIXTURE_DIR,
  type InProcessServer,
  killStartedChildren,
  PROJECT_ROOT,
  startChild,
  startInProcess,
  tempDir,
} from './helpers.ts';

const SECRET = 'a-development-secret-of-32-chars!';
const ADMIN = 'ratings:admin';

const secretAuth: AuthConfig = {
  keys: { kind: 'secret', secret: SECRET },
  issuer: null,
  audience: null,
  adminScope: ADMIN,
};

const RATE = `mutation($userId: ID!, $movieId: ID!, $rating: Float!) {
  rateMovie(input: { userId: $userId, movieId: $movieId, rating: $rating }) { rating { value } }
}`;
const REMOVE = `mutation($userId: ID!, $movieId: ID!) {
  removeRating(input: { userId: $userId, movieId: $movieId }) { rating { value } }
}`;

/** POSTs with an Authorization header (or none) and returns the status and body. */
async function post(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  authorization?: string,
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: Record<string, unknown> | null;
      errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string } }>;
    },
  };
}

const token = (sub: string, extra: Partial<Parameters<typeof mintToken>[0]> = {}) =>
  mintToken({
    subject: sub,
    secret: SECRET,
    admin: false,
    adminScope: ADMIN,
    expiresIn: '1h',
    issuer: null,
    audience: null,
    ...extra,
  });

describe('with a shared secret', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcess({ dataset: FIXTURE_DIR, server: { auth: secretAuth } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const ratingOf = (userId: number, movieId: number) =>
    server.service.ratingsOf(userId, 100, null).nodes.find((r) => r.movieId === movieId)?.value;

  async function refused(authorization: string | undefined, userId = 42) {
    const before = server.service.users([userId])[0]?.ratingCount ?? 0;
    const { body } = await post(
      server.url,
      RATE,
      { userId: String(userId), movieId: '1', rating: 4 },
      authorization,
    );
    // the refused mutation is null, named by the error's path
    expect(body.data).toEqual({ rateMovie: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.path).toEqual(['rateMovie']);
    expect(server.service.users([userId])[0]?.ratingCount ?? 0).toBe(before);
    return body.errors?.[0] as { message: string; extensions?: { code?: string } };
  }

  it.each([
    ['no Authorization header', undefined, 'changing ratings needs a bearer token'],
    ['a Basic header', 'Basic dXNlcjpwYXNz', 'the Authorization header is not "Bearer <token>"'],
    ['a token that is not a JWT', 'Bearer not.a.jwt', 'the token is malformed'],
  ])('given %s, when rating, then UNAUTHENTICATED says why', async (_, authorization, why) => {
    const error = await refused(authorization);
    expect(error.extensions?.code).toBe('UNAUTHENTICATED');
    expect(error.message).toContain(why);
  });

  it('given a token signed with another secret, when rating, then UNAUTHENTICATED: the signature does not verify', async () => {
    const forged = await token('42', { secret: 'another-secret-that-is-32-chars!!' });
    const error = await refused(`Bearer ${forged}`);
    expect(error.extensions?.code).toBe('UNAUTHENTICATED');
    expect(error.message).toBe('the bearer token was refused: the token signature does not verify');
  });

  it('given an expired token, when rating, then UNAUTHENTICATED: it has expired', async () => {
    const expired = await token('42', { expiresIn: '-1m' });
    const error = await refused(`Bearer ${expired}`);
    expect(error.extensions?.code).toBe('UNAUTHENTICATED');
    expect(error.message).toBe('the bearer token was refused: the token has expired');
  });

  it('given a token without an expiry, when rating, then UNAUTHENTICATED names the missing claim', async () => {
    const forever = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('42')
      .sign(new TextEncoder().encode(SECRET));
    const error = await refused(`Bearer ${forever}`);
    expect(error.message).toBe('the bearer token was refused: the token has no "exp" claim');
  });

  it('given an unsigned token (alg none), when rating, then UNAUTHENTICATED', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const claims = Buffer.from(
      JSON.stringify({ sub: '42', exp: Math.floor(Date.now() / 1000) + 3600 }),
    ).toString('base64url');
    const error = await refused(`Bearer ${header}.${claims}.`);
    expect(error.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('given a token of user 42, when rating as user 7, then FORBIDDEN names both users and the scope', async () => {
    const error = await refused(`Bearer ${await token('42')}`, 7);
    expect(error.extensions?.code).toBe('FORBIDDEN');
    expect(error.message).toBe(
      `the token belongs to user 42; it may not change the ratings of user 7 without the ${ADMIN} scope`,
    );
  });

  it('given a token whose subject is not a user id, when rating, then FORBIDDEN says so', async () => {
    const error = await refused(`Bearer ${await token('alice')}`);
    expect(error.extensions?.code).toBe('FORBIDDEN');
    expect(error.message).toContain('subject "alice" is not a user id');
  });

  it('given a token of user 42, when rating and removing as user 42, then both are applied', async () => {
    const bearer = `Bearer ${await token('42')}`;
    const rated = await post(server.url, RATE, { userId: '42', movieId: '5', rating: 3.5 }, bearer);
    expect(rated.body.errors).toBeUndefined();
    expect(ratingOf(42, 5)).toBe(3.5);
    const removed = await post(server.url, REMOVE, { userId: '42', movieId: '5' }, bearer);
    expect(removed.body.errors).toBeUndefined();
    expect(ratingOf(42, 5)).toBeUndefined();
  });

  it('given a token of user 42, when removing a rating of user 3, then FORBIDDEN and the rating stays', async () => {
    const [existing] = server.service.ratingsOf(3, 1, null).nodes;
    const { body } = await post(
      server.url,
      REMOVE,
      { userId: '3', movieId: String(existing.movieId) },
      `Bearer ${await token('42')}`,
    );
    expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(ratingOf(3, existing.movieId)).toBe(existing.value);
  });

  it('given an admin token, when rating as any user, then it is applied', async () => {
    const admin = `Bearer ${await token('ops', { admin: true })}`;
    const { body } = await post(server.url, RATE, { userId: '7', movieId: '2', rating: 2 }, admin);
    expect(body.errors).toBeUndefined();
    expect(ratingOf(7, 2)).toBe(2);
  });

  it('given no token, when querying, then reads are open', async () => {
    const { status, body } = await post(server.url, '{ movie(id: 1) { title } }', {});
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });
});

describe('with issuer and audience required', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcess({
      dataset: FIXTURE_DIR,
      server: { auth: { ...secretAuth, issuer: 'https://id.example', audience: 'movie-recs' } },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('given a token for another audience, when rating, then UNAUTHENTICATED names the claim; the right one passes', async () => {
    const wrong = await token('42', { issuer: 'https://id.example', audience: 'billing' });
    const refused = await post(
      server.url,
      RATE,
      { userId: '42', movieId: '1', rating: 4 },
      `Bearer ${wrong}`,
    );
    expect(refused.body.errors?.[0].message).toBe(
      'the bearer token was refused: the token\'s "aud" claim is not accepted',
    );
    const right = await token('42', { issuer: 'https://id.example', audience: 'movie-recs' });
    const accepted = await post(
      server.url,
      RATE,
      { userId: '42', movieId: '1', rating: 4 },
      `Bearer ${right}`,
    );
    expect(accepted.body.errors).toBeUndefined();
  });
});

describe('with a JWKS URL', () => {
  let keys: Server;
  let server: InProcessServer;
  let privateKey: KeyLike;
  let strangerKey: KeyLike;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    strangerKey = (await generateKeyPair('ES256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    // the identity provider: a key set on a loopback port
    keys = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
    const { port } = keys.address() as AddressInfo;
    server = await startInProcess({
      dataset: FIXTURE_DIR,
      server: {
        auth: {
          keys: { kind: 'jwks', url: `http://127.0.0.1:${port}/.well-known/jwks.json` },
          issuer: null,
          audience: null,
          adminScope: ADMIN,
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => keys?.close(resolve));
  });

  const signed = (key: KeyLike, sub: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject(sub)
      .setExpirationTime('5m')
      .sign(key);

  it('given a token signed by the provider’s key, when rating as its subject, then it is applied', async () => {
    const { body } = await post(
      server.url,
      RATE,
      { userId: '42', movieId: '3', rating: 5 },
      `Bearer ${await signed(privateKey, '42')}`,
    );
    expect(body.errors).toBeUndefined();
  });

  it('given a token signed by another key with the same kid, when rating, then UNAUTHENTICATED', async () => {
    const { body } = await post(
      server.url,
      RATE,
      { userId: '42', movieId: '3', rating: 1 },
      `Bearer ${await signed(strangerKey, '42')}`,
    );
    expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(body.errors?.[0].message).toContain('signature does not verify');
  });

  it('given an HS256 token made with the key set as a secret, when rating, then UNAUTHENTICATED (no algorithm confusion)', async () => {
    const hs = await token('42', { secret: 'any-secret-the-attacker-chose-32ch' });
    const { body } = await post(
      server.url,
      RATE,
      { userId: '42', movieId: '3', rating: 1 },
      `Bearer ${hs}`,
    );
    expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('serve.ts and the token command', () => {
  afterAll(async () => {
    await killStartedChildren();
  });

  it('given no authentication settings, when starting, then the log warns that writes are open', async () => {
    const child = await startChild({ DATASET: FIXTURE_DIR, DATA_DIR: await tempDir() });
    expect(child.logs.some((r) => r.msg.startsWith('authentication is off'))).toBe(true);
  });

  it('given AUTH_JWT_SECRET, when a token from `npm run token` is used, then the server accepts it for that user only', async () => {
    const child = await startChild({
      DATASET: FIXTURE_DIR,
      DATA_DIR: await tempDir(),
      AUTH_JWT_SECRET: SECRET,
    });
    expect(child.logs.some((r) => r.msg.startsWith('changing ratings needs a bearer token'))).toBe(
      true,
    );
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/token.ts', '--sub', '42'],
      { cwd: PROJECT_ROOT, env: { ...process.env, AUTH_JWT_SECRET: SECRET } },
    );
    const minted = stdout.trim();
    const { payload } = await jwtVerify(minted, new TextEncoder().encode(SECRET));
    expect(payload.sub).toBe('42');
    const own = await post(
      child.url,
      RATE,
      { userId: '42', movieId: '1', rating: 4 },
      `Bearer ${minted}`,
    );
    expect(own.body.errors).toBeUndefined();
    const other = await post(
      child.url,
      RATE,
      { userId: '43', movieId: '1', rating: 4 },
      `Bearer ${minted}`,
    );
    expect(other.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
