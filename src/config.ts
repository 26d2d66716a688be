import { z } from 'zod';
import type { HybridWeights } from './engine/model.ts';

/**
 * The service's configuration, from environment variables, validated at start: a bad
 * value stops the process with a message naming the variable.
 */
const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('var'),
  DATASET: z.string().min(1).default('ml-latest-small'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INTROSPECTION: boolean.optional(),
  SANDBOX: boolean.optional(),
  JOURNAL_FSYNC: boolean.default(true),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/, 'letters, digits, :, _ and - only')
    .default('movie-recs'),
  HYBRID_WEIGHTS: z
    .string()
    .regex(
      /^(fit|-?\d+(\.\d+)?(,-?\d+(\.\d+)?){4})$/,
      'expected "fit" or five numbers: user,item,userSparse,itemSparse,itemShare',
    )
    .default('fit'),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly dataset: string;
  readonly production: boolean;
  readonly logLevel: string;
  /** Schema introspection: on in development, off in production unless INTROSPECTION=true. */
  readonly introspection: boolean;
  /** Apollo Sandbox on GET /graphql: on in development, off in production unless SANDBOX=true. */
  readonly sandbox: boolean;
  readonly journalFsync: boolean;
  /** Share neighbour lists through this Redis; null for the embedded, in-process mode. */
  readonly redisUrl: string | null;
  readonly redisPrefix: string;
  /** Fit the hybrid's weights on held-out ratings at start, or use these. */
  readonly hybridWeights: 'fit' | HybridWeights;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k in schema.shape && v !== '')),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `${name}=${JSON.stringify(env[name])}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: c.DATA_DIR,
    dataset: c.DATASET,
    production,
    logLevel: c.LOG_LEVEL,
    introspection: c.INTROSPECTION ?? !production,
    sandbox: c.SANDBOX ?? !production,
    journalFsync: c.JOURNAL_FSYNC,
    hybridWeights: parseWeights(c.HYBRID_WEIGHTS),
    redisUrl: c.REDIS_URL ?? null,
    redisPrefix: c.REDIS_PREFIX,
  };
}

function parseWeights(text: string): 'fit' | HybridWeights {
  if (text === 'fit') return 'fit';
  const [user, item, userSparse, itemSparse, itemShare] = text.split(',').map(Number);
  return { user, item, userSparse, itemSparse, itemShare };
}
