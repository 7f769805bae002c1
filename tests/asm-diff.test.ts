// Differential suite against the GNU toolchain: C programs of our own (tests/fixtures/diff) covering weak
// and strong definitions across files, constructors, jump tables, shared string literals, 128-bit and
// soft-float arithmetic from libgcc, TLS, PIC and -g, compiled by the cross gcc to .s and .o at several
// optimisation levels, then linked three ways and run under rvx:
//   gnu:    GNU ld       (crt.o + gcc's .o + libgcc.a)
//   rvx-ld: rvx ld       (crt.s + gcc's .o + libgcc.a)       -- rvx as the linker
//   rvx-as: rvx ld       (crt.s + gcc's .s + libgcc.a)       -- rvx as assembler and linker
//   rvx-c:  GNU ld       (crt.o + `rvx asm -c` of gcc's .s + libgcc.a) -- rvx as a drop-in for GNU as
// and, file by file, `rvx asm -c` against `as -mno-relax` (rvx emits no R_RISCV_RELAX, so the comparable
// GNU object is the one without linker relaxation): every allocated section's bytes and relocations
// (symbols normalised: a local one as section + offset) must be identical.
// All three must print the same and exit the same way. Skips (with a message) without the cross gcc.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as ldMain } from '../tools/commands/ld.js';
import { main as asmMain } from '../tools/commands/asm.js';
import { main as runMain } from '../tools/commands/run.js';
import { captureMain } from './helpers/cli.js';
import { readFileSync } from 'node:fs';
import { readObject } from '../tools/elf/object.js';
import { relocName } from '../tools/ld/relocs.js';

/** Allocated sections of an object: name -> bytes (hex) and relocations, local symbols as section+offset. */
function objectSummary(path: string, withRelax = false): Map<string, { bytes: string; relocs: string[] }> {
  const o = readObject(new Uint8Array(readFileSync(path)), path);
  const out = new Map<string, { bytes: string; relocs: string[] }>();
  for (const sec of o.sections) {
    if (!(sec.flags & 2) || (sec.type !== 1 && sec.type !== 8 && sec.type !== 14 && sec.type !== 15)) continue;
    if (sec.size === 0 && !o.relocs.get(sec.index)?.length) continue;
    const relocs = (o.relocs.get(sec.index) ?? [])
      .filter((r) => withRelax || (r.type !== 51 && r.type !== 43))
      .map((r) => {
        const sym = o.symbols[r.sym];
        const where = sym.bind === 0 ? `${o.sections[sym.shndx]?.name ?? sym.shndx}+${sym.value + r.addend}` : `${sym.name}+${r.addend}`;
        return `${r.offset} ${relocName(r.type)} ${where}`;
      })
      .sort();
    out.set(sec.name, { bytes: sec.type === 8 ? `nobits ${sec.size}` : Buffer.from(sec.data).toString('hex'), relocs });
  }
  return out;
}

const GCC = process.env.RVX_RISCV_GCC ?? 'riscv64-unknown-elf-gcc';
const PREFIX = GCC.replace(/gcc$/, '');
const have = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const haveGcc = have(GCC) && have(`${PREFIX}ld`) && have(`${PREFIX}as`);
if (!haveGcc) console.warn(`asm-diff: skipped (no ${GCC}/${PREFIX}ld/${PREFIX}as; set RVX_RISCV_GCC)`);

const DWARFDUMP = process.env.RVX_LLVM_DWARFDUMP ?? 'llvm-dwarfdump';
const haveDwarfdump = have(DWARFDUMP);
if (haveGcc && !haveDwarfdump) console.warn(`asm-diff: DWARF checks skipped (no ${DWARFDUMP}; set RVX_LLVM_DWARFDUMP)`);
const FIXTURES = join(__dirname, 'fixtures', 'diff');

