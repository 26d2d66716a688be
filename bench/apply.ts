#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { loadDataset } from '../src/data/movielens.ts';
import { LiveModel } from '../src/engine/live-model.ts';
import { buildRatingMatrix, type RatingMatrix, rowMeans } from '../src/engine/matrix.ts';
import { defaultModelConfig, type Model } from '../src/engine/model.ts';
import { type EditableModel, setRating } from '../src/engine/model-edit.ts';
import { computePopularity } from '../src/engine/popularity.ts';
import { seededRandom } from '../src/engine/random.ts';
import { similaritySpace } from '../src/engine/similarity.ts';
import { withSlack } from '../src/engine/slack-matrix.ts';
import { buildCatalog } from '../src/service/catalog.ts';
import type { RatingEvent } from '../src/store/rating-event.ts';

/**
 * CPU cost of one rating in the live model, on a real data set: editing the statistics
 * in place (matrix, spaces, means, popularity), and the whole update (that edit plus the
 * rated movie's and the rater's own lists and the invalidation of the lists it reaches).
 * Beside them, in the same run, the way it was done before: refitting the matrix and the
 * spaces from all the ratings after each rating (timed on fewer ratings: it is slow).
 * Events: 70% new ratings (movies drawn in proportion to their popularity), 20% changed
 * and 10% removed ratings, from a fixed seed.
 */
const dataset = process.env.DATASET ?? 'ml-latest-small';
const count = Number(process.env.RATINGS ?? 2000);
const runs = Number(process.env.RUNS ?? 3);
const refitCount = 20;
/** Fixed weights (the configured defaults), so no run fits them. */
const weights = defaultModelConfig.hybrid;

function events(
  m: RatingMatrix,
  userIds: (u: number) => number,
  movieIds: Int32Array,
  seed: number,
): RatingEvent[] {
  const rand = seededRandom(seed);
  const out: RatingEvent[] = [];
  const { byUser, byItem } = m;
  for (let t = 0; t < count; t++) {
    const roll = rand();
    const u = Math.floor(rand() * m.nUsers);
    const userId = userIds(u);
    const timestamp = 2e9 + t;
    if (roll < 0.7) {
      // a random rating's movie: popular movies are drawn more often, as in real traffic
      let i = -1;
      while (i < 0) {
        const j = Math.floor(rand() * m.nItems);
        if (
          byItem.rowEnd[j] > byItem.rowPtr[j] &&
          rand() < (byItem.rowEnd[j] - byItem.rowPtr[j]) / 50
        )
          i = j;
      }
      out.push({
        kind: 'rate',
        userId,
        movieId: movieIds[i],
        rating: 0.5 + Math.floor(rand() * 10) / 2,
        timestamp,
      });
    } else {
      const n = byUser.rowEnd[u] - byUser.rowPtr[u];
      const i = byUser.colIdx[byUser.rowPtr[u] + Math.floor(rand() * n)];
      if (roll < 0.9) {
        out.push({
          kind: 'rate',
          userId,
          movieId: movieIds[i],
          rating: 0.5 + Math.floor(rand() * 10) / 2,
          timestamp,
        });
      } else out.push({ kind: 'remove', userId, movieId: movieIds[i], timestamp });
    }
  }
  return out;
}

/** Mean CPU microseconds per call of `f` over `n` calls. */
function cpuMicros(n: number, f: (t: number) => void): number {
  const before = process.cpuUsage();
  for (let t = 0; t < n; t++) f(t);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

/** What the live model did per rating before it edited in place. */
function refitStatistics(model: Model): void {
  const m = model.matrix;
  const users = new Int32Array(m.nnz);
  const items = new Int32Array(m.nnz);
  const values = new Float32Array(m.nnz);
  let t = 0;
  for (let u = 0; u < m.nUsers; u++) {
    for (let p = m.byUser.rowPtr[u]; p < m.byUser.rowEnd[u]; p++) {
      users[t] = u;
      items[t] = m.byUser.colIdx[p];
      values[t++] = m.byUser.values[p];
    }
  }
  const fresh = withSlack(buildRatingMatrix(users, items, values, m.nUsers, m.nItems));
  for (const side of [model.item, model.user]) {
    if (!side) continue;
    similaritySpace(fresh, side.side, side.config.predictSimilarity, model.baseline);
    if (side.rankSpace !== side.predictSpace)
      similaritySpace(fresh, side.side, side.config.rankSimilarity, model.baseline);
  }
  computePopularity(fresh, model.baseline.mu);
  rowMeans(fresh.byUser, model.baseline.mu);
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const data = await loadDataset(dataset);
  const catalog = buildCatalog(data);
  const config = { ...defaultModelConfig, scale: data.scale };
  const results = {
    edit: [] as number[],
    apply: [] as number[],
    refit: [] as number[],
    invalidated: [] as number[],
    edited: [] as number[],
  };
  for (let r = 0; r < runs; r++) {
    const live = LiveModel.create(catalog.movieIds, data.ratings, config, weights);
    const stream = events(live.model.matrix, (u) => live.userId(u), catalog.movieIds, 7 + r);
    // the statistics alone, on a model of its own: the same edits apply() makes first
    const fitted = LiveModel.create(catalog.movieIds, data.ratings, config, weights, 'later')
      .model as EditableModel;
    results.edit.push(
      cpuMicros(count, (t) => {
        const e = stream[t];
        const u = live.userIdx(e.userId);
        const i = live.itemIdx(e.movieId);
        setRating(fitted, u, i, e.kind === 'rate' ? e.rating : null);
      }),
    );
    const invalidatedBefore = live.listsInvalidated;
    const editedBefore = live.listsEdited;
    results.apply.push(cpuMicros(count, (t) => live.apply([stream[t]])));
    results.invalidated.push((live.listsInvalidated - invalidatedBefore) / count);
    results.edited.push((live.listsEdited - editedBefore) / count);
    results.refit.push(cpuMicros(refitCount, () => refitStatistics(live.model)));
  }
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}`;
  const edit = median(results.edit);
  const refit = median(results.refit);
  const apply = median(results.apply);
  process.stdout.write(
    `${dataset}, ${count} ratings per run (${refitCount} for the refit), median of ${runs} runs; ${machine}\n\n`,
  );
  process.stdout.write('| per rating | CPU µs (median of runs) | vs refit |\n|---|---|---|\n');
  process.stdout.write(
    `| statistics edited in place | ${edit.toFixed(1)} | ${(refit / edit).toFixed(0)}x less |\n`,
  );
  process.stdout.write(
    `| statistics refitted from all ratings (before) | ${refit.toFixed(0)} | 1 |\n`,
  );
  process.stdout.write(
    `| whole update: edit, own two lists, invalidation | ${apply.toFixed(0)} | |\n`,
  );
  process.stdout.write(
    `\nper rating (mean, median of runs): lists invalidated (own two included) ${median(results.invalidated).toFixed(1)}, other lists edited in place ${median(results.edited).toFixed(1)}\n`,
  );
  const out = 'bench/results/apply.json';
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ dataset, count, runs, machine, results }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
