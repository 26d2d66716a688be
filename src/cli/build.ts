import { resolve } from 'node:path';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadDataset } from '../data/movielens.ts';
import { defaultModelConfig } from '../engine/model.ts';
import { RecommenderService } from '../service/recommender-service.ts';
import { openJournal } from '../store/file-journal.ts';
import { RedisNeighbourStore } from '../store/redis-neighbour-store.ts';
import { progress } from './progress.ts';

/**
 * The `build` command: fits the model on the data set plus DATA_DIR's journal and writes
 * every neighbour list and the hybrid weights into Redis under the model version, exactly
 * as a cold start would, so the next service started on the same inputs starts warm.
 */
export function buildCommand(): Command {
  return new Command('build')
    .description(
      'Precompute every neighbour list into Redis, so services on the same data, journal and settings start warm',
    )
    .option(
      '--data <name|dir>',
      'ml-latest-small, ml-100k, ml-1m, or a directory',
      process.env.DATASET || 'ml-latest-small',
    )
    .option('--data-dir <dir>', 'where the rating journal lives', process.env.DATA_DIR || 'var')
    .option('--redis <url>', 'the Redis to fill', process.env.REDIS_URL || 'redis://127.0.0.1:6379')
    .option(
      '--prefix <prefix>',
      'key prefix, as REDIS_PREFIX',
      process.env.REDIS_PREFIX || 'movie-recs',
    )
    .option(
      '--weights <spec>',
      '"fit" or five numbers, as HYBRID_WEIGHTS',
      process.env.HYBRID_WEIGHTS || 'fit',
    )
    .showHelpAfterError()
    .action(
      async (o: {
        data: string;
        dataDir: string;
        redis: string;
        prefix: string;
        weights: string;
      }) => {
        const say = (line: string) => process.stderr.write(`${line}\n`);
        const started = performance.now();
        const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
        const dataset = await loadDataset(o.data);
        const silent = pino({ level: 'silent' });
        const { journal, replay } = await openJournal(resolve(o.dataDir), { logger: silent });
        await journal.close();
        say(
          `loaded ${dataset.name}: ${dataset.ratings.length.toLocaleString('en')} ratings and ${replay.events.length.toLocaleString('en')} journal events (${elapsed()})`,
        );
        const redis = new Redis(o.redis, { lazyConnect: true, maxRetriesPerRequest: 1 });
        await redis.connect();
        try {
          say('fitting the model and its neighbour lists...');
          let bar: ReturnType<typeof progress> | null = null;
          const { warm } = await RecommenderService.createWithStore(
            dataset,
            replay.events,
            defaultModelConfig,
            parseWeights(o.weights),
            null,
            null,
            new RedisNeighbourStore(redis, o.prefix),
            false,
            (done, total) => {
              bar ??= progress('writing lists', total);
              bar.update(done);
            },
          );
          (bar as ReturnType<typeof progress> | null)?.stop();
          say(
            warm
              ? `Redis already holds this model version under ${o.prefix}: nothing to write (${elapsed()})`
              : `wrote every neighbour list under ${o.prefix} and published the version (${elapsed()})`,
          );
        } finally {
          redis.disconnect();
        }
      },
    );
}

function parseWeights(spec: string) {
  if (spec === 'fit') return 'fit' as const;
  const [user, item, userSparse, itemSparse, itemShare] = spec.split(',').map(Number);
  if ([user, item, userSparse, itemSparse, itemShare].some((x) => !Number.isFinite(x))) {
    throw new Error(`--weights must be "fit" or five numbers, got "${spec}"`);
  }
  return { user, item, userSparse, itemSparse, itemShare };
}
