/**
 * Files are never half-written: the content goes to a temporary file in the SAME directory
 * (so the rename cannot cross file systems), is flushed to disk (`fsync`), then renamed over
 * the target — `rename(2)` is atomic on POSIX, so a reader sees the old file or the new one,
 * never a mix, even if the process dies mid-write. The directory is then fsynced (best effort)
 * so that the rename itself survives a power cut. On any failure the temporary file is removed
 * and the target is left untouched. Every CLI command that writes a file goes through here.
 */

import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** The temporary name used for `file`: `.<name>.<random>.tmp` beside it. */
export function temporaryPathFor(file: string): string {
  const target = resolve(file);
  return join(dirname(target), `.${basename(target)}.${randomBytes(8).toString('hex')}.tmp`);
}

function syncDirectory(directory: string): void {
  try {
    const fd = openSync(directory, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems (and Windows) refuse to fsync a directory; the rename is still atomic.
  }
}

/** Writes `content` to `file` atomically (module comment). Synchronous; throws the file system's error. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const temporary = temporaryPathFor(file);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'wx', 0o644);
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, resolve(file));
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temporary);
    } catch {
      // already gone
    }
    throw error;
  }
  syncDirectory(dirname(resolve(file)));
}

async function syncDirectoryAsync(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // As syncDirectory: best effort where the file system refuses.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * The same, without blocking the event loop (used by the decision service after every group of
 * decisions). Resolves only after the directory is fsynced too: the service answers once this
 * resolves, and a rename still in the page cache could be undone by a power cut, leaving the old
 * state file, which would then cut acknowledged lines off the event log on restart.
 */
export async function writeFileAtomicAsync(file: string, content: string | Uint8Array): Promise<void> {
  const temporary = temporaryPathFor(file);
  let handle;
  try {
    handle = await open(temporary, 'wx', 0o644);
    await handle.writeFile(content);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, resolve(file));
  } catch (error) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectoryAsync(dirname(resolve(file)));
}
