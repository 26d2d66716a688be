import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { buildSchema, type GraphQLSchema, parse } from 'graphql';
import { readJournal } from '../../src/store/file-journal.ts';
import {
  type AnswerContext,
  checkAnswer,
  codesOf,
  FINDING_KINDS,
  type Finding,
  type FindingKind,
  normalizeMessage,
} from './checks.ts';
import { readDocumentedCodes } from './documented-codes.ts';
import { DEFAULT_WEIGHTS, Generator } from './generate.ts';
import { type Answer, healthy, query, send } from './http.ts';
import { acknowledged, intentsOf } from './intents.ts';
import type { FuzzCase, HttpRequest } from './model.ts';
import { datasetUsers, NEW_USERS, ODD_VALID_USERS, type Pools } from './pools.ts';
import { renderRawCase } from './raw-cases.ts';
import { checkRyw, RYW_USERS_FROM, renderRyw, type StepExpectation } from './read-your-writes.ts';
import { renderGraphqlCase } from './render.ts';
import { type Service, startService } from './service.ts';
import { type Reproduction, type ShrinkResult, shrinkCase } from './shrink.ts';
import {
  type Attempt,
  checkState,
  hidesLike,
  hidingOf,
  type StateSummary,
  sameChange,
  snapshot,
} from './state-check.ts';

/** This project: the default service under test. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface FuzzOptions {
  readonly requests: number;
  readonly seed: number;
  /** NODE_ENV=production (masking, no introspection, no suggestions) instead of development. */
  readonly production: boolean;
  /** Requests in flight (default 4). */
  readonly concurrency?: number;
  /** No new request after this many seconds (default 600). */
  readonly maxSeconds?: number;
  /** The project whose service, schema and README are tested (default: this one). */
  readonly root?: string;
  /** A MovieLens directory (default `<root>/test/fixtures/e2e-small`). */
  readonly dataset?: string;
  /** Shrink at most this many causes (default 20; 0: none). */
  readonly maxShrinks?: number;
  /** Replays per shrink (default 200). */
  readonly shrinkRuns?: number;
  /** Seconds for all shrinking (default 120). */
  readonly shrinkSeconds?: number;
  /** Keep the service's DATA_DIR afterwards. */
  readonly keep?: boolean;
  readonly progress?: (line: string) => void;
}

/** One cause: how often it was seen, the first request that showed it and its minimal form. */
export interface FindingGroup {
  readonly kind: FindingKind;
  readonly signature: string;
  readonly count: number;
  readonly first: Finding;
  readonly shrunk: ShrinkResult | null;
  /** What the service logged at error level for the minimal request (the real cause). */
  readonly serverLog: ReadonlyArray<string>;
}

export interface FuzzSummary {
  readonly seed: number;
  readonly production: boolean;
  readonly root: string;
  readonly dataset: string;
  readonly requestsPlanned: number;
  readonly requestsSent: number;
  readonly seconds: number;
  readonly stoppedEarly: string | null;
  readonly documented: { readonly codes: ReadonlyArray<string>; readonly source: string };
  /** graphql query/mutation/subscription, raw variants, read-your-writes. */
  readonly families: Readonly<Record<string, number>>;
  readonly statuses: Readonly<Record<string, number>>;
  readonly codes: Readonly<Record<string, number>>;
  readonly counts: Readonly<Record<FindingKind, number>>;
  readonly groups: ReadonlyArray<FindingGroup>;
  readonly state: StateSummary;
  readonly readYourWrites: { readonly requests: number; readonly steps: number };
  /**
   * Checks on the fuzzer itself: a generated document that should parse and does not, or a
   * parse failure the server reports for a document graphql-js parses, is the generator's
   * bug or a disagreement to look at, never a service finding.
   */
  readonly generator: { readonly problems: ReadonlyArray<string> };
  readonly findings: number;
}

const noState: StateSummary = {
  ran: false,
  acknowledged: 0,
  acknowledgedWithPayloadErrors: 0,
  journalLines: 0,
  usersCompared: 0,
  hiddenWrites: 0,
  unjournaled: 0,
  servedMismatches: 0,
};

