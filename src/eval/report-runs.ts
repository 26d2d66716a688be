import type { KnnCentring } from '../engine/knn.ts';
import type { SimilarityMetric } from '../engine/similarity.ts';
import { type Algorithm, algorithms, type EvalOptions } from './evaluate.ts';

/** The neighbour counts of the report's RMSE-against-k sweep. */
export const defaultReportKs: ReadonlyArray<number> = [5, 10, 20, 30, 40, 60, 80, 100];

/**
 * The similarities the sweep compares: those of the README's results table. vector-cosine
 * is left out because it is the ranking lists' similarity, not a rating predictor's.
 */
export const reportSimilarities: ReadonlyArray<SimilarityMetric> = [
  'cosine',
  'adjusted-cosine',
  'pearson',
  'pearson-baseline',
];

/** The kNN sides whose rating predictor the sweep varies. */
export const sweptAlgorithms = ['user-knn', 'item-knn'] as const satisfies ReadonlyArray<Algorithm>;

/** Predictor settings that every run of a report shares (unset: the model's defaults). */
export interface ReportSettings {
  readonly k?: number;
  readonly similarity?: SimilarityMetric;
  readonly shrinkage?: number;
  readonly centring?: KnnCentring;
  /** The sweep's neighbour counts (default defaultReportKs). */
  readonly ks?: ReadonlyArray<number>;
}

/**
 * One evaluation run of a report: `algorithm` runs fill the results table and the
 * precision and recall curves; `sweep` runs are one point of an RMSE-against-k line.
 */
export type ReportRun =
  | { readonly kind: 'algorithm'; readonly label: string; readonly options: EvalOptions }
  | {
      readonly kind: 'sweep';
      readonly label: string;
      readonly options: EvalOptions & {
        readonly algorithm: (typeof sweptAlgorithms)[number];
        readonly similarity: SimilarityMetric;
        readonly k: number;
      };
    };

/**
 * Every run of a report: each algorithm once with the given settings, then each kNN side
 * with each similarity at each k of the sweep (shrinkage and centring as given).
 */
export function reportRuns(settings: ReportSettings): ReportRun[] {
  const { ks = defaultReportKs, k, similarity, shrinkage, centring } = settings;
  const runs: ReportRun[] = algorithms.map((algorithm) => ({
    kind: 'algorithm',
    label: algorithm,
    options: { algorithm, k, similarity, shrinkage, centring },
  }));
  for (const algorithm of sweptAlgorithms) {
    for (const metric of reportSimilarities) {
      for (const sweepK of ks) {
        runs.push({
          kind: 'sweep',
          label: `${algorithm} ${metric} k=${sweepK}`,
          options: { algorithm, similarity: metric, k: sweepK, shrinkage, centring },
        });
      }
    }
  }
  return runs;
}
