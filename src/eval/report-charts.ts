import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { algorithmByName } from '../engine/algorithms.ts';
import { algorithmOfEvalName } from './evaluate.ts';
import type { ReportResults } from './report-results.ts';
import { reportSimilarities, sweptAlgorithms } from './report-runs.ts';

/** A chart of the report: an id for the page's anchors and tests, a title, inline SVG. */
export interface Chart {
  readonly id: string;
  readonly title: string;
  readonly svg: string;
}

// Shared look: the page shows two charts side by side in about 1200 px. Without a canvas
// Vega estimates text widths generously (0.8 em a character), so axis titles are kept
// shorter than the plot, or the estimate pads the chart with empty space.
const config = {
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'bottom' as const, columns: 5 },
  title: { fontSize: 14, anchor: 'start' as const },
  view: { stroke: '#ccc' },
};

/** RMSE against k for one kNN side, one line per similarity. */
export function rmseAgainstKSpec(
  results: ReportResults,
  algorithm: (typeof sweptAlgorithms)[number],
): TopLevelSpec {
  const values = results.sweep.filter((p) => p.algorithm === algorithm);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${algorithmByName[algorithmOfEvalName(algorithm)].label}: RMSE against k`,
    width: 440,
    height: 280,
    data: { values: values.map((p) => ({ ...p })) },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: {
        field: 'k',
        type: 'quantitative',
        title: 'neighbours per prediction (k)',
        axis: { values: [...new Set(values.map((p) => p.k))], labelFlush: false },
      },
      y: {
        field: 'rmse',
        type: 'quantitative',
        title: 'test RMSE (lower is better)',
        scale: { zero: false },
        axis: { format: '.3f' },
      },
      color: {
        field: 'similarity',
        type: 'nominal',
        title: 'similarity',
        sort: [...reportSimilarities],
      },
    },
    config,
  };
}

/** Precision or recall at cutoffs 1..n for every algorithm run, one line per algorithm. */
export function cutoffSpec(results: ReportResults, measure: 'precision' | 'recall'): TopLevelSpec {
  const values = results.algorithms.flatMap(({ label, result }) =>
    (measure === 'precision' ? result.precisionAt : result.recallAt).map((value, c) => ({
      algorithm: label,
      cutoff: c + 1,
      value,
    })),
  );
  const maxCutoff = Math.max(1, ...values.map((v) => v.cutoff));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${measure === 'precision' ? 'Precision' : 'Recall'} at cutoffs 1 to ${maxCutoff}`,
    width: 440,
    height: 280,
    data: { values },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: {
        field: 'cutoff',
        type: 'quantitative',
        title: 'cutoff c (length of the top-c list)',
        scale: { domain: [1, maxCutoff] },
        axis: { tickMinStep: 1, format: 'd' },
      },
      y: {
        field: 'value',
        type: 'quantitative',
        title: `mean ${measure}@c over users`,
        axis: { format: '.3f' },
      },
      color: {
        field: 'algorithm',
        type: 'nominal',
        title: 'algorithm',
        sort: results.algorithms.map((a) => a.label),
      },
    },
    config,
  };
}

/** Renders a Vega-Lite spec to an SVG string, headless (no browser, no canvas). */
export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The report's four charts, rendered. */
export async function reportCharts(results: ReportResults): Promise<Chart[]> {
  const specs: Array<{ id: string; spec: TopLevelSpec }> = [
    ...sweptAlgorithms.map((a) => ({ id: `rmse-${a}`, spec: rmseAgainstKSpec(results, a) })),
    { id: 'precision', spec: cutoffSpec(results, 'precision') },
    { id: 'recall', spec: cutoffSpec(results, 'recall') },
  ];
  return Promise.all(
    specs.map(async ({ id, spec }) => ({
      id,
      title: String(spec.title),
      svg: await chartSvg(spec),
    })),
  );
}