/** Kinds whose requests are shrunk (the others are aggregates or need a restart). */
const SHRINKABLE = new Set<FindingKind>([
  'internalError',
  'undocumentedCode',
  'http5xx',
  'nonJsonBody',
  'hiddenWrite',
  'stalePayload',
  'rejectedValid',
]);

export function loadSchema(root: string): GraphQLSchema {
  return buildSchema(readFileSync(join(root, 'schema.graphql'), 'utf8'));
}

/** The ids and names the generator uses: users from the data set's file, movies and genres from the service. */
export async function loadPools(origin: string, dataset: string): Promise<Pools> {
  const data = await query<{
    genres: { name: string }[];
    movies: { edges: { node: { id: string } }[] };
  }>(origin, '{ genres { name } movies(first: 100, orderBy: TITLE) { edges { node { id } } } }');
  return {
    existingUsers: datasetUsers(dataset),
    newUsers: NEW_USERS,
    movies: data.movies.edges.map((e) => Number(e.node.id)).sort((a, b) => a - b),
    genres: data.genres.map((g) => g.name),
  };
}

function labelOf(c: FuzzCase, request: HttpRequest): string {
  switch (c.family) {
    case 'graphql':
      return `${request.operationType ?? 'no operation selected'}${c.transport === 'post' ? '' : ' by GET'}`;
    case 'raw':
      return `raw: ${c.variant}`;
    case 'ryw':
      return 'read-your-writes';
  }
}

function familyOf(c: FuzzCase, request: HttpRequest): string {
  switch (c.family) {
    case 'graphql':
      return `graphql ${request.operationType ?? '(no operation selected)'}`;
    case 'raw':
      return 'raw HTTP';
    case 'ryw':
      return 'read-your-writes';
  }
}

/** A plain rating, to give a replayed removal something to remove. */
function rateRequest(userId: number, movieId: number): HttpRequest {
  const query = `mutation { rateMovie(input: { userId: "${userId}", movieId: "${movieId}", rating: 3 }) { __typename } }`;
  return {
    method: 'POST',
    target: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    graphql: null,
    operationType: 'mutation',
  };
}

