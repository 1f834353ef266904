// CIFAR-10 records generated in the official binary layout (the real data set is not reachable here).
/**
 * Records in the official layout, written out by hand: label byte, then the red plane, the green plane and
 * the blue plane, each 32 × 32 row-major. Pixel (x, y) of record r: R = (x + r) % 256, G = (y · 3) % 256,
 * B = (x · y + 7 r) % 256.
 */
export function makeCifarRecords(labels: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(labels.length * 3073);
  labels.forEach((label, r) => {
    const base = r * 3073;
    bytes[base] = label;
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        bytes[base + 1 + y * 32 + x] = (x + r) % 256;
        bytes[base + 1 + 1024 + y * 32 + x] = (y * 3) % 256;
        bytes[base + 1 + 2048 + y * 32 + x] = (x * y + 7 * r) % 256;
      }
    }
  });
  return bytes;
}
