#!/usr/bin/env node
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import {
  type SyntheticSpec,
  syntheticMovies,
  syntheticUsers,
  validateSpec,
} from '../data/synthetic.ts';
import { integerOption } from './arguments.ts';
import { isEntryPoint } from './entry.ts';
import { progress } from './progress.ts';

/** The `gen` command: `npm run gen -- ...` or `npm run cli -- gen ...`. */
export function genCommand(): Command {
  return new Command('gen')
    .description(
      'Write a seeded MovieLens-shaped data set (ml-latest CSV layout: ratings.csv, movies.csv) ' +
        'with heavy-tailed movie popularity and user activity, streamed to disk.',
    )
    .requiredOption('--out <dir>', 'directory to write (created if missing)')
    .option('--ratings <n>', 'number of ratings', integerOption('--ratings'), 1_000_209)
    .option('--users <n>', 'number of users', integerOption('--users'), 6040)
    .option('--movies <n>', 'number of movies', integerOption('--movies'), 3706)
    .option('--seed <n>', 'random seed', integerOption('--seed'), 1)
    .showHelpAfterError()
    .action(async function (this: Command) {
      await generate(this, this.opts<SyntheticSpec & { out: string }>());
    });
}

/** Writes string chunks, waiting whenever the stream's buffer is full. */
class ChunkWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly out: WriteStream) {}

  async write(s: string): Promise<void> {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const ok = this.out.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
    if (!ok) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }
}

async function generate(command: Command, o: SyntheticSpec & { out: string }): Promise<void> {
  try {
    validateSpec(o);
  } catch (err) {
    command.error(`error: ${(err as Error).message}`);
  }
  mkdirSync(o.out, { recursive: true });
  const started = performance.now();
  const movies = new ChunkWriter(createWriteStream(join(o.out, 'movies.csv')));
  await movies.write('movieId,title,genres\n');
  for (const m of syntheticMovies(o)) {
    await movies.write(`${m.movieId},"${m.title}",${m.genres.join('|')}\n`);
  }
  await movies.close();
  const ratings = new ChunkWriter(createWriteStream(join(o.out, 'ratings.csv')));
  await ratings.write('userId,movieId,rating,timestamp\n');
  let written = 0;
  const bar = progress('ratings', o.ratings);
  for (const u of syntheticUsers(o)) {
    let block = '';
    for (let t = 0; t < u.movieIds.length; t++) {
      block += `${u.userId},${u.movieIds[t]},${u.ratings[t]},${u.timestamps[t]}\n`;
    }
    await ratings.write(block);
    written += u.movieIds.length;
    bar.update(Math.min(written, o.ratings));
  }
  bar.stop();
  await ratings.close();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(
    `wrote ${written.toLocaleString('en')} ratings of ${o.users} users on ${o.movies} movies to ${o.out} in ${seconds} s\n`,
  );
}

if (isEntryPoint(import.meta.url)) {
  genCommand()
    .name('npm run gen --')
    .parseAsync()
    .catch((err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
