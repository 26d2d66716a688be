import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalCommand } from '../../src/cli/evaluate.ts';
import { algorithms } from '../../src/eval/evaluate.ts';
import { reportSimilarities } from '../../src/eval/report-runs.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the evaluate CLI from its TypeScript source; never rejects on a non-zero exit. */
function evaluateCli(...args: ReadonlyArray<string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/evaluate.ts', ...args],
      { cwd: root, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}

/** The inline SVG of the figure with this id. */
function figure(html: string, id: string): string {
  const start = html.indexOf(`<figure id="${id}"`);
  expect(start, `figure ${id}`).toBeGreaterThanOrEqual(0);
  const svg = html.slice(start, html.indexOf('</figure>', start));
  expect(svg).toContain('<svg');
  return svg;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const lineCount = (svg: string) => svg.split('aria-roledescription="line mark"').length - 1;
const hasText = (svg: string, text: string) => svg.includes(`>${text}</text>`);

/** Whether the chart has a point at x for this series (Vega labels points with the axis titles). */
function hasPoint(svg: string, xTitle: string, x: number, yTitle: string, series: string) {
  const label = `aria-label="${escapeRegExp(xTitle)}: ${x}; ${escapeRegExp(yTitle)}: [\\d.]+; [a-z]+: ${escapeRegExp(series)}"`;
  return new RegExp(label).test(svg);
}

describe('evaluate CLI --report', () => {
  let dir: string;
  let run: Run;
  let html: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eval-report-'));
    run = await evaluateCli(
      '--report',
      dir,
      '--data',
      'test/fixtures/e2e-small',
      '--split',
      'temporal:0.2',
      '--report-k',
      '5,10',
      '--threads',
      '2',
    );
    html = run.code === 0 ? await readFile(join(dir, 'index.html'), 'utf8') : '';
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('given a tiny data set and two ks, when reporting, then it exits 0 and says where the report is', () => {
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote ${join(dir, 'index.html')} (22 runs in`);
  });

  it('given stderr is a pipe, when reporting, then progress is one plain line per run', () => {
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('run '));
    expect(lines).toHaveLength(22);
    expect(lines[0]).toMatch(/^run 1\/22: /);
    expect(lines[21]).toMatch(/^run 22\/22: /);
    expect(run.stderr).toMatch(/run \d+\/22: item-knn pearson k=10 RMSE \d\.\d{4}/);
  });

  it('given the report, when reading its header, then it names the data set, split, folds, date and command', () => {
    expect(html).toContain('<h1>Evaluation report: e2e-small, split temporal:0.2</h1>');
    expect(html).toContain('<dt>folds</dt><dd>1 (temporal-0.2)</dd>');
    expect(html).toMatch(/<dt>date<\/dt><dd>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/dd>/);
    expect(html).toContain('--report-k 5,10');
  });

  it.each(['user-knn', 'item-knn'])(
    'given the %s sweep, when charting RMSE against k, then the axes are titled and there is one line and legend entry per similarity',
    (side) => {
      const svg = figure(html, `rmse-${side}`);
      expect(svg).toContain('RMSE against k</text>');
      const x = 'neighbours per prediction (k)';
      const y = 'test RMSE (lower is better)';
      expect(hasText(svg, x)).toBe(true);
      expect(hasText(svg, y)).toBe(true);
      expect(hasText(svg, 'similarity')).toBe(true);
      expect(lineCount(svg)).toBe(reportSimilarities.length);
      for (const s of reportSimilarities) {
        expect(hasText(svg, s), `legend entry ${s}`).toBe(true);
        // both ks of the grid are points of every line
        expect(hasPoint(svg, x, 5, y, s), `${s} at k = 5`).toBe(true);
        expect(hasPoint(svg, x, 10, y, s), `${s} at k = 10`).toBe(true);
      }
    },
  );

  it.each(['precision', 'recall'])(
    'given the %s chart, when reading it, then the axes are titled and there is one line and legend entry per algorithm over cutoffs 1..20',
    (measure) => {
      const svg = figure(html, measure);
      const x = 'cutoff c (length of the top-c list)';
      const y = `mean ${measure}@c over users`;
      expect(hasText(svg, x)).toBe(true);
      expect(hasText(svg, y)).toBe(true);
      expect(hasText(svg, 'algorithm')).toBe(true);
      expect(lineCount(svg)).toBe(algorithms.length);
      for (const a of algorithms) {
        expect(hasText(svg, a), `legend entry ${a}`).toBe(true);
        expect(hasPoint(svg, x, 1, y, a), `${a} at c = 1`).toBe(true);
        expect(hasPoint(svg, x, 20, y, a), `${a} at c = 20`).toBe(true);
      }
    },
  );

  it('given the report, when reading the results table, then it has every column and one row per algorithm', () => {
    const table = html.slice(html.indexOf('<table id="results">'), html.indexOf('</table>'));
    for (const col of ['RMSE', 'MAE', 'P@10', 'R@10', 'nDCG@10', 'MAP@10', 'coverage']) {
      expect(table).toContain(`<th>${col}</th>`);
    }
    const rows = table.match(/<tr><th scope="row">([^<]+)<\/th>/g) ?? [];
    expect(rows.map((r) => r.replace(/.*>([^<]+)<\/th>$/, '$1'))).toEqual([...algorithms]);
  });

  it('given the report, when checking what it needs, then it is one file with no scripts or external resources', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|@import/);
    expect(html.match(/<svg /g)).toHaveLength(4);
  });

  it('given --report with --algorithm, when starting, then it exits non-zero saying the report runs every algorithm', async () => {
    const bad = await evaluateCli('--report', dir, '--algorithm', 'hybrid');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--report evaluates every algorithm');
  });

  it('given a k grid with a zero, when starting, then it exits non-zero naming the option', async () => {
    const bad = await evaluateCli('--report', dir, '--report-k', '0,5');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--report-k');
    expect(bad.stderr).toContain('positive integers');
  });
});

describe('evalCommand', () => {
  it('given a unified CLI that mounts it, when asked for its name and help, then it is "eval" with the report options', () => {
    const cmd = evalCommand();
    expect(cmd.name()).toBe('eval');
    const help = cmd.helpInformation();
    expect(help).toContain('--report <dir>');
    expect(help).toContain('--report-k <list>');
    expect(help).toContain('--algorithm <name>');
  });
});
