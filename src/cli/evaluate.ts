#!/usr/bin/env node
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadDataset } from '../data/movielens.ts';
import type { KnnCentring } from '../engine/knn.ts';
import { type SimilarityMetric, similarityMetrics } from '../engine/similarity.ts';
import { type Algorithm, algorithms, type EvalResult, type FoldResult } from '../eval/evaluate.ts';
import { createFoldPool, type FoldPool } from '../eval/parallel.ts';
import { foldCount, makeFolds, parseSplit, type SplitSpec } from '../eval/splits.ts';

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

function nonNegative(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number >= 0');
  return n;
}

const program = new Command()
  .name('npm run eval --')
  .description('Evaluate a recommender on a MovieLens data set: rating accuracy and top-10 quality')
  .option('--data <name|dir>', 'ml-latest-small, ml-100k, ml-1m, or a directory', 'ml-latest-small')
  .option('--split <spec>', 'u1..u5 | u1 | ua | ub | kfold:5 | temporal:0.2', 'temporal:0.2')
  .addOption(
    new Option('--algorithm <name>', 'what to evaluate').choices(algorithms).default('hybrid'),
  )
  .option('--k <n>', 'neighbours per rating prediction', positiveInt('--k'))
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
  .option('--seed <n>', 'seed of kfold splits', positiveInt('--seed'), 42)
  .option(
    '--threads <n>',
    'folds evaluated at once (worker threads)',
    positiveInt('--threads'),
    availableParallelism(),
  )
  .option('--json', 'print one JSON object on stdout (progress goes to stderr)')
  .showHelpAfterError();

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
}

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<Options>();
  const spec = parseSplit(o.split, o.seed);
  // workers load their modules while this thread reads the data
  const pool = createFoldPool(Math.min(o.threads, foldCount(spec)));
  try {
    await run(o, spec, pool);
  } finally {
    await pool.close();
  }
}

async function run(o: Options, spec: SplitSpec, pool: FoldPool): Promise<void> {
  const started = performance.now();
  const dataset = await loadDataset(o.data);
  process.stderr.write(
    `loaded ${dataset.name}: ${dataset.ratings.length} ratings, ${dataset.movies.size} movies` +
      ` (${dataset.duplicatesReplaced} repeated ratings replaced) in ${secs(performance.now() - started)}\n`,
  );
  const folds = await makeFolds(dataset, spec);
  const evalStarted = performance.now();
  const result = await pool.evaluate(
    folds,
    {
      algorithm: o.algorithm,
      k: o.k,
      similarity: o.similarity,
      shrinkage: o.shrinkage,
      centring: o.centring,
    },
    dataset.scale,
    (r) => process.stderr.write(`${formatFold(r)}\n`),
  );
  const wallSeconds = (performance.now() - evalStarted) / 1000;
  if (o.json) {
    process.stdout.write(`${JSON.stringify(toJson(result, wallSeconds))}\n`);
  } else {
    process.stdout.write(formatResult(o.algorithm, dataset.name, o.split, result, wallSeconds));
  }
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
    ['wall clock (fit+predict)', `${wallSeconds.toFixed(2)} s on ${threadsLabel(r)}`],
  ];
  const head = `${algorithm} on ${data}, split ${split} (${r.folds.length} fold${r.folds.length > 1 ? 's' : ''})\n`;
  const body = rows.map(([k, v]) => `  ${k.padEnd(24)} ${v}`).join('\n');
  return `${head}${body}\n`;
}

function threadsLabel(r: EvalResult): string {
  const t = Math.min(program.opts<{ threads: number }>().threads, r.folds.length);
  return `${t} thread${t > 1 ? 's' : ''}`;
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
