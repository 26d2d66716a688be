#!/usr/bin/env node
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';

/**
 * Times whole runs of the evaluate command, each in a fresh process exactly as a user runs
 * it, repeated so that the median means something on a shared, noisy machine. Reports the
 * command's own fit+predict wall clock (`wallSeconds`: every fold, workers already
 * started while the data was read) and the whole process's time (start-up, loading,
 * splitting, evaluating).
 */
const run = promisify(execFile);

const program = new Command()
  .name('npm run bench:eval --')
  .option('--data <name|dir>', 'data set', 'ml-100k')
  .option('--split <spec>', 'split', 'u1..u5')
  .option('--runs <n>', 'runs per configuration', (v) => Number(v), 5)
  .option('--out <file>', 'where to write the JSON results', 'bench/results/eval-speed.json');

interface Config {
  readonly algorithm: string;
  readonly threads: number;
}

async function timeRun(o: { data: string; split: string }, c: Config) {
  const args = ['--import', 'tsx', 'src/cli/evaluate.ts', '--data', o.data, '--split', o.split];
  args.push('--algorithm', c.algorithm, '--threads', String(c.threads), '--json');
  const started = performance.now();
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 24 });
  const processSeconds = (performance.now() - started) / 1000;
  const result = JSON.parse(stdout) as { wallSeconds: number; rmse: number; ndcgAt10: number };
  return {
    wallSeconds: result.wallSeconds,
    processSeconds,
    rmse: result.rmse,
    ndcgAt10: result.ndcgAt10,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{ data: string; split: string; runs: number; out: string }>();
  const cores = availableParallelism();
  const configs: Config[] = [
    { algorithm: 'hybrid', threads: cores },
    { algorithm: 'hybrid', threads: 1 },
    { algorithm: 'item-knn', threads: cores },
  ];
  const rows = [];
  for (const c of configs) {
    const runs = [];
    for (let r = 0; r < o.runs; r++) {
      runs.push(await timeRun(o, c));
      const last = runs[runs.length - 1];
      process.stderr.write(
        `${c.algorithm} threads=${c.threads} run ${r + 1}: fit+predict ${last.wallSeconds.toFixed(2)} s, process ${last.processSeconds.toFixed(2)} s\n`,
      );
    }
    const walls = runs.map((x) => x.wallSeconds);
    rows.push({
      ...c,
      medianWallSeconds: median(walls),
      minWallSeconds: Math.min(...walls),
      maxWallSeconds: Math.max(...walls),
      medianProcessSeconds: median(runs.map((x) => x.processSeconds)),
      rmse: runs[0].rmse,
      ndcgAt10: runs[0].ndcgAt10,
      runs,
    });
  }
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores, Node ${process.versions.node}`;
  process.stdout.write(`${o.data} ${o.split}, ${o.runs} runs each, ${machine}\n\n`);
  process.stdout.write(
    '| algorithm | threads | fit+predict median s | min s | max s | whole command median s |\n|---|---|---|---|---|---|\n',
  );
  for (const r of rows) {
    const cells = [r.medianWallSeconds, r.minWallSeconds, r.maxWallSeconds, r.medianProcessSeconds];
    process.stdout.write(
      `| ${r.algorithm} | ${r.threads} | ${cells.map((x) => x.toFixed(2)).join(' | ')} |\n`,
    );
  }
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(
    o.out,
    `${JSON.stringify({ data: o.data, split: o.split, machine, rows }, null, 2)}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
