#!/usr/bin/env node
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadDataset } from '../data/movielens.ts';
import type { Dataset } from '../data/types.ts';
import type { KnnCentring } from '../engine/knn.ts';
import { type SimilarityMetric, similarityMetrics } from '../engine/similarity.ts';
import {
  type Algorithm,
  algorithms,
  configFor,
  type EvalResult,
  type FoldResult,
} from '../eval/evaluate.ts';
import { createFoldPool, type FoldPool } from '../eval/parallel.ts';
import { reportCharts } from '../eval/report-charts.ts';
import { reportHtml } from '../eval/report-html.ts';
import { runReport } from '../eval/report-results.ts';
import { defaultReportKs, reportRuns, reportSimilarities } from '../eval/report-runs.ts';
import { runProgress } from '../eval/run-progress.ts';
import { type Fold, foldCount, makeFolds, parseSplit, type SplitSpec } from '../eval/splits.ts';
import { integerOption, nonNegative } from './arguments.ts';
import { isEntryPoint } from './entry.ts';

function kList(v: string): number[] {
  const ks = v.split(',').map((s) => Number(s.trim()));
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1))
    throw new InvalidArgumentError('must be positive integers separated by commas, as in 5,10,20');
  return [...new Set(ks)].sort((a, b) => a - b);
}

interface Options {
  readonly data: string;
  readonly split: string;
  readonly algorithm: Algorithm;
  readonly k?: number;
  readonly similarity?: SimilarityMetric;
  readonly shrinkage?: number;
  readonly centring?: KnnCentring;
  readonly seed: number;
  readonly threads: number;
  readonly json?: boolean;
  readonly report?: string;
  readonly reportK: ReadonlyArray<number>;
  readonly fitRatings?: number;
}

/**
 * The `eval` command: evaluates one algorithm (or, with --report, every algorithm and a
 * k sweep) on a MovieLens split. Errors become a message on stderr and exit code 1;
 * it never calls process.exit, so it can be mounted under another program.
 */
export function evalCommand(): Command {
  return new Command('eval')
    .description(
      'Evaluate a recommender on a MovieLens data set: rating accuracy and top-10 quality; with --report, an HTML report with charts',
    )
    .option(
      '--data <name|dir>',
      'ml-latest-small, ml-100k, ml-1m, or a directory',
      'ml-latest-small',
    )
    .option('--split <spec>', 'u1..u5 | u1 | ua | ub | kfold:5 | temporal:0.2', 'temporal:0.2')
    .addOption(
      new Option('--algorithm <name>', 'what to evaluate').choices(algorithms).default('hybrid'),
    )
    .option('--k <n>', 'neighbours per rating prediction', integerOption('--k'))
    .addOption(
      new Option('--similarity <metric>', 'similarity for rating prediction').choices(
        similarityMetrics,
      ),
    )
    .option('--shrinkage <lambda>', 'shrink similarities by n / (n + lambda)', nonNegative)
    .addOption(
      new Option('--centring <kind>', 'kNN prediction centring').choices([
        'plain',
        'mean',
        'baseline',
      ]),
    )
    .option('--seed <n>', 'seed of kfold splits', integerOption('--seed'), 42)
    .option(
      '--threads <n>',
      'folds evaluated at once (worker threads)',
      integerOption('--threads'),
      availableParallelism(),
    )
    .option(
      '--fit-ratings <n>',
      "fit the hybrid's weights on whole users holding at most n training ratings (the service's HYBRID_FIT_RATINGS; default 2000000)",
      integerOption('--fit-ratings'),
    )
    .option('--json', 'print one JSON object on stdout (progress goes to stderr)')
    .option(
      '--report <dir>',
      'write <dir>/index.html, a self-contained report: RMSE against k for each similarity (user- and item-kNN), precision and recall at cutoffs 1..20 and the results table for every algorithm (instead of --algorithm; --k and --similarity set the table kNN runs)',
    )
    .addOption(
      new Option('--report-k <list>', 'the k values of the report RMSE-against-k sweep')
        .argParser(kList)
        .default(defaultReportKs, defaultReportKs.join(',')),
    )
    .showHelpAfterError()
    .action(async (o: Options, cmd: Command) => {
      try {
        await main(o, cmd);
      } catch (err: unknown) {
        process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      }
    });
}

