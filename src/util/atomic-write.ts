import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A temporary sibling path; renaming it over the target is atomic on one filesystem. */
export function temporaryPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Write through a temporary file and rename, so a crash never leaves a half-written output.
 * `write` receives the temporary path and must fully write it. The file is readable by its owner
 * only (0600 on POSIX): outputs derive from the data, which may be patient records.
 */
export async function writeAtomically(
  path: string,
  write: (temporaryPath: string) => Promise<void>,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  try {
    await write(temporary);
    if (process.platform !== 'win32') await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  await writeAtomically(path, (temporary) => writeFile(temporary, data));
}
