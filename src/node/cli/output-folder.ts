/**
 * The output folder of a batch, checked before any picture is read: it exists or can be created, it is a
 * folder, it is writable, and it is not inside a pseudo-filesystem of the kernel (where files are not
 * files, and where Node's recursive `mkdir` can loop forever on `/proc`).
 */
import { constants } from 'node:fs';
import { access, mkdir, realpath, stat, statfs } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { OutputFolderError } from '../../errors.js';

/** Folders whose contents are made up by the kernel, refused by their path before anything touches them. @example const refused = PSEUDO_FILESYSTEM_ROOTS.some((root) => folder === root || folder.startsWith(`${root}/`)); */
export const PSEUDO_FILESYSTEM_ROOTS: readonly string[] = Object.freeze(['/proc', '/sys', '/dev']);

// statfs(2) f_type magic numbers of Linux pseudo-filesystems (linux/magic.h). tmpfs (0x01021994) is not
// among them: /tmp is a real place to write, and /dev is refused by its path instead.
const PSEUDO_FILESYSTEM_TYPES: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0x65735543, 'fusectl'],
  [0x42494e4d, 'binfmt_misc'],
  [0x19800202, 'mqueue'],
  [0xf97cff8c, 'selinuxfs'],
]);

function pseudoRoot(path: string): string | undefined {
  return PSEUDO_FILESYSTEM_ROOTS.find((root) => path === root || path.startsWith(root + sep));
}

function reasonOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left',
    ENOTDIR: 'a part of the path is a file',
    ELOOP: 'too many symbolic links',
  };
  return code === undefined ? (e as Error).message : `${words[code] ?? 'error'} (${code})`;
}

/**
 * Check that `path` can hold results, creating it (and missing parents) when needed. Refused without
 * touching the file system: paths under `/proc`, `/sys` and `/dev`. Refused after looking: a path whose
 * nearest existing folder (symbolic links followed) lies on a pseudo-filesystem (statfs type: proc, sysfs,
 * cgroup, debugfs, …), a path that is a file or has a file as a parent, a folder the process cannot write.
 *
 * @param path  the output folder, relative or absolute.
 * @returns the absolute path of the folder, which exists when the promise resolves.
 * @throws OutputFolderError naming the path and the reason.
 * @example
 * const folder = await prepareOutputFolder('colour/');
 */
export async function prepareOutputFolder(path: string): Promise<string> {
  const absolute = resolve(path);
  const fail = (reason: string): never => {
    throw new OutputFolderError(path, reason);
  };
  const lexical = pseudoRoot(absolute);
  if (lexical !== undefined) fail(`it is inside ${lexical}, a pseudo-filesystem of the kernel`);

  // The nearest part of the path that exists.
  let existing = absolute;
  let info;
  for (;;) {
    try {
      info = await stat(existing);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(existing) === existing)
        return fail(`cannot be reached: ${reasonOf(e)}`);
      existing = dirname(existing);
    }
  }
  const real = await realpath(existing).catch(() => existing);
  const linked = pseudoRoot(real);
  if (linked !== undefined) fail(`it leads into ${linked} (${real}), a pseudo-filesystem of the kernel`);
  try {
    const type = PSEUDO_FILESYSTEM_TYPES.get(Number((await statfs(real)).type));
    if (type !== undefined) fail(`${real} is on a ${type} pseudo-filesystem, not a place for files`);
  } catch (e) {
    if (e instanceof OutputFolderError) throw e;
    // statfs is unavailable on some platforms (Windows): the path checks above still apply.
  }
  const isTarget = existing === absolute;
  if (!info.isDirectory())
    fail(isTarget ? 'it is a file, not a folder' : `it cannot be created: ${existing} is a file, not a folder`);
  try {
    await access(existing, constants.W_OK | constants.X_OK);
  } catch (e) {
    fail(isTarget ? `it is not writable: ${reasonOf(e)}` : `it cannot be created in ${existing}: ${reasonOf(e)}`);
  }
  if (!isTarget) {
    try {
      await mkdir(absolute, { recursive: true });
    } catch (e) {
      fail(`it cannot be created: ${reasonOf(e)}`);
    }
  }
  return absolute;
}