/** llvm-dwarfdump's output, or throws when it fails or takes too long. */
function dwarfdump(args: string[]): string {
  const r = spawnSync(DWARFDUMP, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 && !r.stdout) throw new Error(`${DWARFDUMP} ${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}

/** The rows of every line table (addresses, lines, columns, files, flags), without the header. */
function lineRows(path: string): string {
  return dwarfdump(['--debug-line', path])
    .split('\n')
    .filter((l) => /^0x[0-9a-f]{16} /.test(l))
    .join('\n');
}
const ARCH = ['-march=rv64imac', '-mabi=lp64', '-mcmodel=medany', '-fno-tree-loop-distribute-patterns'];

interface Program {
  name: string;
  /** C files, and .s files (GNU as for the GNU and rvx-ld links; rvx reads them directly). */
  files: string[];
  flags?: string[];
  /** Extra inputs for GNU ld only (an implicit linker script defining what rvx ld provides). */
  gnuExtra?: string[];
  /** Lines the output must contain (so that three equally wrong links cannot pass). */
  expect: string[];
}

const PROGRAMS: Program[] = [
  { name: 'weak', files: ['weak_a.c', 'weak_b.c'], expect: ['call_hook=307', 'only_weak=17', 'never_defined=0', 'strong main'] },
  { name: 'ctor', files: ['ctor.c'], expect: ['ctor=1\nctor=2\nctor=3\n'] },
  { name: 'jump', files: ['jump.c', 'jump2.c'], expect: ['three=43', 'one=99', 'op=35', 'shared literal'] },
  { name: 'tls', files: ['tls.c', 'tlsinfo.s'], gnuExtra: ['tls.ld'], expect: ['counter=5\ncounter=15\nzeroed=-10\nbig3=12\nok\n'] },
  { name: 'pic', files: ['pic.c', 'tlsinfo.s'], flags: ['-fPIC'], gnuExtra: ['tls.ld'], expect: ['pic hello\nshared=42\ngd=42\nie=42\n'] },
  { name: 'math', files: ['math.c'], expect: ['i128lo=5581121168354988243', 'poly=28250', 'halve=45', 'udiv=10309319', 'fact=1307674368000'] },
];
const LEVELS = [['-O0'], ['-O2'], ['-Os'], ['-O2', '-g']];

let dir = '';
let libgcc = '';

function sh(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

beforeAll(() => {
  if (!haveGcc) return;
  dir = mkdtempSync(join(tmpdir(), 'rvx-diff-'));
  for (const f of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, f), join(dir, f));
  libgcc = spawnSync(GCC, [...ARCH, '-print-libgcc-file-name'], { encoding: 'utf8' }).stdout.trim();
  sh(`${PREFIX}as`, ['-march=rv64imac', 'crt.s', '-o', 'crt.o'], dir);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function run(elf: string): Promise<string> {
  const r = await captureMain(runMain, [elf, '--core', 'ideal', '--max-insns', '20000000']);
  return `exit ${r.code}\n${r.stdout}`;
}

describe.skipIf(!haveGcc)('gcc output linked by GNU ld, by rvx ld, and assembled and linked by rvx', () => {
  for (const p of PROGRAMS) {
    for (const level of LEVELS) {
      const tag = `${p.name}${level.join('')}`;
      it(`${p.name} ${level.join(' ')}`, async () => {
        const objs: string[] = [];
        const srcs: string[] = [];
        for (const c of [...p.files, 'util.c']) {
          const base = `${tag}-${c.replace(/\.[cs]$/, '')}`;
          if (c.endsWith('.s')) {
            sh(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', c, '-o', `${base}.o`], dir);
            objs.push(join(dir, `${base}.o`));
            srcs.push(join(dir, c));
            continue;
          }
          sh(GCC, [...ARCH, ...level, ...(p.flags ?? []), '-S', c, '-o', `${base}.s`], dir);
          sh(GCC, [...ARCH, ...level, ...(p.flags ?? []), '-c', c, '-o', `${base}.o`], dir);
          objs.push(join(dir, `${base}.o`));
          srcs.push(join(dir, `${base}.s`));
        }
        const gnu = join(dir, `${tag}.gnu.elf`);
        sh(`${PREFIX}ld`, ['-Ttext-segment=0x80000000', '--no-warn-rwx-segments', 'crt.o', ...objs, libgcc, ...(p.gnuExtra ?? []), '-o', gnu], dir);
        const viaLd = join(dir, `${tag}.rvxld.elf`);
        const viaAs = join(dir, `${tag}.rvxas.elf`);
        const extra = (p.gnuExtra ?? []).map((f) => join(dir, f));
        const l1 = await captureMain(ldMain, [join(dir, 'crt.s'), ...objs, libgcc, ...extra, '-o', viaLd]);
        expect(l1.stderr).toBe('');
        const l2 = await captureMain(ldMain, [join(dir, 'crt.s'), ...srcs, libgcc, ...extra, '-o', viaAs]);
        expect(l2.stderr).toBe('');
        // rvx asm -c on every .s, then GNU ld.
        const rvxObjs: string[] = [];
        for (const src of srcs) {
          const o = src.replace(/\.s$/, '.rvx.o');
          const c = await captureMain(asmMain, ['-c', '--no-relax', src, '-o', o]);
          expect(c.stderr).toBe('');
          rvxObjs.push(o);
          if (src.startsWith(join(dir, tag))) {
            const g = src.replace(/\.s$/, '.norelax.o');
            sh(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', '-mno-relax', src, '-o', g], dir);
            const want = objectSummary(g);
            const got = objectSummary(o);
            expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
            for (const [name, w] of want) expect({ section: name, ...got.get(name) }).toEqual({ section: name, ...w });
            if (level.includes('-g') && haveDwarfdump) {
              // (c) DWARF: the line table from .file/.loc has GNU's rows, and verifies. (The whole-file
              // --verify of LLVM 14 does not finish on gcc 12's .debug_info, GNU's objects included.)
              const rows = lineRows(o);
              expect(rows.length).toBeGreaterThan(0);
              expect(rows).toBe(lineRows(g));
              expect(dwarfdump(['--verify', '--debug-line', o])).toContain('No errors.');
              // CFI: the interpreted call-frame table (readelf's frames-interp; FDE headers hold offsets and
              // lengths, which differ: rvx advances with DW_CFA_advance_loc4) equals GNU's.
              const frames = (f: string) =>
                spawnSync(`${PREFIX}readelf`, ['--debug-dump=frames-interp', f], { encoding: 'utf8' }).stdout.split('\n').filter((l) => !/FDE|^Contents/.test(l)).join('\n');
              expect(frames(o)).toContain('CFA');
              expect(frames(o)).toBe(frames(g));
              expect(dwarfdump(['--verify', '--debug-frame', o])).toContain('No errors.');
            }
          }
        }
        // rvx asm -c --relax against GNU as's default (relaxable) objects, gcc's own .o files: identical
        // sections and relocations, R_RISCV_RELAX and R_RISCV_ALIGN included; linked by GNU ld (which then
        // relaxes both the same way) the images must be byte-identical.
        const relaxObjs: string[] = [];
        for (let k = 0; k < srcs.length; k++) {
          const src = srcs[k];
          const o = src.replace(/\.s$/, '.rvxr.o');
          const c = await captureMain(asmMain, ['-c', '--relax', src, '-o', o]);
          expect(c.stderr).toBe('');
          relaxObjs.push(o);
          if (!src.startsWith(join(dir, tag))) continue;
          const want = objectSummary(objs[k], true);
          const got = objectSummary(o, true);
          expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
          for (const [name, w] of want) expect({ section: name, ...got.get(name) }).toEqual({ section: name, ...w });
        }
        const viaRelax = join(dir, `${tag}.rvxr.elf`);
        sh(`${PREFIX}ld`, ['-Ttext-segment=0x80000000', '--no-warn-rwx-segments', 'crt.o', ...relaxObjs, libgcc, ...(p.gnuExtra ?? []), '-o', viaRelax], dir);
        {
          const { readElf } = await import('../tools/elf/read.js');
          const a = readElf(new Uint8Array(readFileSync(gnu)));
          const b = readElf(new Uint8Array(readFileSync(viaRelax)));
          const alloc = (img: typeof a) => img.sections.filter((x) => x.flags & 2).map((x) => `${x.name} ${x.addr.toString(16)} ${Buffer.from(x.data).toString('hex')}`);
          expect(alloc(b)).toEqual(alloc(a));
        }
        const viaC = join(dir, `${tag}.rvxc.elf`);
        sh(`${PREFIX}ld`, ['-Ttext-segment=0x80000000', '--no-warn-rwx-segments', 'crt.o', ...rvxObjs, libgcc, ...(p.gnuExtra ?? []), '-o', viaC], dir);
        const want = await run(gnu);
        expect(want.startsWith('exit 0\n')).toBe(true);
        for (const line of p.expect) expect(want).toContain(line);
        expect(await run(viaLd)).toBe(want);
        expect(await run(viaAs)).toBe(want);
        expect(await run(viaC)).toBe(want);
        if (level.includes('-g') && haveDwarfdump) {
          // The linked images' line tables (gcc's .loc through rvx; libgcc's through rvx ld's relocations).
          for (const elf of [viaAs, viaLd]) expect(dwarfdump(['--verify', '--debug-line', elf])).toContain('No errors.');
        }
      });
    }
  }
});

describe.skipIf(!haveGcc)('relocations in GNU as objects', () => {
  it('rvx ld applies them to the same bytes rvx asm produces from the source', async () => {
    sh(`${PREFIX}as`, ['-march=rv64imac', 'relocs.s', '-o', 'relocs.o'], dir);
    sh(`${PREFIX}as`, ['-march=rv64imac', 'relocs_ext.s', '-o', 'relocs_ext.o'], dir);
    const fromObj = await captureMain(ldMain, ['--no-relax', '--base', '0x10000', join(dir, 'relocs.o'), join(dir, 'relocs_ext.o'), '-o', join(dir, 'relocs-o.elf')]);
    expect(fromObj.stderr).toBe('');
    const { assemble } = await import('../tools/asm/index.js');
    const { readFileSync } = await import('node:fs');
    const { readElf } = await import('../tools/elf/read.js');
    const src = assemble(['relocs.s', 'relocs_ext.s'].map((n) => ({ name: n, text: readFileSync(join(dir, n), 'utf8') })), { base: 0x10000 });
    expect(src.ok).toBe(true);
    const img = readElf(new Uint8Array(readFileSync(join(dir, 'relocs-o.elf'))));
    for (const name of ['.text', '.data']) {
      const a = img.sections.find((s) => s.name === name)!;
      const b = src.image.sections.find((s) => s.name === name)!;
      expect([a.addr, Buffer.from(a.data).toString('hex')]).toEqual([b.addr, Buffer.from(b.data).toString('hex')]);
    }
  });
});
