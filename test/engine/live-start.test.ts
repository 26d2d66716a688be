import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/movielens.ts';
import { defaultHybridFitOptions, fitHybridWeights, sampleUsers } from '../../src/engine/hybrid.ts';
import { LiveModel, type StartPhase } from '../../src/engine/live-model.ts';
import { defaultModelConfig } from '../../src/engine/model.ts';
import { buildCatalog } from '../../src/service/catalog.ts';
import { matrixOf } from './helpers.ts';

/**
 * LiveModel.start is create with the event loop left free: the same ratings, weights and
 * lists, whatever threads did the work, and a progress report per phase.
 */
describe('LiveModel.start', () => {
  it('given ml-latest-small and a weight fit on a sample of users, when started on worker threads, then the weights, the factors and every list equal a model created on this thread, and each phase reports rising progress up to 1', async () => {
    const dataset = await loadDataset('ml-latest-small');
    const { movieIds } = buildCatalog(dataset);
    const config = { ...defaultModelConfig, scale: dataset.scale };
    const hybrid = { fitRatings: 30_000 };
    const reference = LiveModel.create(movieIds, dataset.ratings, config, hybrid, 'compute');
    const seen = new Map<StartPhase, number[]>();
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    const started = await LiveModel.start(
      movieIds,
      dataset.ratings,
      config,
      hybrid,
      'compute',
      [],
      {
        threads: 2,
        progress: (phase, fraction) => seen.set(phase, [...(seen.get(phase) ?? []), fraction]),
      },
    );
    clearInterval(ticker);

    expect(started.config.hybrid).toEqual(reference.config.hybrid);
    expect(started.digest).toBe(reference.digest);
    for (const side of ['item', 'user'] as const) {
      const a = started.model[side]?.lists;
      const b = reference.model[side]?.lists;
      expect(a && b).toBeTruthy();
      if (!a || !b) return;
      expect(Array.from(a.length)).toEqual(Array.from(b.length));
      expect(Array.from(a.idx)).toEqual(Array.from(b.idx));
      expect(Array.from(a.sim)).toEqual(Array.from(b.sim));
      expect(Array.from(a.support)).toEqual(Array.from(b.support));
    }
    const [fs, fr] = [started.model.factors, reference.model.factors];
    expect(fs && fr).toBeTruthy();
    if (!fs || !fr) return;
    expect(Array.from(fs.itemFactors)).toEqual(Array.from(fr.itemFactors));
    expect(Array.from(fs.userFactors.subarray(0, fr.userFactors.length))).toEqual(
      Array.from(fr.userFactors),
    );
    expect(Array.from(fs.userBias.subarray(0, fr.userBias.length))).toEqual(
      Array.from(fr.userBias),
    );
    for (const phase of [
      'indexing ratings',
      'factors',
      'similarities',
      'movie lists',
      'user lists',
      'weights',
    ] as const) {
      const fractions = seen.get(phase) ?? [];
      expect(fractions.at(-1), phase).toBe(1);
      for (let t = 1; t < fractions.length; t++) {
        expect(fractions[t], phase).toBeGreaterThanOrEqual(fractions[t - 1]);
      }
    }
    // the loop turned while the model was built
    expect(turns).toBeGreaterThan(0);
  }, 60_000);

  it('given a budget below the ratings, when the weights are fitted, then they are a fit on that sample of users, not on every rating', () => {
    const m = matrixOf([
      [5, 4, null, 1, 2],
      [4, 5, 1, null, 2],
      [1, 2, 5, 4, null],
      [null, 1, 4, 5, 3],
      [5, null, 2, 1, 1],
      [2, 1, 5, 5, 4],
    ]);
    const options = { ...defaultHybridFitOptions, maxRatings: 12 };
    const sampled = fitHybridWeights(m, defaultModelConfig, options);
    expect(sampled).toEqual(
      fitHybridWeights(sampleUsers(m, 12, options.seed), defaultModelConfig, {
        ...options,
        maxRatings: Number.POSITIVE_INFINITY,
      }),
    );
    expect(sampled).not.toEqual(
      fitHybridWeights(m, defaultModelConfig, { ...options, maxRatings: Number.POSITIVE_INFINITY }),
    );
  });
});
