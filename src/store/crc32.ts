/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the checksum of zlib, gzip and
 * PNG. It is implemented here rather than taken from `node:zlib` because `zlib.crc32`
 * only exists from Node 20.15 / 22.2 and the service supports Node 20.12. A table-driven
 * byte-at-a-time loop is ample for ~100-byte journal lines.
 */

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32 of `bytes` as an unsigned 32-bit integer. Pass the previous result as
 * `seed` to continue a checksum over several pieces: `crc32(b, crc32(a))` equals
 * `crc32(a ++ b)`. `crc32(bytes('123456789')) === 0xcbf43926`.
 */
export function crc32(bytes: Uint8Array, seed = 0): number {
  let c = ~seed;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