async function main(o: Options, cmd: Command): Promise<void> {
  if (o.report !== undefined) {
    if (cmd.getOptionValueSource('algorithm') === 'cli')
      throw new Error('--report evaluates every algorithm: leave out --algorithm');
    if (o.json) throw new Error('--report writes HTML: leave out --json');
  }
  const spec = parseSplit(o.split, o.seed);
  // workers load their modules while this thread reads the data; a report has many runs
  // to share them, a single run only its folds
  const pool = createFoldPool(
    o.report !== undefined ? o.threads : Math.min(o.threads, foldCount(spec)),
  );
  try {
    const { dataset, folds } = await load(o, spec);
    if (o.report !== undefined) await writeReport(o, cmd, dataset, folds, pool);
    else await evaluateOne(o, dataset, folds, pool);
  } finally {
    await pool.close();
  }
}

async function load(o: Options, spec: SplitSpec): Promise<{ dataset: Dataset; folds: Fold[] }> {
  const started = performance.now();
  const dataset = await loadDataset(o.data);
  process.stderr.write(
    `loaded ${dataset.name}: ${dataset.ratings.length} ratings, ${dataset.movies.size} movies` +
      ` (${dataset.duplicatesReplaced} repeated ratings replaced) in ${secs(performance.now() - started)}\n`,
  );
  return { dataset, folds: await makeFolds(dataset, spec) };
}

async function evaluateOne(
  o: Options,
  dataset: Dataset,
  folds: ReadonlyArray<Fold>,
  pool: FoldPool,
): Promise<void> {
  const evalStarted = performance.now();
  const result = await pool.evaluate(
    folds,
    {
      algorithm: o.algorithm,
      k: o.k,
      similarity: o.similarity,
      shrinkage: o.shrinkage,
      centring: o.centring,
      fitRatings: o.fitRatings,
    },
    dataset.scale,
    (r) => process.stderr.write(`${formatFold(r)}\n`),
  );
  const wallSeconds = (performance.now() - evalStarted) / 1000;
  if (o.json) {
    process.stdout.write(`${JSON.stringify(toJson(result, wallSeconds))}\n`);
  } else {
    const threads = Math.min(o.threads, result.folds.length);
    process.stdout.write(
      formatResult(o.algorithm, dataset.name, o.split, result, wallSeconds, threads),
    );
  }
}

async function writeReport(
  o: Options,
  cmd: Command,
  dataset: Dataset,
  folds: ReadonlyArray<Fold>,
  pool: FoldPool,
): Promise<void> {
  const settings = {
    k: o.k,
    similarity: o.similarity,
    shrinkage: o.shrinkage,
    centring: o.centring,
    ks: o.reportK,
  };
  const runs = reportRuns(settings);
  process.stderr.write(
    `report: ${runs.length} runs of ${folds.length} fold${folds.length > 1 ? 's' : ''} on ${pool.threads} thread${pool.threads > 1 ? 's' : ''}\n`,
  );
  const progress = runProgress(runs.length);
  let results: Awaited<ReturnType<typeof runReport>>;
  try {
    results = await runReport(pool, folds, dataset.scale, runs, (run, r) =>
      progress.done(
        `${run.label} RMSE ${r.rmse.toFixed(4)} (${(r.fitSeconds + r.predictSeconds).toFixed(2)} s)`,
      ),
    );
  } finally {
    progress.stop();
  }
  const charts = await reportCharts(results);
  const { config } = configFor({ algorithm: 'hybrid', ...settings }, dataset.scale);
  const side = config.item;
  const html = reportHtml(
    {
      dataset: dataset.name,
      datasetSize: `${dataset.ratings.length} ratings of ${dataset.movies.size} movies`,
      split: o.split,
      folds: folds.map((f) => f.name),
      date: new Date(),
      command: commandLine(cmd),
      predictor: `${side.predictSimilarity.metric} similarity, k = ${side.knn.k}, shrinkage ${side.predictSimilarity.shrinkage}, ${side.knn.centring} centring (both sides; the hybrid fits its weights on each fold)`,
      sweep: `User- and item-based kNN rating predictors with each similarity (${reportSimilarities.join(', ')}) at k = ${o.reportK.join(', ')}; shrinkage ${side.predictSimilarity.shrinkage} and ${side.knn.centring} centring throughout.`,
      runs: runs.length,
      threads: pool.threads,
      wallSeconds: results.wallSeconds,
    },
    charts,
    results.algorithms,
  );
  const dir = resolve(o.report as string);
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'index.html');
  await writeFile(file, html);
  process.stdout.write(
    `wrote ${file} (${runs.length} runs in ${results.wallSeconds.toFixed(1)} s)\n`,
  );
}

