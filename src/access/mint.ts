import { SignJWT } from 'jose';

export interface TokenRequest {
  /** The user id the token may rate as (or any subject, for an admin token). */
  readonly subject: string;
  readonly secret: string;
  readonly admin: boolean;
  readonly adminScope: string;
  /** Lifetime, in jose's notation: "1h", "30m", "7d". */
  readonly expiresIn: string;
  readonly issuer: string | null;
  readonly audience: string | null;
}

/** An HS256 token the service accepts when it shares `secret` (development and tests). */
export function mintToken(request: TokenRequest): Promise<string> {
  let jwt = new SignJWT(request.admin ? { scope: request.adminScope } : {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.subject)
    .setIssuedAt()
    .setExpirationTime(request.expiresIn);
  if (request.issuer) jwt = jwt.setIssuer(request.issuer);
  if (request.audience) jwt = jwt.setAudience(request.audience);
  return jwt.sign(new TextEncoder().encode(request.secret));
}
