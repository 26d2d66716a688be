#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { MIN_SECRET_LENGTH } from '../access/auth.ts';
import { mintToken } from '../access/mint.ts';
import { isEntryPoint } from './entry.ts';

/**
 * Mints a development token signed with AUTH_JWT_SECRET, the secret the service verifies
 * writes with. In production tokens come from the identity provider (AUTH_JWKS_URL).
 */
/** The `token` command: `npm run token -- ...` or `npm run cli -- token ...`. */
export function tokenCommand(): Command {
  return new Command('token')
    .description(
      'Print a bearer token (HS256 JWT) for rating as a user, signed with AUTH_JWT_SECRET ' +
        '(or --secret). Send it as "Authorization: Bearer <token>".',
    )
    .requiredOption('--sub <userId>', 'the user id the token may rate as', (v) => {
      if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError('a positive integer user id');
      return v;
    })
    .option('--admin', 'add the admin scope: may rate as any user', false)
    .option('--expires <span>', 'lifetime, for example 30m, 1h, 7d', '1h')
    .option('--secret <secret>', 'the shared secret (default: $AUTH_JWT_SECRET)')
    .showHelpAfterError()
    .action(async function (this: Command) {
      await mint(this, this.opts());
    });
}

async function mint(
  program: Command,
  options: { sub: string; admin: boolean; expires: string; secret?: string },
): Promise<void> {
  const secret = options.secret ?? process.env.AUTH_JWT_SECRET ?? '';
  if (secret.length < MIN_SECRET_LENGTH) {
    program.error(
      `error: set AUTH_JWT_SECRET (or pass --secret) to the service's secret, at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  const token = await mintToken({
    subject: options.sub,
    secret,
    admin: options.admin,
    adminScope: process.env.AUTH_ADMIN_SCOPE || 'ratings:admin',
    expiresIn: options.expires,
    issuer: process.env.AUTH_ISSUER || null,
    audience: process.env.AUTH_AUDIENCE || null,
  });
  process.stdout.write(`${token}\n`);
}

if (isEntryPoint(import.meta.url)) {
  tokenCommand()
    .name('npm run token --')
    .parseAsync()
    .catch((err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
