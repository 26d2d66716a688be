import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DatasetNotFoundError } from '../../src/data/dataset-not-found-error.ts';
import { loadDataset, resolveDatasetDir } from '../../src/data/movielens.ts';
import { fixture, useTempDatasets } from './helpers.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

describe('resolveDatasetDir', () => {
  const tempDataset = useTempDatasets();
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('given MOVIELENS_DIR holding the named set, when resolving the name, then that copy is used first', async () => {
    const sets = await tempDataset(null, {});
    await cp(fixture('ml-1m-tiny'), join(sets, 'ml-1m'), { recursive: true });
    vi.stubEnv('MOVIELENS_DIR', sets);
    expect(resolveDatasetDir('ml-1m')).toBe(join(sets, 'ml-1m'));
  });

  it('given MOVIELENS_DIR without the named set, when resolving, then the project data folder is next', async () => {
    vi.stubEnv('MOVIELENS_DIR', await tempDataset(null, {}));
    expect(resolveDatasetDir('ml-latest-small')).toBe(join(projectRoot, 'data', 'ml-latest-small'));
  });

  it('given a known name found nowhere, when resolving, then the error lists every place and the download page', async () => {
    const sets = await tempDataset(null, {});
    vi.stubEnv('MOVIELENS_DIR', sets);
    const places = [
      join(sets, 'ml-25m'),
      join(projectRoot, 'data', 'ml-25m'),
      resolve(projectRoot, '..', 'shared', 'data', 'movielens', 'ml-25m'),
    ];
    let error: unknown = null;
    try {
      resolveDatasetDir('ml-25m');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatasetNotFoundError);
    const { message, searched } = error as DatasetNotFoundError;
    expect(searched).toEqual(places);
    for (const place of places) expect(message).toContain(place);
    expect(message).toContain('https://grouplens.org/datasets/movielens/');
  });

  it('given an existing directory that is not a known name, when resolving, then it is returned absolute', () => {
    const dir = fixture('ml-100k-tiny');
    expect(resolveDatasetDir(relative(process.cwd(), dir))).toBe(dir);
  });

  it('given a directory that does not exist, when resolving, then the error names it and the download page', async () => {
    const missing = join(await mkdtemp(join(tmpdir(), 'movielens-missing-')), 'nowhere');
    try {
      expect(() => resolveDatasetDir(missing)).toThrow(DatasetNotFoundError);
      expect(() => resolveDatasetDir(missing)).toThrow(
        new RegExp(`not found: ${missing}.*https://grouplens\\.org/datasets/movielens/`),
      );
    } finally {
      await rm(resolve(missing, '..'), { recursive: true, force: true });
    }
  });

  it('given a known name, when loading by it, then the data set carries that name', async () => {
    const sets = await tempDataset(null, {});
    await cp(fixture('ml-1m-tiny'), join(sets, 'ml-1m'), { recursive: true });
    vi.stubEnv('MOVIELENS_DIR', sets);
    const dataset = await loadDataset('ml-1m');
    expect(dataset.name).toBe('ml-1m');
    expect(dataset.dir).toBe(join(sets, 'ml-1m'));
  });
});