/** The command line as typed: the program's name, then its arguments, shell-quoted. */
function commandLine(cmd: Command): string {
  let root = cmd;
  while (root.parent) root = root.parent;
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [root.name(), ...process.argv.slice(2).map(quote)].join(' ');
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function formatFold(r: FoldResult): string {
  const w = r.hybridWeights
    ? ` weights ${Object.entries(r.hybridWeights)
        .map(([k, v]) => `${k}=${Number(v.toFixed(3))}`)
        .join(' ')}`
    : '';
  return `${r.name}: RMSE ${r.rmse.toFixed(4)} MAE ${r.mae.toFixed(4)} nDCG@10 ${r.ndcgAt10.toFixed(4)} fit ${r.fitSeconds.toFixed(2)} s predict ${r.predictSeconds.toFixed(2)} s${w}`;
}

function toJson(r: EvalResult, wallSeconds: number) {
  return {
    rmse: r.rmse,
    mae: r.mae,
    precisionAt10: r.precisionAt10,
    recallAt10: r.recallAt10,
    ndcgAt10: r.ndcgAt10,
    mapAt10: r.mapAt10,
    coverage: r.coverage,
    fitSeconds: r.fitSeconds,
    predictSeconds: r.predictSeconds,
    wallSeconds,
    neighbourShare: r.neighbourShare,
    precisionAt: r.precisionAt,
    recallAt: r.recallAt,
    algorithm: r.algorithm,
    folds: r.folds,
  };
}

function formatResult(
  algorithm: string,
  data: string,
  split: string,
  r: EvalResult,
  wallSeconds: number,
  threads: number,
): string {
  const rows: Array<[string, string]> = [
    ['RMSE', r.rmse.toFixed(4)],
    ['MAE', r.mae.toFixed(4)],
    ['predicted by neighbours', `${(r.neighbourShare * 100).toFixed(1)} %`],
    ['Precision@10', r.precisionAt10.toFixed(4)],
    ['Recall@10', r.recallAt10.toFixed(4)],
    ['nDCG@10', r.ndcgAt10.toFixed(4)],
    ['MAP@10', r.mapAt10.toFixed(4)],
    ['coverage', `${(r.coverage * 100).toFixed(1)} %`],
    ['fit (all folds)', `${r.fitSeconds.toFixed(2)} s`],
    ['predict (all folds)', `${r.predictSeconds.toFixed(2)} s`],
    [
      'wall clock (fit+predict)',
      `${wallSeconds.toFixed(2)} s on ${threads} thread${threads > 1 ? 's' : ''}`,
    ],
  ];
  const head = `${algorithm} on ${data}, split ${split} (${r.folds.length} fold${r.folds.length > 1 ? 's' : ''})\n`;
  const body = rows.map(([k, v]) => `  ${k.padEnd(24)} ${v}`).join('\n');
  return `${head}${body}\n`;
}

if (isEntryPoint(import.meta.url)) {
  // run directly (npm run eval), the usage line names the npm script
  await evalCommand().name('npm run eval --').parseAsync();
}
