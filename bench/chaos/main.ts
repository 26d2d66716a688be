#!/usr/bin/env node
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { integerOption } from '../../src/cli/arguments.ts';
import { killEverythingNow } from './processes.ts';
import { jsonLine, table } from './report.ts';
import { interrupt, runChaos } from './run.ts';

/**
 * `npm run chaos -- --schedules N [--seed S] [--json]`: seeded fault schedules against
 * real redis-server and service processes, each ending in a check that every replica and
 * Redis hold what a rebuild from the accepted ratings gives and that no acknowledged
 * rating was lost or ignored. Progress goes to stderr; the table (and with --json, one
 * JSON object as the last line) to stdout. Exit code 1 when any schedule failed.
 */

function seconds(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected seconds > 0, got "${text}"`);
  return n;
}

function share(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`expected a share in [0, 1], got "${text}"`);
  }
  return n;
}

const program = new Command('npm run chaos --')
  .description(
    'Run seeded fault schedules (replica kills and pauses, clock steps, Redis restarts and wipes, cluster failovers) ' +
      'against real processes and check the lists and ratings every replica serves and Redis holds against a rebuild ' +
      'from the accepted ratings. Rerun one schedule with --seed S --schedules 1.',
  )
  .option(
    '--schedules <n>',
    'how many schedules (seeds S, S+1, ...)',
    integerOption('--schedules', 1),
    1,
  )
  .option('--seed <s>', 'seed of the first schedule (default: random)', integerOption('--seed', 0))
  .option('--load-seconds <s>', 'seconds of mutations per schedule', seconds, 6)
  .option('--clients <n>', 'concurrent mutation clients', integerOption('--clients', 1), 3)
  .option('--readers <n>', 'concurrent readers of lists', integerOption('--readers', 0), 2)
  .option(
    '--dual <share>',
    'share of mutations sent as a pair of the same (user, movie) to two replicas at once',
    share,
    0.2,
  )
  .option(
    '--topology <t>',
    'single or cluster for every schedule (default: a cluster for about one in four)',
  )
  .option(
    '--settle-seconds <s>',
    'longest wait for the state to settle after the load',
    seconds,
    20,
  )
  .option(
    '--service-root <dir>',
    'run src/cli/serve.ts of this checkout instead of this project (to compare revisions)',
  )
  .option('--keep', 'keep every schedule directory (failing ones are always kept)', false)
  .option('--json', 'print a JSON summary as the last line of stdout', false)
  .showHelpAfterError();

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{
    schedules: number;
    seed?: number;
    loadSeconds: number;
    clients: number;
    readers: number;
    dual: number;
    topology?: string;
    settleSeconds: number;
    serviceRoot?: string;
    keep: boolean;
    json: boolean;
  }>();
  if (o.topology !== undefined && o.topology !== 'single' && o.topology !== 'cluster') {
    program.error(`--topology must be single or cluster, got "${o.topology}"`);
  }
  process.once('SIGINT', () => {
    const dir = interrupt(o.keep);
    process.stderr.write(
      `interrupted: every started process was killed${dir && o.keep ? `; kept ${dir}` : ''}\n`,
    );
    process.exit(130);
  });
  const summary = await runChaos({
    schedules: o.schedules,
    seed: o.seed,
    loadSeconds: o.loadSeconds,
    clients: o.clients,
    dualShare: o.dual,
    readers: o.readers,
    topology: o.topology as 'single' | 'cluster' | undefined,
    settleSeconds: o.settleSeconds,
    serviceRoot: o.serviceRoot === undefined ? undefined : resolve(o.serviceRoot),
    keep: o.keep,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${table(summary)}\n`);
  if (summary.failures.length > 0) {
    process.stdout.write(
      `failing seeds: ${summary.failures.join(', ')} (rerun one with --seed S --schedules 1)\n`,
    );
  }
  if (o.json) process.stdout.write(`${jsonLine(summary)}\n`);
  process.exitCode = summary.failures.length > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  killEverythingNow();
  process.stderr.write(
    `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 2;
});
