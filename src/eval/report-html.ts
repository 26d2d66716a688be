import type { EvalResult } from './evaluate.ts';
import type { Chart } from './report-charts.ts';

/** What the report's header says about the run that produced it. */
export interface ReportHeader {
  /** The data set's name. */
  readonly dataset: string;
  /** A line on its size, e.g. "100836 ratings by 610 users of 9742 movies". */
  readonly datasetSize: string;
  readonly split: string;
  readonly folds: ReadonlyArray<string>;
  readonly date: Date;
  /** The command line that produced the report, as typed. */
  readonly command: string;
  /** The kNN rating predictor's settings in the results table, in words. */
  readonly predictor: string;
  /** The sweep's settings, in words. */
  readonly sweep: string;
  readonly runs: number;
  readonly threads: number;
  readonly wallSeconds: number;
}

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe inside HTML elements and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]);
}

const fixed = (x: number) => x.toFixed(4);
const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

const columns: ReadonlyArray<readonly [string, (r: EvalResult) => string]> = [
  ['RMSE', (r) => fixed(r.rmse)],
  ['MAE', (r) => fixed(r.mae)],
  ['by neighbours', (r) => percent(r.neighbourShare)],
  ['P@10', (r) => fixed(r.precisionAt10)],
  ['R@10', (r) => fixed(r.recallAt10)],
  ['nDCG@10', (r) => fixed(r.ndcgAt10)],
  ['MAP@10', (r) => fixed(r.mapAt10)],
  ['coverage', (r) => percent(r.coverage)],
  ['fit + predict s', (r) => (r.fitSeconds + r.predictSeconds).toFixed(2)],
];

/** The results table: one row per algorithm run, as in the README's tables. */
export function resultsTable(
  rows: ReadonlyArray<{ readonly label: string; readonly result: EvalResult }>,
): string {
  const head = `<tr><th>algorithm</th>${columns.map(([name]) => `<th>${name}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      ({ label, result }) =>
        `<tr><th scope="row">${escapeHtml(label)}</th>${columns
          .map(([, cell]) => `<td>${cell(result)}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table id="results">\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

// Inline, so the file needs nothing else to be read: no scripts, fonts or fetches.
const style = `
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #222; margin: 24px auto; max-width: 1160px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dt { color: #555; }
dd { margin: 0; }
code { font: 12px/1.4 Menlo, Consolas, monospace; background: #f3f3f3; padding: 1px 4px; word-break: break-all; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(540px, 1fr)); gap: 16px; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: right; }
th[scope="row"], thead th:first-child { text-align: left; }
thead th { border-bottom: 2px solid #999; }
.notes { color: #444; font-size: 13px; max-width: 900px; }
`;

function figure(chart: Chart): string {
  return `<figure id="${escapeHtml(chart.id)}" aria-label="${escapeHtml(chart.title)}">\n${chart.svg}\n</figure>`;
}

/** The whole report: one HTML page with inline CSS and the charts as inline SVG. */
export function reportHtml(
  header: ReportHeader,
  charts: ReadonlyArray<Chart>,
  rows: ReadonlyArray<{ readonly label: string; readonly result: EvalResult }>,
): string {
  const byId = (prefix: string) => charts.filter((c) => c.id.startsWith(prefix)).map(figure);
  const folds = header.folds.length;
  const facts: ReadonlyArray<readonly [string, string]> = [
    ['data set', `${escapeHtml(header.dataset)} (${escapeHtml(header.datasetSize)})`],
    ['split', escapeHtml(header.split)],
    ['folds', `${folds} (${header.folds.map(escapeHtml).join(', ')})`],
    ['date', escapeHtml(header.date.toISOString().replace(/\.\d+Z$/, 'Z'))],
    ['command', `<code>${escapeHtml(header.command)}</code>`],
    ['kNN predictor', escapeHtml(header.predictor)],
    [
      'runs',
      `${header.runs} on ${header.threads} thread${header.threads > 1 ? 's' : ''}, ${header.wallSeconds.toFixed(1)} s of wall clock`,
    ],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Evaluation report: ${escapeHtml(header.dataset)}, split ${escapeHtml(header.split)}</title>
<style>${style}</style>
</head>
<body>
<header>
<h1>Evaluation report: ${escapeHtml(header.dataset)}, split ${escapeHtml(header.split)}</h1>
<dl>
${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('\n')}
</dl>
</header>
<h2>Rating accuracy against the number of neighbours</h2>
<p class="notes">${escapeHtml(header.sweep)} Each point is one run, averaged over the folds.</p>
<div class="charts">
${byId('rmse-').join('\n')}
</div>
<h2>Precision and recall at cutoffs</h2>
<p class="notes">Every movie in the training data that a user has not rated is a candidate;
a test rating of 4 or more is relevant; users without a relevant test movie are left out.
The values at c = 10 are the table's P@10 and R@10. The kNN lists come from the
neighbour lists, which the predictor's similarity and k do not change.</p>
<div class="charts">
${[...byId('precision'), ...byId('recall')].join('\n')}
</div>
<h2>Results</h2>
${resultsTable(rows)}
<p class="notes">fit + predict s: seconds of fitting and predicting added up over the folds
(runs shared the threads, so this is each run's cost, not its wall clock).</p>
</body>
</html>
`;
}
