/** Atomic writes: the target holds the old or the new content, never a mix, and no temp file is left behind. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { temporaryPathFor, writeFileAtomic, writeFileAtomicAsync } from '../../src/cli/atomicWrite.ts';

const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-atomic-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  test('replaces the content and leaves no temporary file', async () => {
    const file = join(directory, 'a.json');
    writeFileSync(file, 'old');
    writeFileAtomic(file, 'new content');
    expect(readFileSync(file, 'utf8')).toBe('new content');
    await writeFileAtomicAsync(file, '{"async":true}');
    expect(readFileSync(file, 'utf8')).toBe('{"async":true}');
    expect(readdirSync(directory)).toEqual(['a.json']);
  });
  test('the temporary file lives beside the target (same file system, so rename is atomic)', () => {
    const temporary = temporaryPathFor(join(directory, 'x.yaml'));
    expect(temporary.startsWith(join(directory, '.x.yaml.'))).toBe(true);
    expect(temporary.endsWith('.tmp')).toBe(true);
  });
  test('a failed write leaves the target untouched and no temporary file', async () => {
    const file = join(directory, 'kept.txt');
    writeFileSync(file, 'kept');
    // a directory cannot be replaced by a file: rename fails after the temp file was written
    const blocked = join(directory, 'blocked');
    rmSync(blocked, { recursive: true, force: true });
    require_mkdir(blocked);
    expect(() => writeFileAtomic(blocked, 'x')).toThrow();
    await expect(writeFileAtomicAsync(blocked, 'x')).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe('kept');
    expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(() => writeFileAtomic(join(directory, 'no-such-dir', 'f'), 'x')).toThrow(/ENOENT/);
    expect(existsSync(join(directory, 'no-such-dir'))).toBe(false);
  });
  test('concurrent async writers: the file is always one whole version', async () => {
    const file = join(directory, 'race.json');
    const versions = Array.from({ length: 50 }, (_, i) => JSON.stringify({ version: i, padding: 'x'.repeat(10_000 + i) }));
    await Promise.all(versions.map((text) => writeFileAtomicAsync(file, text)));
    expect(versions).toContain(readFileSync(file, 'utf8'));
    expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

function require_mkdir(path: string) {
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'inside'), 'x');
}
