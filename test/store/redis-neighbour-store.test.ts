import { RedisNeighbourStore } from '../../src/store/redis-neighbour-store.ts';
import { testRedis } from '../support/redis.ts';
import { describeNeighbourStore } from './neighbour-store-contract.ts';

describeNeighbourStore('redis', async () => {
  const r = await testRedis();
  return { store: new RedisNeighbourStore(r.redis, r.prefix), cleanup: r.cleanup };
});
