import { describe, expect, it } from 'vitest';
import type { EvalResult } from '../../src/eval/evaluate.ts';
import { escapeHtml, type ReportHeader, reportHtml } from '../../src/eval/report-html.ts';

const header: ReportHeader = {
  dataset: 'my <set>',
  datasetSize: '405 ratings of 43 movies',
  split: 'u1..u5',
  folds: ['u1', 'u2'],
  date: new Date('2025-01-02T03:04:05.678Z'),
  command: "npm run eval -- --report 'out dir' --data x&y",
  predictor: 'pearson-baseline similarity, k = 40',
  sweep: 'k = 5, 10.',
  runs: 21,
  threads: 2,
  wallSeconds: 12.34,
};

function result(rmse: number): EvalResult {
  return {
    algorithm: 'popularity',
    rmse,
    mae: 0.75,
    neighbourShare: 0.5,
    precisionAt10: 0.05,
    recallAt10: 0.06,
    ndcgAt10: 0.07,
    mapAt10: 0.03,
    coverage: 0.012,
    precisionAt: [],
    recallAt: [],
    fitSeconds: 1,
    predictSeconds: 0.5,
    folds: [],
  };
}

describe('reportHtml', () => {
  const html = reportHtml(
    header,
    [
      { id: 'rmse-user-knn', title: 'User', svg: '<svg id="a"></svg>' },
      { id: 'precision', title: 'Precision', svg: '<svg id="b"></svg>' },
    ],
    [
      { label: 'popularity', result: result(0.99861) },
      { label: 'hybrid', result: result(0.87514) },
    ],
  );

  it('given a header, when rendering, then it names the data set, split, folds, date and the command, escaped', () => {
    expect(html).toContain('my &lt;set&gt; (405 ratings of 43 movies)');
    expect(html).toContain('<dt>split</dt><dd>u1..u5</dd>');
    expect(html).toContain('<dt>folds</dt><dd>2 (u1, u2)</dd>');
    expect(html).toContain('2025-01-02T03:04:05Z');
    expect(html).toContain(
      '<code>npm run eval -- --report &#39;out dir&#39; --data x&amp;y</code>',
    );
    expect(html).toContain('21 on 2 threads, 12.3 s');
  });

  it('given results, when rendering, then the table has one row per algorithm with four-decimal metrics, percentages and seconds', () => {
    const rows = html.match(/<tr><th scope="row">[^\n]*<\/tr>/g) ?? [];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('>popularity</th><td>0.9986</td><td>0.7500</td><td>50.0 %</td>');
    expect(rows[1]).toContain('>hybrid</th><td>0.8751</td>');
    expect(rows[1]).toContain('<td>1.2 %</td><td>1.50</td></tr>');
  });

  it('given charts, when rendering, then each SVG is inline in its own figure and the page loads nothing', () => {
    expect(html).toContain('<figure id="rmse-user-knn" aria-label="User">\n<svg id="a"></svg>');
    expect(html).toContain('<figure id="precision" aria-label="Precision">\n<svg id="b"></svg>');
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/);
  });
});

describe('escapeHtml', () => {
  it('given markup characters, when escaping, then none survives', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });
});