/** Runs the service, sends the generated requests, checks every answer and then the state. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const root = resolve(options.root ?? PROJECT_ROOT);
  const dataset = resolve(options.dataset ?? join(root, 'test/fixtures/e2e-small'));
  const concurrency = options.concurrency ?? 4;
  const progress = options.progress ?? (() => {});
  const documented = readDocumentedCodes(join(root, 'README.md'));
  const schema = loadSchema(root);
  const started = performance.now();
  progress(
    `starting ${join(root, 'src/cli/serve.ts')} (NODE_ENV=${options.production ? 'production' : 'development'})`,
  );
  const service = await startService({ root, dataset, production: options.production });
  try {
    return await fuzzService(service, {
      ...options,
      root,
      dataset,
      concurrency,
      progress,
      documented,
      schema,
      started,
    });
  } finally {
    await service.stop(options.keep ?? false);
  }
}

interface Context extends FuzzOptions {
  readonly root: string;
  readonly dataset: string;
  readonly concurrency: number;
  readonly progress: (line: string) => void;
  readonly documented: ReturnType<typeof readDocumentedCodes>;
  readonly schema: GraphQLSchema;
  readonly started: number;
}

async function fuzzService(service: Service, ctx: Context): Promise<FuzzSummary> {
  const { schema, documented, progress, seed } = ctx;
  const pools = await loadPools(service.origin, ctx.dataset);
  const watched = [...pools.existingUsers, ...pools.newUsers, ...ODD_VALID_USERS];
  const before = await snapshot(service.origin, watched);
  const generator = new Generator(schema, pools);
  const arb = generator.fuzzCase(DEFAULT_WEIGHTS);
  const cases = fc.sample(arb, { seed, numRuns: ctx.requests });
  progress(
    `${cases.length} cases generated from schema.graphql (seed ${seed}); sending ${ctx.concurrency} at a time to ${service.origin}`,
  );

  let nextRywUser = RYW_USERS_FROM;
  const render = (c: FuzzCase): { request: HttpRequest; expected: StepExpectation[] | null } => {
    switch (c.family) {
      case 'graphql':
        return { request: renderGraphqlCase(c), expected: null };
      case 'raw':
        return { request: renderRawCase(c), expected: null };
      case 'ryw': {
        const r = renderRyw(c, nextRywUser++, pools.movies);
        return { request: r.request, expected: [...r.expected] };
      }
    }
  };

  const families: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  const codes: Record<string, number> = {};
  const findings: Finding[] = [];
  const attempts: Attempt[] = [];
  const generatorProblems: string[] = [];
  let rywRequests = 0;
  let rywSteps = 0;
  let sent = 0;
  let stoppedEarly: string | null = null;
  const bump = (table: Record<string, number>, key: string) => {
    table[key] = (table[key] ?? 0) + 1;
  };

  /** Checks an answer the way the run does; also what the shrinker replays. */
  const examine = (
    c: FuzzCase,
    index: number | null,
    request: HttpRequest,
    answer: Answer,
    expected: StepExpectation[] | null,
  ): { findings: Finding[]; attempt: Attempt | null } => {
    const label = labelOf(c, request);
    const context: AnswerContext = {
      request,
      answer,
      label,
      documented: documented.codes,
      caseIndex: index,
    };
    const out = checkAnswer(context);
    if (expected && answer.ok) {
      const outcome = checkRyw(expected, answer.json);
      if (outcome.kind === 'refused') {
        out.push({
          kind: 'rejectedValid',
          signature: `read-your-writes refused: ${codesOf(answer).join(', ') || outcome.detail}`,
          detail: outcome.detail,
          caseIndex: index,
          request,
          answer,
        });
      } else {
        // one finding per field and request, at its first stale step
        const fields = new Set<string>();
        for (const s of outcome.stale) {
          if (fields.has(s.field)) continue;
          fields.add(s.field);
          out.push({
            kind: 'stalePayload',
            signature: `${s.field} in a payload is not the state right after its mutation`,
            detail: `${s.step}.${s.field}: expected ${JSON.stringify(s.expected)}, got ${JSON.stringify(s.actual)}`,
            caseIndex: index,
            request,
            answer,
          });
        }
      }
    }
    const intents = intentsOf(schema, request);
    const attempt =
      intents.length === 0
        ? null
        : {
            caseIndex: index ?? -1,
            label,
            request,
            answer,
            intents,
            acknowledged: acknowledged(intents, answer.ok ? answer.json : undefined),
          };
    return { findings: out, attempt };
  };

  const deadline = Date.now() + (ctx.maxSeconds ?? 600) * 1000;
  let next = 0;
  let down = false;
  const worker = async () => {
    while (!down && next < cases.length) {
      if (Date.now() > deadline) {
        stoppedEarly ??= `stopped after ${ctx.maxSeconds ?? 600} s (--max-seconds)`;
        return;
      }
      const index = next++;
      const c = cases[index];
      const { request, expected } = render(c);
      bump(families, familyOf(c, request));
      if (c.family === 'graphql' && c.damage === 'none' && request.graphql) {
        try {
          parse(request.graphql.query);
        } catch (err) {
          generatorProblems.push(
            `case #${index}: the generated document does not parse: ${(err as Error).message}`,
          );
        }
      }
      const answer = await send(service.origin, request);
      sent++;
      bump(statuses, answer.ok ? String(answer.status) : 'no answer');
      const answerCodes = codesOf(answer);
      if (answerCodes.length === 0 && answer.ok) bump(codes, '(no errors)');
      for (const code of new Set(answerCodes)) bump(codes, code);
      if (answerCodes.includes('GRAPHQL_PARSE_FAILED') && request.graphql) {
        try {
          parse(request.graphql.query);
          generatorProblems.push(
            `case #${index}: the server could not parse a document graphql-js parses`,
          );
        } catch {
          // damaged on purpose
        }
      }
      if (expected) {
        rywRequests++;
        rywSteps += expected.length;
      }
      const result = examine(c, index, request, answer, expected);
      findings.push(...result.findings);
      if (result.attempt) attempts.push(result.attempt);
      if (!answer.ok || sent % 200 === 0) {
        if (!service.alive() || !(await healthy(service.origin))) {
          down = true;
          findings.push({
            kind: 'serviceDown',
            signature: service.alive()
              ? '/healthz does not answer 200'
              : `the process ${service.exit()}`,
            detail: `after case #${index}; stderr: ${service.stderr().slice(-2000)}`,
            caseIndex: index,
            request,
            answer,
          });
          stoppedEarly = `the service went down after ${sent} requests`;
        }
      }
      if (sent % 1000 === 0) progress(`${sent} requests sent`);
    }
  };
  await Promise.all(Array.from({ length: ctx.concurrency }, worker));
  if (!down && (!service.alive() || !(await healthy(service.origin)))) {
    down = true;
    findings.push({
      kind: 'serviceDown',
      signature: service.alive() ? '/healthz does not answer 200' : `the process ${service.exit()}`,
      detail: `at the end of the run; stderr: ${service.stderr().slice(-2000)}`,
      caseIndex: null,
      request: null,
      answer: null,
    });
  }
  progress(
    `${sent} requests sent in ${((performance.now() - ctx.started) / 1000).toFixed(1)} s; checking the state`,
  );

  let state = noState;
  if (!down) {
    const checked = await checkState({
      origin: service.origin,
      dataDir: service.dataDir,
      before,
      attempts,
    });
    findings.push(...checked.findings);
    state = checked.summary;
  }

  /**
   * Sends a request alone and collects what the service logged at error level for it: an
   * internal error is logged before its answer is sent, so it has arrived by the time the
   * answer has, give or take the pipe.
   */
  const sendAlone = async (request: HttpRequest): Promise<{ answer: Answer; logs: string[] }> => {
    const mark = service.mark();
    const answer = await send(service.origin, request);
    const logged =
      codesOf(answer).includes('INTERNAL_SERVER_ERROR') || (answer.ok && answer.status >= 500);
    let logs = service.errorsSince(mark);
    for (let k = 0; logged && logs.length === 0 && k < 40; k++) {
      await sleep(25);
      logs = service.errorsSince(mark);
    }
    return { answer, logs: logs.map((e) => `${e.msg}${e.err ? `: ${e.err}` : ''}`) };
  };
  /** An internal error's cause, by the server's own message when it logged one. */
  const causeOf = (f: Finding, logs: ReadonlyArray<string>): Finding => {
    const cause = logs.find((l) => /internal error/.test(l)) ?? logs[0];
    return cause
      ? {
          ...f,
          signature: `logged: ${normalizeMessage(cause.replace(/^[^:]*: /, ''))}`,
          serverLog: logs.slice(0, 5),
        }
      : f;
  };

  // the same internal error comes from many shapes of request: replay each alone (up to a
  // bound) to group them by the cause the service logs
  if (!down && service.alive()) {
    let replays = 0;
    for (let k = 0; k < findings.length && replays < 300; k++) {
      const f = findings[k];
      if ((f.kind !== 'internalError' && f.kind !== 'http5xx') || !f.request) continue;
      replays++;
      const { logs } = await sendAlone(f.request);
      findings[k] = causeOf(f, logs);
    }
  }

  // one group per cause, in the order of the kinds
  const groupsByKey = new Map<string, { first: Finding; count: number }>();
  for (const f of findings) {
    const key = `${f.kind}|${f.signature}`;
    const g = groupsByKey.get(key);
    if (g) g.count++;
    else groupsByKey.set(key, { first: f, count: 1 });
  }
  const ordered = [...groupsByKey.values()].sort(
    (a, b) =>
      FINDING_KINDS.indexOf(a.first.kind) - FINDING_KINDS.indexOf(b.first.kind) ||
      b.count - a.count,
  );
  // shrink the commonest cause of every kind first, then the others while time remains
  const leaders = new Set(FINDING_KINDS.map((k) => ordered.find((g) => g.first.kind === k)));
  const shrinkOrder = [
    ...ordered.filter((g) => leaders.has(g)),
    ...ordered.filter((g) => !leaders.has(g)),
  ];

  /** Whether case `c` shows the finding `first` again, replayed alone. */
  const reproduce = async (first: Finding, c: FuzzCase): Promise<Reproduction | null> => {
    const { request, expected } = render(c);
    if (first.kind === 'hiddenWrite') {
      const original = first.hiding;
      if (!original) return null;
      const intents = intentsOf(schema, request);
      // a removal needs a rating to remove, and the run (or the last replay) removed it:
      // the hidden one always, the others unless one that found nothing hid the write
      const notFoundHid = original.errors.some((e) =>
        e.startsWith('NOT_FOUND at mutation removeRating'),
      );
      for (const i of intents) {
        const same = i.userId === original.userId && i.movieId === original.movieId;
        if (i.kind === 'remove' && (same || !notFoundHid)) {
          await send(service.origin, rateRequest(i.userId, i.movieId));
        }
      }
      const linesBefore = (await readJournal(service.dataDir)).events.length;
      const answer = await send(service.origin, request);
      const { attempt } = examine(c, null, request, answer, expected);
      const added = (await readJournal(service.dataDir)).events.slice(linesBefore);
      if (!attempt) return null;
      // the lines this request added that no acknowledged write of its answer explains
      const acked = [...attempt.acknowledged];
      const asked = attempt.intents.filter((i) => !attempt.acknowledged.includes(i));
      for (const event of added) {
        const k = acked.findIndex((i) => sameChange(i, event));
        if (k >= 0) {
          acked.splice(k, 1);
          continue;
        }
        const hidden = asked.find((i) => sameChange(i, event));
        if (hidden && hidesLike(hidingOf(attempt, hidden), original)) {
          const detail = `${hidden.kind} user ${hidden.userId} movie ${hidden.movieId}${hidden.rating === null ? '' : ` ${hidden.rating}`} as "${hidden.key}": journaled, not acknowledged`;
          return { request, answer, detail, serverLog: [] };
        }
      }
      return null;
    }
    const { answer, logs } = await sendAlone(request);
    const match = examine(c, null, request, answer, expected)
      .findings.map((f) =>
        f.kind === 'internalError' || f.kind === 'http5xx' ? causeOf(f, logs) : f,
      )
      .find((f) => f.kind === first.kind && f.signature === first.signature);
    return match
      ? { request, answer, detail: match.detail, serverLog: match.serverLog ?? [] }
      : null;
  };

  // shrinking replays requests one at a time, after the state check, on the same service
  const shrinkDeadline = Date.now() + (ctx.shrinkSeconds ?? 120) * 1000;
  let shrinks = 0;
  const results = new Map<(typeof ordered)[number], FindingGroup>();
  for (const g of shrinkOrder) {
    const { first } = g;
    let shrunk: ShrinkResult | null = null;
    const canShrink =
      !down &&
      service.alive() &&
      SHRINKABLE.has(first.kind) &&
      first.caseIndex !== null &&
      shrinks < (ctx.maxShrinks ?? 20) &&
      Date.now() < shrinkDeadline;
    if (canShrink) {
      shrinks++;
      try {
        shrunk = await shrinkCase({
          arb,
          seed,
          index: first.caseIndex as number,
          original: cases[first.caseIndex as number],
          reproduce: (c) => reproduce(first, c),
          maxRuns: ctx.shrinkRuns ?? 200,
          deadline: shrinkDeadline,
        });
      } catch (err) {
        generatorProblems.push(`shrinking case #${first.caseIndex}: ${(err as Error).message}`);
      }
      progress(
        `shrunk ${first.kind} "${first.signature.slice(0, 80)}": ${shrunk ? `${shrunk.steps} steps, ${shrunk.runs} replays` : 'did not reproduce alone'}`,
      );
    }
    results.set(g, {
      kind: first.kind,
      signature: first.signature,
      count: g.count,
      first,
      shrunk,
      serverLog: shrunk?.serverLog.length ? shrunk.serverLog : (first.serverLog ?? []),
    });
  }
  const groups = ordered.map((g) => results.get(g) as FindingGroup);

  const counts = Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<
    FindingKind,
    number
  >;
  for (const f of findings) counts[f.kind]++;
  return {
    seed,
    production: ctx.production,
    root: ctx.root,
    dataset: ctx.dataset,
    requestsPlanned: ctx.requests,
    requestsSent: sent,
    seconds: (performance.now() - ctx.started) / 1000,
    stoppedEarly,
    documented: { codes: [...documented.codes].sort(), source: documented.source },
    families,
    statuses,
    codes,
    counts,
    groups,
    state,
    readYourWrites: { requests: rywRequests, steps: rywSteps },
    generator: { problems: generatorProblems.slice(0, 50) },
    findings: findings.length,
  };
}
