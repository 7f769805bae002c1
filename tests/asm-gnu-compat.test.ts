// `rvx asm -c --compat gnu` against GNU as, byte for byte: C programs of our own (tests/fixtures/gnu-compat)
// compiled by the cross gcc to .s at -O0, -O2, -Os, -O3, -O2 -g, -O2 -fPIC and -Os for rv64imac, then
// assembled by GNU as (relaxing, its default, and -mno-relax) and by rvx (--compat gnu, and with
// --no-relax): every section's bytes and relocations (DWARF sections and R_RISCV_RELAX/ALIGN included; local
// symbols by name and place) and the symbol table (as a set) must be identical. Hand-written forms where GNU and LLVM choose differently
// (forms.s) and 500 `li` constants (li.s) must match too, and in the default (LLVM) mode they must not,
// which shows the test sees the difference. Skips with a message without the GNU tools.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as asmMain } from '../tools/commands/asm.js';
import { readObject } from '../tools/elf/object.js';
import { relocName } from '../tools/ld/relocs.js';
import { captureMain } from './helpers/cli.js';
import { relocTarget } from './helpers/objects.js';

const GCC = process.env.RVX_RISCV_GCC ?? 'riscv64-unknown-elf-gcc';
const PREFIX = GCC.replace(/gcc$/, '');
const have = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const haveGnu = have(GCC) && have(`${PREFIX}as`);
if (!haveGnu) console.warn(`asm-gnu-compat: skipped (no ${GCC} or ${PREFIX}as; set RVX_RISCV_GCC)`);
const FIXTURES = join(__dirname, 'fixtures', 'gnu-compat');

/** Sections with contents: name -> bytes (hex) and sorted relocations (a local symbol by name and place); and
 * '[symbols]': the symbol table as a sorted list. */
