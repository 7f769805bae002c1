// tools/prefetch.ts: `rvx asm`'s launcher reads large sources on the thread pool; tools/load.ts takes those
// bytes only for the same, unchanged file, and reads the file itself in every other case.

import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readInputFile } from '../tools/load.js';
import { dropPrefetched, PREFETCH_MIN_BYTES, prefetchesPending, prefetchInputs, takePrefetched } from '../tools/prefetch.js';

const dir = mkdtempSync(join(tmpdir(), 'rvx-prefetch-'));
const big = (seed: number): Buffer => {
  const b = Buffer.alloc(PREFETCH_MIN_BYTES + 12345);
  for (let i = 0; i < b.length; i++) b[i] = 32 + ((i * 7 + seed) % 90);
  return b;
};

afterEach(() => dropPrefetched());

describe('reading sources ahead', () => {
  it('hands the bytes of a large source to the reader once, the same as reading it', async () => {
    const path = join(dir, 'a.s');
    const data = big(1);
    writeFileSync(path, data);
    prefetchInputs(['-c', path, '-o', join(dir, 'a.o')]);
    const pending = prefetchesPending();
    expect(pending).not.toBeNull();
    await pending;
    const first = readInputFile(path);
    expect(first.ok && Buffer.from(first.bytes).equals(data)).toBe(true);
    // Taken once: a second read of the file is an ordinary one (and still right).
    expect(takePrefetched(path, statSync(path))).toBeNull();
    const again = readInputFile(path);
    expect(again.ok && Buffer.from(again.bytes).equals(data)).toBe(true);
  });
  it('is ignored for a file changed after the read ahead', async () => {
    const path = join(dir, 'b.s');
    writeFileSync(path, big(2));
    prefetchInputs([path]);
    await prefetchesPending();
    const changed = big(3);
    writeFileSync(path, changed);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const r = readInputFile(path);
    expect(r.ok && Buffer.from(r.bytes).equals(changed)).toBe(true);
  });
  it('reads nothing ahead for small files, non-sources, options or missing files', () => {
    writeFileSync(join(dir, 'small.s'), 'nop\n');
    writeFileSync(join(dir, 'out.elf'), big(4));
    prefetchInputs([join(dir, 'small.s'), join(dir, 'out.elf'), '-', '--map', join(dir, 'missing.s'), dir]);
    expect(prefetchesPending()).toBeNull();
  });
  it('is not taken before the read has finished, and the file is then read as usual', async () => {
    const path = join(dir, 'c.s');
    const data = big(5);
    writeFileSync(path, data);
    prefetchInputs([path]);
    // No await: whatever the pool thread has done, its completion runs on this thread's event loop, which
    // has not turned yet, so the bytes are not handed out (they may be partly read).
    expect(takePrefetched(path, statSync(path))).toBeNull();
    await prefetchesPending();
    const r = readInputFile(path);
    expect(r.ok && Buffer.from(r.bytes).equals(data)).toBe(true);
  });
});

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
