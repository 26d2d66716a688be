import type { Scale } from '../engine/scale.ts';
import type { SimilarityMetric } from '../engine/similarity.ts';
import type { Algorithm, EvalResult } from './evaluate.ts';
import type { FoldPool } from './parallel.ts';
import type { ReportRun } from './report-runs.ts';
import type { Fold } from './splits.ts';

/** One point of an RMSE-against-k line. */
export interface SweepPoint {
  readonly algorithm: Algorithm;
  readonly similarity: SimilarityMetric;
  readonly k: number;
  readonly rmse: number;
}

export interface ReportResults {
  /** The `algorithm` runs, in plan order. */
  readonly algorithms: ReadonlyArray<{ readonly label: string; readonly result: EvalResult }>;
  /** The `sweep` runs, in plan order. */
  readonly sweep: ReadonlyArray<SweepPoint>;
  /** Wall clock of every run on the pool, from the first fold submitted to the last back. */
  readonly wallSeconds: number;
}

/**
 * Evaluates every run of a report on the pool at once: the runs' folds share the pool's
 * queue, so even one-fold runs keep every thread busy. `onRun` hears of each run as it
 * finishes, in whatever order that is.
 */
export async function runReport(
  pool: FoldPool,
  folds: ReadonlyArray<Fold>,
  scale: Scale,
  runs: ReadonlyArray<ReportRun>,
  onRun: (run: ReportRun, result: EvalResult) => void = () => {},
): Promise<ReportResults> {
  const started = performance.now();
  const results = await Promise.all(
    runs.map(async (run) => {
      const result = await pool.evaluate(folds, run.options, scale);
      onRun(run, result);
      return result;
    }),
  );
  const algorithms: Array<{ label: string; result: EvalResult }> = [];
  const sweep: SweepPoint[] = [];
  runs.forEach((run, r) => {
    if (run.kind === 'algorithm') algorithms.push({ label: run.label, result: results[r] });
    else {
      const { algorithm, similarity, k } = run.options;
      sweep.push({ algorithm, similarity, k, rmse: results[r].rmse });
    }
  });
  return { algorithms, sweep, wallSeconds: (performance.now() - started) / 1000 };
}
