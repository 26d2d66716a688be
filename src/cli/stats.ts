import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { loadDataset } from '../data/movielens.ts';
import type { Dataset } from '../data/types.ts';
import { JOURNAL_FILE_NAME, readJournal } from '../store/file-journal.ts';

/** What `stats` reports about a data set and the journal on top of it. */
export interface DatasetStats {
  readonly dataset: string;
  readonly ratings: number;
  readonly users: number;
  readonly movies: number;
  readonly moviesRated: number;
  /** Share of the user x rated-movie matrix that holds a rating. */
  readonly density: number;
  readonly meanRating: number;
  readonly scale: { readonly min: number; readonly max: number; readonly step: number };
  /** Ratings per value on the scale, lowest first. */
  readonly histogram: ReadonlyArray<{ readonly value: number; readonly count: number }>;
  readonly ratingsPerUser: { readonly median: number; readonly max: number };
  readonly ratingsPerMovie: { readonly median: number; readonly max: number };
  /** Rating events in DATA_DIR's journal, when there is one. */
  readonly journalEvents: number | null;
}

export function datasetStats(dataset: Dataset, journalEvents: number | null): DatasetStats {
  const { ratings, scale } = dataset;
  const perUser = new Map<number, number>();
  const perMovie = new Map<number, number>();
  const steps = Math.round((scale.max - scale.min) / scale.step) + 1;
  const counts = new Array<number>(steps).fill(0);
  let sum = 0;
  for (let k = 0; k < ratings.length; k++) {
    perUser.set(ratings.userIds[k], (perUser.get(ratings.userIds[k]) ?? 0) + 1);
    perMovie.set(ratings.movieIds[k], (perMovie.get(ratings.movieIds[k]) ?? 0) + 1);
    counts[Math.round((ratings.values[k] - scale.min) / scale.step)]++;
    sum += ratings.values[k];
  }
  const spread = (m: Map<number, number>) => {
    const xs = [...m.values()].sort((a, b) => a - b);
    return { median: xs.length ? xs[Math.floor(xs.length / 2)] : 0, max: xs.at(-1) ?? 0 };
  };
  return {
    dataset: dataset.name,
    ratings: ratings.length,
    users: perUser.size,
    movies: dataset.movies.size,
    moviesRated: perMovie.size,
    density: ratings.length / Math.max(1, perUser.size * perMovie.size),
    meanRating: ratings.length ? sum / ratings.length : 0,
    scale,
    histogram: counts.map((count, k) => ({ value: scale.min + k * scale.step, count })),
    ratingsPerUser: spread(perUser),
    ratingsPerMovie: spread(perMovie),
    journalEvents,
  };
}

function format(s: DatasetStats): string {
  const n = (x: number) => x.toLocaleString('en');
  const widest = Math.max(...s.histogram.map((h) => h.count), 1);
  const bars = s.histogram
    .map(
      (h) =>
        `    ${h.value.toFixed(1).padStart(4)}  ${'#'.repeat(Math.round((h.count / widest) * 40)).padEnd(40)} ${n(h.count)}`,
    )
    .join('\n');
  return [
    `${s.dataset}`,
    `  ratings          ${n(s.ratings)}`,
    `  users            ${n(s.users)}`,
    `  movies           ${n(s.movies)} (${n(s.moviesRated)} rated)`,
    `  density          ${(s.density * 100).toFixed(2)} %`,
    `  mean rating      ${s.meanRating.toFixed(3)} on ${s.scale.min}..${s.scale.max} in steps of ${s.scale.step}`,
    `  per user         median ${n(s.ratingsPerUser.median)}, max ${n(s.ratingsPerUser.max)}`,
    `  per movie        median ${n(s.ratingsPerMovie.median)}, max ${n(s.ratingsPerMovie.max)}`,
    `  journal events   ${s.journalEvents === null ? 'no journal' : n(s.journalEvents)}`,
    '  ratings by value',
    bars,
    '',
  ].join('\n');
}

/** The `stats` command: what a data set (and the journal on it) holds. */
export function statsCommand(): Command {
  return new Command('stats')
    .description('Summarise a MovieLens data set and the rating journal in DATA_DIR')
    .option(
      '--data <name|dir>',
      'ml-latest-small, ml-100k, ml-1m, or a directory',
      'ml-latest-small',
    )
    .option('--data-dir <dir>', 'where the rating journal lives', process.env.DATA_DIR || 'var')
    .option('--json', 'print one JSON object')
    .showHelpAfterError()
    .action(async (o: { data: string; dataDir: string; json?: boolean }) => {
      const dataset = await loadDataset(o.data, { includeTags: false });
      const dir = resolve(o.dataDir);
      // read only: a service may be appending to this journal right now
      const events = existsSync(join(dir, JOURNAL_FILE_NAME))
        ? (await readJournal(dir)).events.length
        : null;
      const stats = datasetStats(dataset, events);
      process.stdout.write(o.json ? `${JSON.stringify(stats)}\n` : format(stats));
    });
}
