import { describe, expect, it } from 'vitest';
import { packList, unpackList } from '../../src/store/neighbour-store.ts';
import { list, plain } from './neighbour-store-contract.ts';

describe('packed lists', () => {
  it('given a list, when packed, then it takes 4 + 12n bytes and unpacks to itself', () => {
    const l = list([
      [5, 0.75, 9],
      [6, 0.5, 2],
    ]);
    const bytes = packList(l);
    expect(bytes.length).toBe(4 + 12 * 2);
    expect(plain(unpackList(bytes))).toEqual(plain(l));
  });

  it('given bytes of the wrong length, when unpacking, then it fails naming both lengths', () => {
    const bytes = packList(list([[5, 0.75, 9]])).subarray(0, 10);
    expect(() => unpackList(Buffer.from(bytes))).toThrow(/must be 16 bytes, got 10/);
  });
});
