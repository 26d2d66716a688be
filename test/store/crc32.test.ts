import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/store/crc32.ts';

describe('crc32', () => {
  it('given the standard check input "123456789", when checksummed, then gives 0xcbf43926', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('given no bytes, when checksummed, then gives 0', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('given a split input, when continued with the seed, then equals the checksum of the whole', () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.uint8Array(), (a, b) => {
        const whole = Buffer.concat([a, b]);
        expect(crc32(b, crc32(a))).toBe(crc32(whole));
      }),
    );
  });

  // zlib.crc32 exists from Node 20.15; on older releases the check vector above remains.
  it.runIf(typeof zlib.crc32 === 'function')(
    'given random bytes, when checksummed, then agrees with zlib.crc32',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
          expect(crc32(bytes)).toBe(zlib.crc32(bytes));
        }),
      );
    },
  );
});
