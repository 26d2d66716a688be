#!/usr/bin/env node
import { Command } from 'commander';
import { buildCommand, buildWorkerCommand } from './build.ts';
import { evalCommand } from './evaluate.ts';
import { genCommand } from './gen.ts';
import { serveCommand } from './serve.ts';
import { statsCommand } from './stats.ts';
import { tokenCommand } from './token.ts';

/** One command-line tool for the jobs around the service; `--help` on each command. */
const program = new Command()
  .name('movie-recs')
  .description('Movie recommendations from MovieLens ratings: serve, inspect, build, evaluate')
  .addCommand(serveCommand())
  .addCommand(statsCommand())
  .addCommand(buildCommand())
  .addCommand(buildWorkerCommand())
  .addCommand(evalCommand())
  .addCommand(genCommand())
  .addCommand(tokenCommand())
  .showHelpAfterError();

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
