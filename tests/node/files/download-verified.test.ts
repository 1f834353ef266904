import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { DownloadError, downloadVerified, hashPrefixOf } from '../../../src/node/files/download-verified.js';

// A local HTTP server serving generated files: each test installs how it answers.
let server: Server;
let base: string;
let handler: (req: IncomingMessage, res: ServerResponse) => void = (_, res) => res.end();
const requests: { url: string; range: string | undefined }[] = [];
let folder: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', range: req.headers.range });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  requests.length = 0;
  if (folder) rmSync(folder, { recursive: true, force: true });
});

function payload(size = 300_000): { bytes: Buffer; name: string } {
  const bytes = randomBytes(size);
  return { bytes, name: `weights-${createHash('sha256').update(bytes).digest('hex').slice(0, 8)}.pth` };
}

/** Serves `bytes` with Content-Length, honouring `Range: bytes=N-` when `ranges` is true. */
function serve(bytes: Buffer, options: { ranges?: boolean; cutAt?: number } = {}) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (range && options.ranges) {
      start = Number(range[1]);
      res.writeHead(206, {
        'content-length': bytes.length - start,
        'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}`,
      });
    } else {
      res.writeHead(200, { 'content-length': bytes.length });
    }
    if (options.cutAt !== undefined) {
      // Send part of the body, then drop the connection.
      res.write(bytes.subarray(start, options.cutAt), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(bytes.subarray(start));
  };
}

function newFolder(): string {
  folder = mkdtempSync(join(tmpdir(), 'download-'));
  return join(folder, 'cache');
}

async function expectFailure(promise: Promise<unknown>, reason: string): Promise<DownloadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DownloadError);
  expect((error as DownloadError).reason).toBe(reason);
  return error as DownloadError;
}

describe('downloadVerified (local HTTP server)', () => {
  test('hashPrefixOf reads the hex digits before the extension, as torch.hub', () => {
    expect(hashPrefixOf('colorization_release_v2-9b330a0b.pth')).toBe('9b330a0b');
    expect(hashPrefixOf('siggraph17-df00044c.pth')).toBe('df00044c');
    expect(hashPrefixOf('model.pth')).toBeUndefined();
  });

  test('downloads and verifies once; a repeated call fetches nothing and returns the same file', async () => {
    const { bytes, name } = payload();
    handler = serve(bytes);
    const cache = newFolder();
    const first = await downloadVerified(`${base}/files/${name}`, cache);
    expect(first.downloaded).toBe(true);
    expect(readFileSync(first.path).equals(bytes)).toBe(true);
    expect(existsSync(`${first.path}.partial`)).toBe(false);
    const second = await downloadVerified(`${base}/files/${name}`, cache);
    expect(second).toEqual({ ...first, downloaded: false });
    expect(requests.length).toBe(1);
  });

  test('a file whose bytes do not hash to the prefix in its name is refused and nothing is left behind', async () => {
    const { bytes } = payload();
    handler = serve(bytes);
    const cache = newFolder();
    const error = await expectFailure(downloadVerified(`${base}/files/weights-00000000.pth`, cache), 'checksum');
    expect(error.message).toMatch(/not 00000000/);
    expect(existsSync(join(cache, 'weights-00000000.pth'))).toBe(false);
    expect(existsSync(join(cache, 'weights-00000000.pth.partial'))).toBe(false);
  });

  test('a cut-off transfer fails as truncated, never under the final name, and the next call resumes with a range request', async () => {
    const { bytes, name } = payload();
    handler = serve(bytes, { cutAt: 100_000 });
    const cache = newFolder();
    await expectFailure(downloadVerified(`${base}/files/${name}`, cache), 'truncated');
    expect(existsSync(join(cache, name))).toBe(false);
    const kept = readFileSync(join(cache, `${name}.partial`));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(bytes.length);
    handler = serve(bytes, { ranges: true });
    const resumed = await downloadVerified(`${base}/files/${name}`, cache);
    expect(requests.at(-1)?.range).toBe(`bytes=${kept.length}-`);
    expect(readFileSync(resumed.path).equals(bytes)).toBe(true);
    expect(existsSync(`${resumed.path}.partial`)).toBe(false);
  });

  test('a server that ignores the range sends the whole file again and the download starts over', async () => {
    const { bytes, name } = payload();
    const cache = newFolder();
    handler = serve(bytes, { cutAt: 50_000 });
    await expectFailure(downloadVerified(`${base}/files/${name}`, cache), 'truncated');
    handler = serve(bytes, { ranges: false });
    const file = await downloadVerified(`${base}/files/${name}`, cache);
    expect(readFileSync(file.path).equals(bytes)).toBe(true);
  });

  test('a corrupt file under the final name is replaced by a verified download', async () => {
    const { bytes, name } = payload();
    handler = serve(bytes);
    const cache = newFolder();
    await downloadVerified(`${base}/files/${name}`, cache);
    writeFileSync(join(cache, name), 'not the weights');
    const again = await downloadVerified(`${base}/files/${name}`, cache);
    expect(again.downloaded).toBe(true);
    expect(readFileSync(again.path).equals(bytes)).toBe(true);
  });

  test('HTTP errors, unreachable servers and names without a hash prefix are DownloadErrors', async () => {
    handler = (_, res) => {
      res.writeHead(404);
      res.end();
    };
    const cache = newFolder();
    const error = await expectFailure(downloadVerified(`${base}/files/missing-1234abcd.pth`, cache), 'http');
    expect(error.message).toMatch(/HTTP 404/);
    await expectFailure(downloadVerified(`${base}/files/model.pth`, cache), 'name');
    await expectFailure(downloadVerified('http://127.0.0.1:1/weights-1234abcd.pth', cache), 'http');
  });
});
