/**
 * CRC-32 checksums of checkpoint parts, so a load can tell a complete part from a truncated or damaged one.
 * Pure JS, no Node built-ins: the same code runs in the browser and in Node stores.
 */

const CRC_TABLE: Uint32Array = (() => {
  // Reflected polynomial 0xEDB88320 (ISO 3309 / ITU-T V.42, the CRC of zip, PNG and gzip),
  // so values agree with `zlib.crc32` and any other standard CRC-32 tool.
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 (ISO 3309 polynomial, as zip/PNG/gzip) of a byte array.
 *
 * @param bytes  the data; any length.
 * @returns the checksum as an unsigned 32-bit integer.
 * @example
 * checksumCrc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 */
export function checksumCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
