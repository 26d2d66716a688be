import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { ForbiddenError, quote, UnauthenticatedError } from '../service/errors.ts';

/** Where tokens come from: a shared secret (HS256) or an identity provider's key set. */
export type KeySource =
  | { readonly kind: 'secret'; readonly secret: string }
  | { readonly kind: 'jwks'; readonly url: string };

export interface AuthConfig {
  readonly keys: KeySource;
  /** Required `iss`, when set. */
  readonly issuer: string | null;
  /** Required `aud`, when set. */
  readonly audience: string | null;
  /** The scope that lets a token rate for any user. */
  readonly adminScope: string;
}

/** Who sent a request, as far as writes are concerned. */
export type Caller =
  /** Authentication is not configured: every write is allowed (development). */
  | { readonly kind: 'open' }
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'rejected'; readonly reason: string }
  | {
      readonly kind: 'token';
      readonly subject: string;
      /** The subject as a user id, when it is one. */
      readonly userId: number | null;
      readonly admin: boolean;
    };

export type Identify = (authorization: string | undefined) => Promise<Caller>;

/** Shared secrets shorter than this are refused at start: HS256 wants 256 bits. */
export const MIN_SECRET_LENGTH = 32;

/** Reads the caller from an `Authorization` header; `null` config means open mode. */
export function createIdentify(config: AuthConfig | null): Identify {
  if (config === null) return async () => ({ kind: 'open' });
  const verify = verifier(config);
  return async (authorization) => {
    if (authorization === undefined || authorization.trim() === '') return { kind: 'anonymous' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) {
      return {
        kind: 'rejected',
        reason: 'the Authorization header is not "Bearer <token>"',
      };
    }
    try {
      const payload = await verify(match[1]);
      const subject = payload.sub ?? '';
      return {
        kind: 'token',
        subject,
        userId:
          /^[1-9]\d{0,9}$/.test(subject) && Number(subject) <= 0x7fffffff ? Number(subject) : null,
        admin: scopesOf(payload).includes(config.adminScope),
      };
    } catch (err) {
      return { kind: 'rejected', reason: rejectionReason(err) };
    }
  };
}

/** Verifies a compact JWT's signature and claims; a token without `sub` or `exp` fails. */
function verifier(config: AuthConfig): (token: string) => Promise<JWTPayload> {
  const claims = {
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
    requiredClaims: ['sub', 'exp'],
  };
  if (config.keys.kind === 'secret') {
    const secret = new TextEncoder().encode(config.keys.secret);
    const options = { ...claims, algorithms: ['HS256', 'HS384', 'HS512'] };
    return async (token) => (await jwtVerify(token, secret, options)).payload;
  }
  // jose fetches the key set on first use, caches it, and refetches for an unknown kid
  const keySet = createRemoteJWKSet(new URL(config.keys.url));
  const options = {
    ...claims,
    algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
  };
  return async (token) => (await jwtVerify(token, keySet, options)).payload;
}

/** OAuth 2 `scope` (space-separated) or the `scp` array some providers use. */
function scopesOf(payload: JWTPayload): string[] {
  const scope = payload.scope ?? payload.scp;
  if (typeof scope === 'string') return scope.split(/\s+/);
  if (Array.isArray(scope)) return scope.filter((s): s is string => typeof s === 'string');
  return [];
}

function rejectionReason(err: unknown): string {
  const e = err as { code?: string; claim?: string; reason?: string; message?: string };
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'the token signature does not verify';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return e.reason === 'missing'
        ? `the token has no "${e.claim}" claim`
        : `the token's "${e.claim}" claim is not accepted`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'the token is signed with an algorithm this service does not accept';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'no key of the key set matches the token';
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JOSE_GENERIC':
      return 'the key set could not be fetched; retry later';
    default:
      return 'the token is malformed';
  }
}

/**
 * Allows a write of `userId`'s ratings, or throws: UNAUTHENTICATED without a valid
 * token, FORBIDDEN for a token of another user without the admin scope.
 */
export function authorizeRating(caller: Caller, userId: number, adminScope: string): void {
  switch (caller.kind) {
    case 'open':
      return;
    case 'anonymous':
      throw new UnauthenticatedError(
        'changing ratings needs a bearer token: send "Authorization: Bearer <JWT>" whose subject is your user id',
      );
    case 'rejected':
      throw new UnauthenticatedError(`the bearer token was refused: ${caller.reason}`);
    case 'token':
      if (caller.admin || caller.userId === userId) return;
      throw new ForbiddenError(
        caller.userId === null
          ? `the token's subject ${quote(caller.subject)} is not a user id, so it may change no one's ratings without the ${adminScope} scope`
          : `the token belongs to user ${caller.userId}; it may not change the ratings of user ${userId} without the ${adminScope} scope`,
      );
  }
}
