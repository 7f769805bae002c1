// `rvx run --ext`: the test programs of tests/programs/mech as ELF files, run with and without their
// extension, and a clear refusal of an unknown extension name.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as runMain, EXIT_USAGE } from '../tools/commands/run.js';
import { assemble, formatDiagnostics } from '../tools/asm/index.js';
import { captureMain } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rvx-mech-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function elf(file: string): string {
  const here = new URL('./programs/', import.meta.url);
  const r = assemble([{ name: file, text: readFileSync(new URL(`mech/${file}`, here), 'utf8') }], {
    files: {
      'rvtest.inc': readFileSync(new URL('include/rvtest.inc', here), 'utf8'),
      'xpc.inc': readFileSync(new URL('xpc/include/xpc.inc', here), 'utf8'),
    },
  });
  if (!r.ok) throw new Error(formatDiagnostics(r));
  const path = join(dir, file.replace(/\.s$/, '.elf'));
  writeFileSync(path, r.elf());
  return path;
}

const run = (...args: string[]) => captureMain(runMain, args);

describe('rvx run --ext', () => {
  it('runs each mechanism program with its extension, and fails it without', async () => {
    for (const [file, ext] of [['gate.s', 'gate'], ['asl.s', 'asl'], ['pkey.s', 'pkey'], ['gate-loop.s', 'xpc,gate,pkey,asl']]) {
      const path = elf(file);
      expect((await run('--ext', ext, path)).code, `${file} --ext ${ext}`).toBe(0);
      expect((await run(`--ext=${ext}`, path)).code).toBe(0);
      expect((await run(path)).code, `${file} with the default (XPC only)`).not.toBe(0);
      expect((await run('--ext', 'none', path)).code).not.toBe(0);
    }
  });

  it('refuses an unknown extension with the known ones', async () => {
    const r = await run('--ext', 'xpc,vmfunc', elf('gate.s'));
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain("unknown extension 'vmfunc'");
    expect(r.stderr).toContain('xpc, gate, pkey, asl');
  });
});
