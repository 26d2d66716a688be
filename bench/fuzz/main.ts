#!/usr/bin/env node
import { Command } from 'commander';
import { integerOption } from '../../src/cli/arguments.ts';
import { jsonReport, textReport } from './report.ts';
import { runFuzz } from './run.ts';

/**
 * `npm run fuzz -- --requests N --seed S [--json] [--production]`: requests generated
 * from schema.graphql (plus hand-written HTTP and read-your-writes families) against the
 * real service in a child process; every answer checked, then the acknowledged writes
 * against the journal and what the service serves. Progress goes to stderr, the report
 * (or with --json one JSON object) to stdout. Exit code 1 on any finding, 2 when the run
 * itself failed or the fuzzer caught itself generating nonsense.
 */

const program = new Command('npm run fuzz --')
  .description(
    'Fuzz the GraphQL service with requests generated from schema.graphql, as a hostile or careless client would send them, ' +
      'and report internal errors, undocumented error codes, 5xx, hidden writes, stale payloads and state mismatches, ' +
      'each with a minimal (fast-check-shrunk) request. Rerun a run with the same --seed and --requests.',
  )
  .option('--requests <n>', 'requests to send', integerOption('--requests', 1), 1000)
  .option('--seed <s>', 'fast-check seed (default: random)', integerOption('--seed', 0))
  .option('--production', 'run the service with NODE_ENV=production (default: development)')
  .option('--json', 'print one JSON object instead of the report')
  .option('--concurrency <n>', 'requests in flight', integerOption('--concurrency', 1), 4)
  .option(
    '--max-seconds <s>',
    'send no new request after this many seconds',
    integerOption('--max-seconds', 1),
    600,
  )
  .option(
    '--max-shrinks <n>',
    'shrink at most this many causes (0: none)',
    integerOption('--max-shrinks', 0),
    20,
  )
  .option('--shrink-runs <n>', 'replays per shrink', integerOption('--shrink-runs', 1), 200)
  .option(
    '--shrink-seconds <s>',
    'seconds for all shrinking',
    integerOption('--shrink-seconds', 1),
    120,
  )
  .option(
    '--service-root <dir>',
    'the project to test: its src/cli/serve.ts, schema.graphql and README.md (default: this one)',
  )
  .option(
    '--dataset <dir>',
    'MovieLens directory (default: <service-root>/test/fixtures/e2e-small)',
  )
  .option('--keep', "keep the service's DATA_DIR");

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{
    requests: number;
    seed?: number;
    production?: boolean;
    json?: boolean;
    concurrency: number;
    maxSeconds: number;
    maxShrinks: number;
    shrinkRuns: number;
    shrinkSeconds: number;
    serviceRoot?: string;
    dataset?: string;
    keep?: boolean;
  }>();
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const summary = await runFuzz({
    requests: o.requests,
    seed,
    production: o.production ?? false,
    concurrency: o.concurrency,
    maxSeconds: o.maxSeconds,
    maxShrinks: o.maxShrinks,
    shrinkRuns: o.shrinkRuns,
    shrinkSeconds: o.shrinkSeconds,
    root: o.serviceRoot,
    dataset: o.dataset,
    keep: o.keep ?? false,
    progress: (line) => process.stderr.write(`fuzz: ${line}\n`),
  });
  process.stdout.write(`${o.json ? jsonReport(summary) : textReport(summary)}\n`);
  // a fuzzer problem makes the run untrustworthy, findings or not
  process.exitCode = summary.generator.problems.length > 0 ? 2 : summary.findings > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(
    `fuzz: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 2;
});
