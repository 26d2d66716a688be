#!/usr/bin/env node
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { loadDataset } from '../data/movielens.ts';
import { algorithms, type EvalOptions } from '../eval/evaluate.ts';
import { evaluateParallel } from '../eval/parallel.ts';
import { reportSimilarities, sweptAlgorithms } from '../eval/report-runs.ts';
import { makeFolds, parseSplit } from '../eval/splits.ts';

/**
 * Runs every algorithm (and the kNN variants of each similarity) on the README's two
 * protocols and prints the results as a Markdown table. The single-side kNN algorithms
 * (the report's sweep) form one block where the first of them is registered, similarity
 * by similarity, as in the README's tables; every other algorithm is one row.
 */
const runs: ReadonlyArray<EvalOptions & { label: string }> = algorithms.flatMap(
  (algorithm): Array<EvalOptions & { label: string }> => {
    const swept = sweptAlgorithms.find((a) => a === algorithm);
    if (swept === undefined) return [{ label: algorithm, algorithm }];
    if (swept !== sweptAlgorithms[0]) return [];
    return reportSimilarities.flatMap((similarity) =>
      sweptAlgorithms.map((a) => ({ label: `${a} (${similarity})`, algorithm: a, similarity })),
    );
  },
);

const program = new Command()
  .name('npm run eval:table --')
  .option('--protocols <list>', 'data:split pairs', 'ml-100k:u1..u5,ml-latest-small:temporal:0.2')
  .option('--threads <n>', 'worker threads', (v) => Number(v), availableParallelism());

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{ protocols: string; threads: number }>();
  for (const protocol of o.protocols.split(',')) {
    const [data, ...rest] = protocol.split(':');
    const split = rest.join(':');
    const dataset = await loadDataset(data);
    const folds = await makeFolds(dataset, parseSplit(split));
    process.stdout.write(
      `\n**${dataset.name}, split ${split}** (${folds.length} fold${folds.length > 1 ? 's' : ''})\n\n`,
    );
    process.stdout.write(
      '| algorithm | RMSE | MAE | by neighbours | P@10 | R@10 | nDCG@10 | MAP@10 | coverage | wall s |\n',
    );
    process.stdout.write('|---|---|---|---|---|---|---|---|---|---|\n');
    for (const run of runs) {
      const started = performance.now();
      const r = await evaluateParallel(folds, run, dataset.scale, () => {}, o.threads);
      const wall = (performance.now() - started) / 1000;
      const cells = [
        run.label,
        r.rmse.toFixed(4),
        r.mae.toFixed(4),
        `${(r.neighbourShare * 100).toFixed(1)} %`,
        r.precisionAt10.toFixed(4),
        r.recallAt10.toFixed(4),
        r.ndcgAt10.toFixed(4),
        r.mapAt10.toFixed(4),
        `${(r.coverage * 100).toFixed(1)} %`,
        wall.toFixed(2),
      ];
      process.stdout.write(`| ${cells.join(' | ')} |\n`);
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
