import { describe, expect, it } from 'vitest';
import { packList, unpackList } from '../../src/store/neighbour-store.ts';
import { list, plain } from './neighbour-store-contract.ts';

describe('packed lists', () => {
  it('given a stamped list, when packed, then it takes 20 + 12n bytes and unpacks to itself with its stamp', () => {
    const l = list(
      [
        [5, 0.75, 9],
        [6, 0.5, 2],
      ],
      { digest: '8000000100ff00fe', position: 1764600000123 },
    );
    const bytes = packList(l);
    expect(bytes.length).toBe(20 + 12 * 2);
    expect(plain(unpackList(bytes))).toEqual(plain(l));
  });

  it('given bytes of the wrong length, when unpacking, then it fails naming both lengths', () => {
    const bytes = packList(list([[5, 0.75, 9]]));
    expect(() => unpackList(Buffer.from(bytes.subarray(0, 30)))).toThrow(
      /must be 32 bytes, got 30/,
    );
    expect(() => unpackList(Buffer.from(bytes.subarray(0, 10)))).toThrow(
      /at least 20 bytes, got 10/,
    );
  });
});