function summary(path: string): Map<string, { bytes: string; relocs: string[] }> {
  const o = readObject(new Uint8Array(readFileSync(path)), path);
  const out = new Map<string, { bytes: string; relocs: string[] }>();
  for (const sec of o.sections) {
    // Every section with contents, DWARF's included (.debug_line, .debug_line_str, .debug_frame...), but the
    // symbol and string tables (compared as a set below) and .riscv.attributes.
    if (sec.type !== 1 && sec.type !== 8 && sec.type !== 14 && sec.type !== 15) continue;
    if (sec.size === 0 && !o.relocs.get(sec.index)?.length) continue;
    const relocs = (o.relocs.get(sec.index) ?? [])
      .map((r) => {
        // GNU as names local labels, `.set` symbols and the labels it makes (`.L0 `, `.L1\x021`) in relocations.
        return `${r.offset.toString(16)} ${relocName(r.type)} ${relocTarget(o, r.sym, r.addend)}`;
      })
      .sort();
    out.set(sec.name, { bytes: sec.type === 8 ? `nobits ${sec.size}` : Buffer.from(sec.data).toString('hex'), relocs });
  }
  // The symbol table as a set (neither its order nor repeats of one entry are compared: GNU as makes a `.L0 `
  // label per use, rvx one per place), mapping symbols ($x<isa>, $d) included.
  const symbols = o.symbols
    .slice(1)
    .map((y) => `${JSON.stringify(y.name)} ${y.type} ${y.bind} ${y.visibility ?? 0} ${y.shndx === 0 ? 'UND' : y.shndx >= 0xff00 ? y.shndx : o.sections[y.shndx]?.name} ${y.value} ${y.size}`);
  out.set('[symbols]', { bytes: '', relocs: [...new Set(symbols)].sort() });
  return out;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

const dir = haveGnu ? mkdtempSync(join(tmpdir(), 'rvx-gnu-compat-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** GNU as (through the gcc driver, which passes gcc's -march/-mabi) and rvx on one .s; both summaries. */
async function both(src: string, tag: string, rvxArgs: string[], gnuArgs: string[]) {
  const g = join(dir, `${tag}.gnu.o`);
  const r = join(dir, `${tag}.rvx.o`);
  run(GCC, ['-c', ...gnuArgs, src, '-o', g]);
  const c = await captureMain(asmMain, ['-c', ...rvxArgs, src, '-o', r]);
  expect(c.stderr).toBe('');
  expect(c.code).toBe(0);
  return { gnu: summary(g), rvx: summary(r) };
}

const LEVELS: [string, string[], string[]][] = [
  ['O0', ['-O0'], ['--march', 'rv64gc']],
  ['O2', ['-O2'], ['--march', 'rv64gc']],
  ['Os', ['-Os'], ['--march', 'rv64gc']],
  ['O3', ['-O3'], ['--march', 'rv64gc']],
  ['O2-g', ['-O2', '-g'], ['--march', 'rv64gc']],
  ['O2-fPIC', ['-O2', '-fPIC'], ['--march', 'rv64gc']],
  ['Os-rv64imac', ['-Os', '-march=rv64imac', '-mabi=lp64'], ['--march', 'rv64imac']],
];

describe.skipIf(!haveGnu)('rvx asm -c --compat gnu against GNU as on gcc output', () => {
  for (const prog of ['hash', 'sort', 'misc']) {
    for (const [name, cflags, march] of LEVELS) {
      it(`${prog} ${name}: relaxing (GNU as's default) and -mno-relax`, async () => {
        const s = join(dir, `${prog}-${name}.s`);
        run(GCC, ['-S', ...cflags, join(FIXTURES, `${prog}.c`), '-o', s]);
        const relaxed = await both(s, `${prog}-${name}-relax`, ['--compat', 'gnu', ...march], cflags.filter((f) => f.startsWith('-m')));
        expect(relaxed.rvx).toEqual(relaxed.gnu);
        const plain = await both(s, `${prog}-${name}-norelax`, ['--compat', 'gnu', '-mno-relax', ...march], [...cflags.filter((f) => f.startsWith('-m')), '-Wa,-mno-relax']);
        expect(plain.rvx).toEqual(plain.gnu);
      });
    }
  }
});

describe.skipIf(!haveGnu)('GNU as choices that differ from LLVM', () => {
  for (const file of ['forms.s', 'li.s', 'branches.s', 'branch-frags.s']) {
    it(`${file}: --compat gnu gives GNU's bytes, the default gives LLVM's (different ones)`, async () => {
      const src = join(FIXTURES, file);
      const gnuArgs = ['-march=rv64gc', '-mabi=lp64d'];
      const plain = await both(src, `${file}-norelax`, ['--compat', 'gnu', '--no-relax', '--march', 'rv64gc'], [...gnuArgs, '-Wa,-mno-relax']);
      expect(plain.rvx).toEqual(plain.gnu);
      const relaxed = await both(src, `${file}-relax`, ['--compat', 'gnu', '--march', 'rv64gc'], gnuArgs);
      expect(relaxed.rvx).toEqual(relaxed.gnu);
      const llvm = await both(src, `${file}-llvm`, ['--no-relax', '--march', 'rv64gc'], [...gnuArgs, '-Wa,-mno-relax']);
      expect(llvm.rvx.get('.text')!.bytes).not.toBe(llvm.gnu.get('.text')!.bytes);
    });
  }
});

describe.skipIf(!haveGnu)('local symbols in relocations', () => {
  it('names.s: labels, `.set` symbols, `.` and numeric labels are named as GNU as names them, relaxing or not', async () => {
    const src = join(FIXTURES, 'names.s');
    const gnuArgs = ['-march=rv64gc', '-mabi=lp64d'];
    const relaxed = await both(src, 'names-relax', ['--compat', 'gnu', '--march', 'rv64gc'], gnuArgs);
    expect(relaxed.rvx).toEqual(relaxed.gnu);
    const plain = await both(src, 'names-norelax', ['--compat', 'gnu', '--no-relax', '--march', 'rv64gc'], [...gnuArgs, '-Wa,-mno-relax']);
    expect(plain.rvx).toEqual(plain.gnu);
    // The names themselves: `.set .LA, . + 0` is `.LA` (not `.data`), GNU's own labels `.L0 ` and `.L1\x021`.
    const text = plain.rvx.get('.text')!.relocs.join('\n');
    expect(text).toContain('R_RISCV_HI20 ".LA"@.data+8');
    expect(text).toContain('R_RISCV_HI20 ".L0 "@.text+');
    expect(text).toContain('R_RISCV_HI20 ".L1\\u00021"@.text+');
  });
});

describe.skipIf(!haveGnu)('the FILE symbol', () => {
  it('is written only for a `.file "name"` directive, with the name as written (GNU as; llvm-mc too)', async () => {
    const files = (path: string) => readObject(new Uint8Array(readFileSync(path)), path).symbols.filter((x) => x.type === 4).map((x) => x.name);
    for (const [tag, text] of [['nofile', '.text\nnop\n'], ['file', '.file "dir/y.c"\n.text\nnop\n'], ['cpp', '# 0 "pp.S"\n# 0 "<built-in>"\n.text\nnop\n']]) {
      const src = join(dir, `${tag}.s`);
      writeFileSync(src, text);
      const g = join(dir, `${tag}.gnu.o`);
      const r = join(dir, `${tag}.rvx.o`);
      run(`${PREFIX}as`, [src, '-o', g]);
      const c = await captureMain(asmMain, ['-c', '--compat', 'gnu', src, '-o', r]);
      expect(c.code).toBe(0);
      expect(files(r), tag).toEqual(files(g));
    }
    expect(files(join(dir, 'file.rvx.o'))).toEqual(['dir/y.c']);
  });
});

describe('call with a link register', () => {
  it('`call rd, symbol` is auipc t1 + jalr rd under --compat gnu (GNU as), auipc rd + jalr rd by default (LLVM)', async () => {
    const { assembleObject } = await import('../tools/asm/index.js');
    const words = (compat: 'gnu' | 'llvm') => {
      const r = assembleObject({ name: 'call.s', text: '\t.text\n\tcall\tt0, __riscv_save_12\n\tcall\ta0, f\n' }, { compat });
      expect(r.diagnostics).toEqual([]);
      const o = readObject(r.bytes, 'call.o');
      const data = o.sections.find((s) => s.name === '.text')!.data;
      return Array.from({ length: data.length / 4 }, (_, i) => new DataView(data.buffer, data.byteOffset).getUint32(i * 4, true).toString(16));
    };
    // auipc t1; jalr t0, 0(t1); auipc t1; jalr a0, 0(t1)
    expect(words('gnu')).toEqual(['317', '302e7', '317', '30567']);
    // auipc t0; jalr t0, 0(t0); auipc a0; jalr a0, 0(a0)
    expect(words('llvm')).toEqual(['297', '282e7', '517', '50567']);
  });
});

describe('GNU as fragments in branch sizing', () => {
  // gas starts a fragment after an instruction with a HI20/PCREL_HI20/TPREL relocation (`lla`) and after a
  // `call`'s jalr; its first estimate of a branch measures a label in a later fragment from that fragment's
  // start (address 0 before the first round), which settles `bnez a5, .L74` at 0xda, exactly 256 bytes
  // before its target, as 4 bytes (also consistent: 2 bytes, 254 before). Found in Mbed TLS's ssl_tls.c
  // (gcc -Os, rv64imac); the fixture keeps its branches, calls and label layout. GNU as 2.40: 474 bytes.
  it('a branch whose two sizes are both consistent takes GNU as\'s, with and without relaxation', async () => {
    const { assembleObject } = await import('../tools/asm/index.js');
    const text = readFileSync(join(FIXTURES, 'branch-frags.s'), 'utf8');
    for (const relax of [true, false]) {
      const r = assembleObject({ name: 'branch-frags.s', text }, { compat: 'gnu', relax });
      expect(r.diagnostics).toEqual([]);
      const o = readObject(r.bytes, 'branch-frags.o');
      const data = o.sections.find((s) => s.name === '.text')!.data;
      expect(data.length).toBe(474);
      const word = (at: number) => new DataView(data.buffer, data.byteOffset).getUint32(at, true);
      expect(word(0xda).toString(16)).toBe('10079063'); // bnez a5, .L74 (+256), 4 bytes
      expect(word(0).toString(16)).toBe('1c050d63'); // beqz a0, .L89 (+474)
    }
  });
});

describe('undefined .L symbols in an object', () => {
  // GNU as writes a `.L` name that is used but never defined as an undefined global (readelf: GLOBAL UND),
  // so a linker reports it; relocating against symbol 0 instead would silently link address 0.
  it('are undefined globals that the relocations name', async () => {
    const { assembleObject } = await import('../tools/asm/index.js');
    for (const compat of ['llvm', 'gnu'] as const) {
      const r = assembleObject({ name: 'u.s', text: 'f:\n\tlla a1, .Lnowhere\n\tcall .Lnofunc\n\tbnez a0, .Lnolabel\n\t.data\n\t.dword .Lnodata\n' }, { compat });
      expect(r.diagnostics).toEqual([]);
      const o = readObject(r.bytes, 'u.o');
      const names = ['.Lnowhere', '.Lnofunc', '.Lnolabel', '.Lnodata'];
      for (const n of names) expect(o.symbols.find((s) => s.name === n), n).toMatchObject({ bind: 1, shndx: 0 });
      const named = [...o.relocs.values()].flat().filter((x) => x.type !== 51).map((x) => o.symbols[x.sym].name);
      for (const n of names) expect(named, compat).toContain(n);
    }
  });
});

describe('large relaxable objects', () => {
  it('an object with 300,000 relocations is written (no argument-spreading of the list)', async () => {
    const { assembleObject } = await import('../tools/asm/index.js');
    const text = '\t.text\n' + '\tcall\text\n\tlui\ta0, %hi(v)\n'.repeat(75_000);
    const r = assembleObject({ name: 'big.s', text }, { compat: 'gnu' });
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
    const o = readObject(r.bytes, 'big.o');
    const text0 = o.sections.find((s) => s.name === '.text')!;
    expect(o.relocs.get(text0.index)!.length).toBe(300_000);
  });
});
