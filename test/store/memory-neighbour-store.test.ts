import { MemoryNeighbourStore } from '../../src/store/memory-neighbour-store.ts';
import { describeNeighbourStore } from './neighbour-store-contract.ts';

describeNeighbourStore('memory', async () => ({
  store: new MemoryNeighbourStore(),
  cleanup: async () => {},
}));
