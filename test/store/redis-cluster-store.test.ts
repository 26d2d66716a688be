/**
 * The Redis store on a real Redis Cluster (three masters, a replica each, started by the
 * test): the same contract as on one server, with the lists spread over the masters.
 */
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix } from '../../src/store/redis-keys.ts';
import { RedisNeighbourStore } from '../../src/store/redis-neighbour-store.ts';
import { OwnCluster } from '../support/redis-cluster.ts';
import { describeNeighbourStore, list } from './neighbour-store-contract.ts';

let cluster: OwnCluster;
let client: Cluster;

beforeAll(async () => {
  cluster = await OwnCluster.start();
  client = new Cluster(cluster.seeds, { enableAutoPipelining: true });
}, 60_000);

afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
});

describeNeighbourStore('redis cluster', async () => {
  const prefix = `test:${randomUUID()}`;
  return {
    store: new RedisNeighbourStore(client, prefix),
    cleanup: () => deleteKeysWithPrefix(client, `${prefix}:`),
  };
});

describe('lists on a cluster', () => {
  it('given lists of 500 movies written in one batch, when the masters are asked, then every master holds some, and one batch reads them all back', async () => {
    const prefix = `spread:${randomUUID()}`;
    const store = new RedisNeighbourStore(client, prefix);
    const entries = Array.from({ length: 500 }, (_, k) => ({
      id: k + 1,
      list: list([[k + 2, 0.5, 3]]),
    }));
    await store.putLists('v', 'item', entries, 'create');
    expect((await cluster.mastersHolding(`${prefix}:`)).length).toBe(3);
    const back = await store.getLists(
      'v',
      'item',
      entries.map((e) => e.id),
    );
    expect(back.map((l) => l?.ids[0])).toEqual(entries.map((e) => e.id + 1));
    await store.publish('v', 60);
    await store.publish('w', 60);
    // the old version's hashes, spread over the slots, all got their TTL
    for (const port of cluster.seeds.map((s) => s.port)) {
      const node = client.nodes('master').find((n) => n.options.port === port);
      if (!node) continue;
      const [, keys] = await node.scan('0', 'MATCH', `${prefix}:nbr:v2:v:*`, 'COUNT', 1000);
      for (const key of keys) expect(await node.ttl(key)).toBeGreaterThan(0);
    }
    await deleteKeysWithPrefix(client, `${prefix}:`);
    expect(await cluster.mastersHolding(`${prefix}:`)).toEqual([]);
  });
});
