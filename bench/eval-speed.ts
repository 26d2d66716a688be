#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { Command } from 'commander';
import { loadDataset } from '../src/data/movielens.ts';
import type { Algorithm } from '../src/eval/evaluate.ts';
import { evaluateParallel } from '../src/eval/parallel.ts';
import { makeFolds, parseSplit } from '../src/eval/splits.ts';

/**
 * Wall clock of whole evaluation runs (fit and predict of every fold), repeated so the
 * median means something on a shared, noisy machine. Loading the data is not timed.
 */
const program = new Command()
  .name('npm run bench:eval --')
  .option('--data <name|dir>', 'data set', 'ml-100k')
  .option('--split <spec>', 'split', 'u1..u5')
  .option('--runs <n>', 'runs per configuration', (v) => Number(v), 5)
  .option('--out <file>', 'where to write the JSON results', 'bench/results/eval-speed.json');

interface Config {
  readonly algorithm: Algorithm;
  readonly threads: number;
}

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{ data: string; split: string; runs: number; out: string }>();
  const dataset = await loadDataset(o.data);
  const folds = await makeFolds(dataset, parseSplit(o.split));
  const cores = availableParallelism();
  const configs: Config[] = [
    { algorithm: 'hybrid', threads: cores },
    { algorithm: 'hybrid', threads: 1 },
    { algorithm: 'item-knn', threads: cores },
  ];
  const rows = [];
  for (const c of configs) {
    const walls: number[] = [];
    for (let r = 0; r < o.runs; r++) {
      const started = performance.now();
      await evaluateParallel(folds, { algorithm: c.algorithm }, dataset.scale, () => {}, c.threads);
      walls.push((performance.now() - started) / 1000);
      process.stderr.write(
        `${c.algorithm} threads=${c.threads} run ${r + 1}: ${walls[r].toFixed(2)} s\n`,
      );
    }
    const sorted = [...walls].sort((a, b) => a - b);
    rows.push({
      ...c,
      median: sorted[Math.floor(sorted.length / 2)],
      min: sorted[0],
      max: sorted[sorted.length - 1],
      walls,
    });
  }
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores, Node ${process.versions.node}`;
  process.stdout.write(`${dataset.name} ${o.split}, ${o.runs} runs each, ${machine}\n\n`);
  process.stdout.write(
    '| algorithm | threads | median s | min s | max s |\n|---|---|---|---|---|\n',
  );
  for (const r of rows) {
    process.stdout.write(
      `| ${r.algorithm} | ${r.threads} | ${r.median.toFixed(2)} | ${r.min.toFixed(2)} | ${r.max.toFixed(2)} |\n`,
    );
  }
  writeFileSync(
    o.out,
    `${JSON.stringify({ data: dataset.name, split: o.split, machine, rows }, null, 2)}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
