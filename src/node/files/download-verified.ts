/**
 * Downloading a published weights file once, safely: the bytes go to `<name>.partial` and are renamed to
 * `<name>` only after the size the server announced and the SHA-256 prefix in the file name (torch.hub's
 * convention: `colorization_release_v2-9b330a0b.pth` must hash to `9b330a0b…`) both check out. A cut-off
 * transfer leaves the partial file, and the next call resumes it with an HTTP range request (or starts over
 * when the server ignores ranges); a file already in place is verified and not downloaded again.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ColorizationError } from '../../errors.js';
import { fsyncDirectory } from './atomic-write.js';

/**
 * Why a download failed: `'http'` (a status other than 200/206, or no connection), `'truncated'` (fewer
 * bytes than announced; the partial file is kept for resuming), `'checksum'` (the bytes do not hash to
 * the prefix in the name; the partial file is removed), `'name'` (no hash prefix in the file name).
 * @example const retryable = (reason: DownloadFailure) => reason === 'http' || reason === 'truncated';
 */
export type DownloadFailure = 'http' | 'truncated' | 'checksum' | 'name';

/**
 * A download that did not produce a verified file.
 * @example
 * try { await downloadVerified(url, cache); } catch (e) { if (e instanceof DownloadError && e.reason === 'truncated') retry(); }
 */
export class DownloadError extends ColorizationError {
  constructor(
    readonly url: string,
    readonly reason: DownloadFailure,
    detail: string,
  ) {
    super(`${url}: ${detail}`);
  }
}

/** Options of {@link downloadVerified}. @example const options: DownloadOptions = { onProgress: (done, total) => {} }; */
export interface DownloadOptions {
  /** Called as bytes arrive: bytes on disk so far and the announced total (undefined when not announced). */
  onProgress?: (bytes: number, total: number | undefined) => void;
  /** The `fetch` to use; default the global one. */
  fetch?: typeof fetch;
}

/** What {@link downloadVerified} did. @example const { path, downloaded } = await downloadVerified(url, cache); */
export interface DownloadedFile {
  path: string;
  /** Full SHA-256, hex. */
  sha256: string;
  bytes: number;
  /** False when a verified file was already there and nothing was fetched. */
  downloaded: boolean;
}

/**
 * The hash prefix a file name carries, as torch.hub reads it: the hex digits after the last `-` and
 * before the extension.
 * @example hashPrefixOf('colorization_release_v2-9b330a0b.pth'); // '9b330a0b'
 */
export function hashPrefixOf(name: string): string | undefined {
  return /-([0-9a-f]{6,64})\.[^.]+$/.exec(name)?.[1];
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/**
 * Download `url` into `folder` under its own file name, verified (see the file comment).
 *
 * @param url  an http(s) URL whose last path segment carries a hash prefix (`name-<hex>.ext`).
 * @param folder  where the file goes (created).
 * @param options  `onProgress`, `fetch`.
 * @returns the verified file.
 * @throws DownloadError with `reason` `'name'`, `'http'`, `'truncated'` or `'checksum'`.
 * @example
 * const { path } = await downloadVerified('https://colorizers.s3.us-east-2.amazonaws.com/siggraph17-df00044c.pth', cache);
 */
export async function downloadVerified(
  url: string,
  folder: string,
  options: DownloadOptions = {},
): Promise<DownloadedFile> {
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  const prefix = hashPrefixOf(name);
  if (prefix === undefined)
    throw new DownloadError(
      url,
      'name',
      `the file name ${JSON.stringify(name)} carries no SHA-256 prefix (name-<hex>.ext)`,
    );
  await mkdir(folder, { recursive: true });
  const path = join(folder, name);
  const partial = `${path}.partial`;

  const existing = await sizeOf(path);
  if (existing !== undefined) {
    const sha256 = await sha256File(path);
    if (sha256.startsWith(prefix)) return { path, sha256, bytes: existing, downloaded: false };
    // A file under the final name that does not verify was not written by this function: replace it.
    await rm(path, { force: true });
  }

  const fetcher = options.fetch ?? fetch;
  let offset = (await sizeOf(partial)) ?? 0;
  let response: Response;
  try {
    response = await fetcher(url, offset > 0 ? { headers: { range: `bytes=${offset}-` } } : {});
  } catch (e) {
    throw new DownloadError(url, 'http', `could not connect (${(e as Error).message})`);
  }
  let total: number | undefined;
  if (response.status === 206) {
    const range = /^bytes (\d+)-\d+\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
    if (range === null || Number(range[1]) !== offset) {
      await response.body?.cancel();
      throw new DownloadError(
        url,
        'http',
        `a partial response that does not continue at byte ${offset} (Content-Range ${response.headers.get('content-range')})`,
      );
    }
    total = Number(range[2]);
  } else if (response.status === 200) {
    // The server sends the whole file: start the partial file over.
    offset = 0;
    const length = response.headers.get('content-length');
    total = length === null ? undefined : Number(length);
  } else if (response.status === 416 && offset > 0) {
    // Nothing left to send: the partial file is already complete (checked below).
    await response.body?.cancel();
    total = offset;
  } else {
    await response.body?.cancel();
    throw new DownloadError(url, 'http', `HTTP ${response.status} ${response.statusText}`);
  }

  if (response.status !== 416) {
    const file = await open(partial, offset === 0 ? 'w' : 'a');
    let written = offset;
    try {
      if (response.body !== null) {
        const reader = response.body.getReader();
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (e) {
            break; // a dropped connection: the size check below reports it
          }
          if (chunk.done) break;
          await file.write(chunk.value);
          written += chunk.value.length;
          options.onProgress?.(written, total);
        }
      }
      await file.sync();
    } finally {
      await file.close();
    }
    if (total !== undefined && written < total) {
      throw new DownloadError(
        url,
        'truncated',
        `the transfer stopped at ${written} of ${total} bytes; ${partial} is kept and the next call resumes it`,
      );
    }
    if (total !== undefined && written > total) {
      await rm(partial, { force: true });
      throw new DownloadError(
        url,
        'truncated',
        `the server sent ${written} bytes after announcing ${total}; the partial file was removed`,
      );
    }
  }

  const sha256 = await sha256File(partial);
  if (!sha256.startsWith(prefix)) {
    await rm(partial, { force: true });
    throw new DownloadError(
      url,
      'checksum',
      `the file hashes to SHA-256 ${sha256.slice(0, 16)}…, not ${prefix}… as its name says; the download was removed`,
    );
  }
  const bytes = (await sizeOf(partial)) ?? 0;
  await rename(partial, path);
  await fsyncDirectory(folder);
  return { path, sha256, bytes, downloaded: true };
}
