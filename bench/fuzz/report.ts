import { join } from 'node:path';
import { FINDING_KINDS, KIND_TITLES } from './checks.ts';
import type { Answer } from './http.ts';
import type { HttpRequest } from './model.ts';
import type { FindingGroup, FuzzSummary } from './run.ts';

/** The human report: histograms, counts of each finding kind, one minimal request per cause. */

const cut = (text: string, max: number) =>
  text.length <= max
    ? text
    : `${text.slice(0, max)}... (${text.length.toLocaleString('en')} characters)`;

function histogram(title: string, table: Readonly<Record<string, number>>): string[] {
  const rows = Object.entries(table).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const width = Math.max(title.length, ...rows.map(([k]) => k.length));
  return [
    `${title.padEnd(width)}  count`,
    ...rows.map(([k, n]) => `${k.padEnd(width)}  ${String(n).padStart(5)}`),
  ];
}

const DEFAULT_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  accept: 'application/json',
};

/** A request as a person reads it: the GraphQL text on its own lines, the rest as JSON. */
export function formatRequest(request: HttpRequest, indent = '    '): string[] {
  const headers = Object.entries(request.headers)
    .filter(([k, v]) => DEFAULT_HEADERS[k] !== v)
    .map(([k, v]) => `${k}: ${v}`);
  let target = request.target;
  if (request.method === 'GET' && target.includes('?')) {
    try {
      target = decodeURIComponent(target.replace(/\+/g, ' '));
    } catch {
      // leave it encoded
    }
  }
  const lines = [
    `${request.method} ${cut(target, 600)}${headers.length ? `  [${headers.join('; ')}]` : ''}`,
  ];
  if (request.body !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body);
    } catch {
      parsed = undefined;
    }
    if (
      parsed &&
      typeof parsed === 'object' &&
      !Array.isArray(parsed) &&
      typeof (parsed as { query?: unknown }).query === 'string'
    ) {
      lines.push('query:');
      for (const line of cut((parsed as { query: string }).query, 2000).split('\n'))
        lines.push(`  ${line}`);
      // the other keys as sent, so that __proto__ and duplicates show as they went
      const rest = request.body.replace(/"query":"(?:[^"\\]|\\.)*",?/, '');
      if (rest !== '{}') lines.push(`body besides the query: ${cut(rest, 600)}`);
    } else {
      lines.push(
        `body (${request.body.length.toLocaleString('en')} bytes): ${cut(JSON.stringify(request.body), 600)}`,
      );
    }
  }
  return lines.map((l) => `${indent}${l}`);
}

export function formatAnswer(answer: Answer | null, indent = '    '): string[] {
  if (!answer) return [];
  if (!answer.ok) return [`${indent}no answer: ${answer.error}`];
  return [`${indent}HTTP ${answer.status} ${answer.contentType}: ${cut(answer.text.trim(), 1200)}`];
}

function formatGroup(g: FindingGroup, n: number): string[] {
  const lines = [
    `[${n}] ${g.kind} x${g.count}: ${g.signature}`,
    `    ${cut(g.shrunk?.detail ?? g.first.detail, 400)}`,
  ];
  const request = g.shrunk?.request ?? g.first.request;
  const answer = g.shrunk?.answer ?? g.first.answer;
  if (request) {
    lines.push(
      g.shrunk
        ? `  minimal request (case #${g.first.caseIndex} shrunk by fast-check: ${g.shrunk.steps} smaller cases, ${g.shrunk.runs} replays):`
        : `  request (case #${g.first.caseIndex}${g.first.caseIndex === null ? '' : ', not shrunk'}):`,
    );
    lines.push(...formatRequest(request));
    lines.push('  answer:');
    lines.push(...formatAnswer(answer));
  }
  if (g.serverLog.length > 0) {
    lines.push('  server log for it:');
    for (const l of g.serverLog) lines.push(`    ${cut(l, 300)}`);
  }
  return lines;
}

export function textReport(s: FuzzSummary): string {
  const mode = s.production ? 'production' : 'development';
  const lines = [
    `fuzz: ${s.requestsSent} of ${s.requestsPlanned} requests, seed ${s.seed}, NODE_ENV=${mode}, ${s.seconds.toFixed(1)} s`,
    `service: ${join(s.root, 'src/cli/serve.ts')} on ${s.dataset}`,
    `documented codes (${s.documented.source}): ${s.documented.codes.join(', ')}`,
  ];
  if (s.stoppedEarly) lines.push(`STOPPED EARLY: ${s.stoppedEarly}`);
  lines.push('', ...histogram('request family', s.families));
  lines.push('', ...histogram('HTTP status', s.statuses));
  lines.push('', ...histogram('error code (answers with it)', s.codes));
  lines.push(
    '',
    `state check: ${s.state.ran ? `${s.state.acknowledged} acknowledged writes (${s.state.acknowledgedWithPayloadErrors} with a failing field inside the payload), ${s.state.journalLines} journal lines, ${s.state.usersCompared} users compared; ${s.state.hiddenWrites} hidden, ${s.state.unjournaled} acknowledged but not journaled, ${s.state.servedMismatches} users served differently` : 'not run (the service was down)'}`,
    `read-your-writes: ${s.readYourWrites.requests} requests of ${s.readYourWrites.steps} mutations`,
  );
  const width = Math.max(...FINDING_KINDS.map((k) => KIND_TITLES[k].length));
  lines.push('', `${'finding'.padEnd(width)}  count`);
  for (const k of FINDING_KINDS)
    lines.push(`${KIND_TITLES[k].padEnd(width)}  ${String(s.counts[k]).padStart(5)}`);
  if (s.generator.problems.length > 0) {
    lines.push(
      '',
      'FUZZER PROBLEMS (not service findings):',
      ...s.generator.problems.map((p) => `  ${p}`),
    );
  }
  if (s.groups.length > 0) {
    lines.push('', `findings, one request per cause (${s.groups.length} causes):`);
    s.groups.forEach((g, k) => {
      lines.push('', ...formatGroup(g, k + 1));
    });
  } else {
    lines.push('', 'no findings');
  }
  return lines.join('\n');
}

/** The summary as JSON, requests and answers cut to a readable size. */
export function jsonReport(s: FuzzSummary): string {
  const answer = (a: Answer | null) =>
    a === null
      ? null
      : a.ok
        ? { status: a.status, contentType: a.contentType, body: cut(a.text, 2000) }
        : { error: a.error };
  const request = (r: HttpRequest | null) =>
    r === null
      ? null
      : {
          method: r.method,
          target: cut(r.target, 2000),
          headers: r.headers,
          body: r.body === null ? null : cut(r.body, 4000),
        };
  return JSON.stringify({
    ...s,
    groups: s.groups.map((g) => ({
      kind: g.kind,
      signature: g.signature,
      count: g.count,
      detail: g.first.detail,
      caseIndex: g.first.caseIndex,
      request: request(g.first.request),
      answer: answer(g.first.answer),
      minimal: g.shrunk
        ? {
            steps: g.shrunk.steps,
            runs: g.shrunk.runs,
            request: request(g.shrunk.request),
            answer: answer(g.shrunk.answer),
          }
        : null,
      serverLog: g.serverLog,
    })),
  });
}

/** The findings as a test's failure message: one line per cause and its minimal request. */
export function findingsMessage(s: FuzzSummary): string {
  return s.groups.map((g, k) => formatGroup(g, k + 1).join('\n')).join('\n\n');
}
