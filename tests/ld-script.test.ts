// rvx ld -T: GNU ld linker scripts.
//
// 1. Errors in a script are reported as `script.ld:line:col: error: message` and never crash: a table of
//    mistakes, and every prefix of the fixture scripts (parsing and linking an rvx source).
// 2. Values worked out by hand from the ld manual's rules ("The Section of an Expression", "Output Section
//    LMA"), on an rvx source (no external tools).
// 3. Against GNU ld 2.40 (skipped, with a message, without riscv64-unknown-elf-gcc/ld/as): the same objects
//    and script linked by both give the same allocated sections (address, flags, load address, bytes), the
//    same symbols (value, binding, section) and the same output under `rvx run`: a ROM/RAM board script with
//    MEMORY and AT>, a script of many features (tests/fixtures/ld-script), the section rules of expressions,
//    picolibc's own picolibc.ld on a picolibc program (the link command gcc gives collect2, replayed), and
//    the differential programs of ld-diff linked with tests/fixtures/ld/rvx-layout.ld by both.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble } from '../tools/asm/index.js';
import { parseScript, ScriptError } from '../tools/ld/script/parse.js';
import { main as ldMain } from '../tools/commands/ld.js';
import { main as runMain } from '../tools/commands/run.js';
import { readElf } from '../tools/elf/read.js';
import { captureMain } from './helpers/cli.js';

const FIX = join(__dirname, 'fixtures', 'ld-script');
const GCC = process.env.RVX_RISCV_GCC ?? 'riscv64-unknown-elf-gcc';
const PREFIX = GCC.replace(/gcc$/, '');
const have = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const haveGcc = have(GCC) && have(`${PREFIX}ld`) && have(`${PREFIX}as`);
if (!haveGcc) console.warn(`ld-script: GNU comparisons skipped (no ${GCC}/${PREFIX}ld/${PREFIX}as; set RVX_RISCV_GCC)`);
const ARCH = ['-march=rv64imac', '-mabi=lp64', '-mcmodel=medany', '-fno-tree-loop-distribute-patterns'];

const SOURCE = '\t.section .text.init, "ax"\n\t.globl _start\n_start:\tnop\n\t.data\n\t.word 1\n\t.bss\n\t.zero 8\n';

function link(script: string, source = SOURCE) {
  return assemble([{ name: 'prog.s', text: source }], { march: 'rv64ima', listing: false, linkerScript: { name: 'link.ld', text: script } });
}

describe('linker script errors', () => {
  const cases: [string, RegExp][] = [
    ['SECTIONS {\n  .text : { *(.text) }\n', /^link\.ld:3:1: error: SECTIONS is not closed/],
    ['SECTIONS {\n  .text : { *(.text) } > NOPE\n}\n', /^link\.ld:2:3: error: memory region 'NOPE' not declared/],
    ['x = 1 +;\n', /^link\.ld:1:8: error: expected an expression, found ';'/],
    ['SECTIONS {\n  .text : { *(.text .text.*) }\n  x = missing + 1;\n}\n', /^link\.ld:3:7: error: undefined symbol 'missing' referenced in expression/],
    ['SECTIONS { .text : { *(.text*) } }\nASSERT(SIZEOF(.text) > 100, "text too small")\n', /^link\.ld:2:1: error: text too small/],
    ['y = 1 / 0;\n', /^link\.ld:1:7: error: division by zero/],
    ['MEMORY { R (rx) : ORIGIN = 0x80000000, LENGTH = 2 }\nSECTIONS { .text : { *(.text*) } > R }\n', /^link\.ld:2:12: error: section '\.text' will not fit in region 'R': region 'R' overflowed by 2 bytes/],
    ['FOO(bar)\n', /^link\.ld:1:1: error: unknown command 'FOO'/],
    ['SECTIONS {\n  .text : { *(.text*) . = 0; }\n}\n', /^link\.ld:2:23: error: cannot move location counter backwards/],
    ['/* never closed\nSECTIONS {}\n', /^link\.ld:1:1: error: unterminated comment/],
    ['ENTRY(\n', /^link\.ld:2:1: error: ENTRY needs a symbol name, found the end of the script/],
    ['SECTIONS { .text : { *(.text) } }\nz = ADDR(.nosuch);\n', /^link\.ld:2:5: error: ADDR: undefined section '\.nosuch' referenced in expression/],
    ['MEMORY { R (rq) : ORIGIN = 0, LENGTH = 1 }\n', /^link\.ld:1:13: error: unknown memory attribute 'q'/],
    ['SECTIONS { .text : { *(.text) } }\nw = FROB(1);\n', /^link\.ld:2:5: error: unknown function FROB\(\)/],
    ['INCLUDE other.ld\n', /^link\.ld:1:1: error: INCLUDE is not supported/],
    ['SECTIONS { .text : { *(.text) } x = 0x12q; }\n', /^link\.ld:1:37: error: invalid number '0x12q'/],
  ];
  for (const [text, want] of cases) {
    it(want.source.replace(/^\^link\\.ld:/, '').slice(0, 60), async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rvx-lds-'));
      try {
        writeFileSync(join(dir, 'link.ld'), text);
        writeFileSync(join(dir, 'prog.s'), SOURCE);
        const prev = process.cwd();
        process.chdir(dir);
        try {
          const r = await captureMain(ldMain, ['--march', 'rv64ima', '-T', 'link.ld', 'prog.s', '-o', 'out.elf']);
          expect(r.stderr).toMatch(want);
          expect(r.code).toBe(126);
        } finally {
          process.chdir(prev);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('every prefix of the fixture scripts is read or refused with a position, never a crash', () => {
    for (const f of ['romram.ld', 'features.ld', 'sections.ld', 'orphans.ld']) {
      const text = readFileSync(join(FIX, f), 'utf8');
      for (let n = 0; n <= text.length; n++) {
        const part = text.slice(0, n);
        try {
          parseScript(part, f);
        } catch (e) {
          expect(e).toBeInstanceOf(ScriptError);
          const se = e as ScriptError;
          expect(se.line).toBeGreaterThan(0);
          expect(se.col).toBeGreaterThan(0);
        }
        // Linking with a part of the script: diagnostics at most.
        if (n % 97 === 0) expect(() => link(part)).not.toThrow();
      }
    }
  });
});

describe('linker script values (ld manual rules)', () => {
  it('numbers, addresses and section-relative values inside and outside output sections', () => {
    const r = link(readFileSync(join(FIX, 'sections.ld'), 'utf8'));
    expect(r.diagnostics).toEqual([]);
    const sym = (n: string) => r.image.symbols.find((s) => s.name === n)!;
    const v = (n: string) => `0x${sym(n).value.toString(16)} ${sym(n).section ?? 'ABS'}`;
    // .text [0x80000000, +4), .data at 0x80100000 (RAM), .bss after it.
    expect(v('a2')).toBe('0x1234 ABS'); // a number outside: absolute
    expect(v('a3')).toBe('0x10000 ABS'); // LENGTH is a number
    expect(v('a0')).toBe('0x0 .text'); // `.` before any section: relative to the current (first) one
    expect(v('i0')).toBe('0x80000010 .text'); // a number inside: an offset in the section
    expect(v('i3')).toBe('0x80000042 .text'); // an absolute symbol inside: a number, so an offset too
    expect(v('i4')).toBe('0x80000004 ABS'); // ABSOLUTE(.)
    expect(v('i6')).toBe('0x80000010 .text'); // MAX(., 0x10) compares the offset 4 with 0x10
    expect(v('i8')).toBe('0x80000004 .text'); // SIZEOF inside: a number, so an offset
    expect(v('b2')).toBe('0x80000014 .text');
    expect(v('b3')).toBe('0x80000004 ABS'); // ADDR + a number outside: absolute
    expect(v('b4')).toBe('0x80110000 .text'); // ORIGIN outside: relative to the current section
    expect(v('b5')).toBe('0x4 ABS');
    expect(v('b7')).toBe('0x80000000 ABS');
    expect(v('b8')).toBe('0x80000100 .text');
    expect(v('d0')).toBe('0x80100010 .data');
    expect(v('d1')).toBe('0x80100020 .data'); // `. = 0x20` inside .data is .data + 0x20
    expect(v('e_in')).toBe('0x80100020 .data'); // an empty section's symbol moves to a neighbour
    expect(v('e1')).toBe('0x80000004 .bss');
    expect(v('e2')).toBe('0x7 ABS');
    expect(r.sections.find((s) => s.name === '.data')!.size).toBe(0x20);
  });

  it('AT> puts the load address in the ROM region and the next section keeps the difference', () => {
    const script = `MEMORY { ROM (rx) : ORIGIN = 0x80000000, LENGTH = 1M\n RAM (rw) : ORIGIN = 0x80200000, LENGTH = 1M }
SECTIONS {
  .text : { *(.text*) } > ROM
  .data : { *(.data*) } > RAM AT> ROM
  .sdata : { LONG(0x12345678) } > RAM
  data_lma = LOADADDR(.data); sdata_lma = LOADADDR(.sdata);
  .bss : { *(.bss*) } > RAM
}`;
    const r = link(script);
    expect(r.diagnostics).toEqual([]);
    const s = (n: string) => r.image.symbols.find((x) => x.name === n)!.value;
    expect(s('data_lma')).toBe(0x80000004n);
    expect(s('sdata_lma')).toBe(0x80000008n);
    // One segment: .data and .sdata run at 0x80200000 and load at 0x80000004 (their distance kept).
    const seg = r.image.segments.find((g) => g.vaddr === 0x80200000n)!;
    expect(seg.paddr).toBe(0x80000004n);
    expect(Array.from(seg.data.subarray(4, 8))).toEqual([0x78, 0x56, 0x34, 0x12]);
  });

  it('PROVIDE defines only what is referenced; --defsym comes before the script', () => {
    const src = `${SOURCE}\t.text\n\tla a0, used\n`;
    const script = 'PROVIDE(used = 0x100); PROVIDE(unused = 0x200); PROVIDE(chain = other); PROVIDE(other = 5);\nSECTIONS { .text : { *(.text*) } }';
    const r = link(script, src);
    expect(r.diagnostics).toEqual([]);
    const names = r.image.symbols.map((s) => s.name);
    expect(names).toContain('used');
    expect(names).not.toContain('unused');
    expect(names).not.toContain('chain');
    const d = assemble([{ name: 'prog.s', text: SOURCE }], { march: 'rv64ima', listing: false, defsym: [{ name: 'BASE', expr: '0x80400000' }], linkerScript: { name: 'l.ld', text: 'SECTIONS { . = DEFINED(BASE) ? BASE : 0x1000; .text : { *(.text*) } }' } });
    expect(d.diagnostics).toEqual([]);
    expect(d.sections.find((s) => s.name === '.text')!.addr).toBe(0x80400000n);
  });

  it('an empty output section stays when an assignment to `.` in it could move it (ld\'s SEC_KEEP), not for `. + 0` or ALIGN(. != 0 ? x : 1)', () => {
    // xv6's user.ld: `.data : { . = ALIGN(16); *(.sdata .sdata.*) ... }` with empty .data inputs; GNU ld 2.40
    // (ldexp.c, exp_fold_tree_1) keeps such a section, so its section header and symbols are there.
    const src = '\t.section .text.init, "ax"\n\t.globl _start\n_start:\tnop\n\tnop\n\tnop\n\tnop\n\t.data\n\t.bss\n\t.zero 8\n';
    const script = `SECTIONS {
  .text : { *(.text.init) *(.text .text.*) }
  .data : { . = ALIGN(16); *(.data) }
  .sdata : { . = ALIGN(. != 0 ? 8 : 1); *(.sdata) }
  .srodata : { . = . + 0; *(.srodata) }
  .tdata : { s_in = .; *(.tdata) }
  .bss : { *(.bss) }
}`;
    const r = link(script, src);
    expect(r.diagnostics).toEqual([]);
    const out = r.image.sections.filter((s) => s.flags & 2).map((s) => `${s.name} 0x${s.addr.toString(16)} ${s.size}`);
    expect(out).toEqual(['.text 0x0 16', '.data 0x10 0', '.bss 0x10 8']);
  });
});

describe('fill patterns and overlapping sections (ld manual rules)', () => {
  const fillSource = readFileSync(join(FIX, 'fill.s'), 'utf8');
  it('= fill and FILL(e) fill the gaps: a 0x literal as written, other values as 4 big-endian bytes, each gap afresh', () => {
    const r = link(readFileSync(join(FIX, 'fill.ld'), 'utf8'), fillSource);
    expect(r.diagnostics).toEqual([]);
    const hex = (n: string) => Buffer.from(r.image.sections.find((s) => s.name === n)!.data).toString('hex');
    // .text: `. = . + 3` pads 3 bytes of 00ab00cd, the alignment to .text.b starts the pattern again; FILL(0x0102)
    // covers the alignment before .text.c and the ALIGN(64) at the end.
    expect(hex('.text')).toBe('11111111' + '00ab00' + '00ab00cd00ab00cd00' + '22222222' + '0102'.repeat(6) + '33333333' + '0102'.repeat(14));
    // .data: FILL(0x77 + 1) is an expression, so 00000078; `. += 5` and the alignments each start it afresh.
    expect(hex('.data')).toBe('01' + '000000780000007800000078000000' + '02' + '0000007800' + '09' + '00' + '03' + '00000078000000');
  });
  const overlaps = (script: string) => link(script, readFileSync(join(FIX, 'overlap.s'), 'utf8')).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  it('overlapping sections are errors as in GNU ld: load addresses first, then run addresses of the others', () => {
    const hx = (v: number) => v.toString(16).padStart(16, '0');
    const msg = (a: string, what: string, a0: number, a1: number, b: string, b0: number, b1: number) => `section ${a} ${what} [${hx(a0)},${hx(a1)}] overlaps section ${b} ${what} [${hx(b0)},${hx(b1)}]`;
    expect(overlaps('SECTIONS {\n .text 0x1000 : { *(.text) }\n .data 0x1020 : { *(.data) }\n .other 0x1030 : AT(0x1010) { *(.other) }\n}\n')).toEqual([
      msg('.other', 'LMA', 0x1010, 0x101f, '.text', 0x1000, 0x103f),
      msg('.data', 'VMA', 0x1020, 0x103f, '.text', 0x1000, 0x103f),
    ]);
    // Reported by load address, not again by run address.
    expect(overlaps('SECTIONS {\n .text 0x1000 : { *(.text) }\n .data 0x1020 : { *(.data) }\n .other 0x1030 : { *(.other) }\n}\n')).toEqual([
      msg('.data', 'LMA', 0x1020, 0x103f, '.text', 0x1000, 0x103f),
      msg('.other', 'LMA', 0x1030, 0x103f, '.data', 0x1020, 0x103f),
    ]);
    expect(overlaps('SECTIONS {\n .text 0x1000 : { *(.text) }\n .data 0x1020 : AT(0x5000) { *(.data) }\n .other 0x1030 : AT(0x3000) { *(.other) }\n}\n')).toEqual([
      msg('.data', 'VMA', 0x1020, 0x103f, '.text', 0x1000, 0x103f),
      msg('.other', 'VMA', 0x1030, 0x103f, '.data', 0x1020, 0x103f),
    ]);
    // Two sections at one address are overlays: run addresses are not compared.
    expect(overlaps('SECTIONS {\n .text 0x1000 : { *(.text) }\n .data 0x1000 : AT(0x5000) { *(.data) }\n}\n')).toEqual([]);
    expect(overlaps('SECTIONS {\n .text 0x1000 : { *(.text) }\n .data 0x1040 : { *(.data) }\n}\n')).toEqual([]);
  });
  it('PHDRS: program headers in the script\'s order, sections assigned by :name or following the previous one', () => {
    const script = 'PHDRS { hdr PT_PHDR PHDRS; text PT_LOAD FILEHDR PHDRS; data PT_LOAD FLAGS(7) AT(0x80200000); }\n' +
      'SECTIONS {\n . = 0x80000000 + SIZEOF_HEADERS;\n .text : { *(.text.init) } :text\n . = 0x80001000;\n .data : { *(.data) } :data\n .bss : { *(.bss) }\n}\n';
    const r = link(script);
    expect(r.diagnostics).toEqual([]);
    const elf = r.elf();
    const v = new DataView(elf.buffer, elf.byteOffset);
    const phnum = v.getUint16(56, true);
    const ph = Array.from({ length: phnum }, (_, i) => {
      const p = 64 + 56 * i;
      return [v.getUint32(p, true), v.getUint32(p + 4, true), v.getBigUint64(p + 8, true), v.getBigUint64(p + 16, true), v.getBigUint64(p + 24, true), v.getBigUint64(p + 32, true), v.getBigUint64(p + 40, true), v.getBigUint64(p + 48, true)];
    });
    // SIZEOF_HEADERS: 64 + 4 × 56 (the three listed and PT_RISCV_ATTRIBUTES, after PT_PHDR).
    expect(r.sections.find((s) => s.name === '.text')!.addr).toBe(0x80000000n + 64n + 4n * 56n);
    expect(ph.map((x) => x[0])).toEqual([6, 0x70000003, 1, 1]);
    expect(ph[0]).toEqual([6, 4, 64n, 0x80000040n, 0x80000040n, 224n, 224n, 8n]);
    // FILEHDR PHDRS: from file offset 0, the headers then .text (4 bytes); R and X from .text.
    expect(ph[2]).toEqual([1, 5, 0n, 0x80000000n, 0x80000000n, 64n + 224n + 4n, 64n + 224n + 4n, 0x1000n]);
    // FLAGS(7) and AT(); .bss follows .data into it.
    expect(ph[3].slice(0, 2)).toEqual([1, 7]);
    expect(ph[3].slice(3, 7)).toEqual([0x80001000n, 0x80200000n, 4n, 12n]);
    const bad = link('PHDRS { text PT_LOAD; }\nSECTIONS { .text 0x80000000 : { *(.text.init) } :nosuch }\n');
    expect(bad.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`)).toContain("2:12: section '.text' assigned to non-existent phdr 'nosuch'");
    expect(link('PHDRS { text PT_FOO; }\n').diagnostics[0].message).toBe("unknown program header type 'PT_FOO'");
  });
  it('DATA_SEGMENT_ALIGN starts the data at the page start only when that saves a page (ld\'s lang_size_segment)', () => {
    const script = (tail: string) =>
      `SECTIONS {\n . = 0x80000000;\n .text : { *(.text.init) }\n . = DATA_SEGMENT_ALIGN(0x1000, 0x1000);\n .data : { *(.data) }\n .bss : { *(.bss) ${tail} }\n . = DATA_SEGMENT_END(.);\n}\n`;
    const data = (tail: string) => link(script(tail)).sections.find((s) => s.name === '.data')!.addr;
    // .text ends at 0x80000004: the data would start at 0x80001004 (4 bytes into its page: 0xffc to the
    // next page). Ending 4 bytes into a page (0xffc + 4 <= 0x1000), starting at the page start saves one.
    expect(data('. += 0xff4;')).toBe(0x80001000n);
    // Ending 8 bytes into a page, or exactly at a page end, it does not.
    expect(data('. += 0xff8;')).toBe(0x80001004n);
    expect(data('. = ALIGN(0x1000);')).toBe(0x80001004n);
    expect(data('')).toBe(0x80001004n);
  });
  it('without a script, .comment and .debug_str keep SHF_MERGE|SHF_STRINGS', () => {
    const r = assemble([{ name: 'm.s', text: ' .globl _start\n_start: nop\n .section .comment, "MS", @progbits, 1\n .string "x"\n .section .debug_str, "MS", @progbits, 1\n .string "y"\n' }], { listing: false });
    for (const n of ['.comment', '.debug_str']) expect(r.image.sections.find((s) => s.name === n)!.flags & 0x30).toBe(0x30);
  });
});

// ---- against GNU ld ----

let dir = '';

function sh(cmd: string, args: string[], cwd = dir): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
function must(cmd: string, args: string[]): string {
  const r = sh(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** What must agree: allocated sections (address, type, flags, load address, bytes) and every symbol. */
function image(path: string): { sections: string[]; symbols: string[] } {
  const img = readElf(new Uint8Array(readFileSync(path)));
  const lma = (addr: bigint, size: number): string => {
    const seg = img.segments.find((g) => addr >= g.vaddr && addr + BigInt(size) <= g.vaddr + BigInt(g.data.length) && g.data.length > 0);
    return seg ? `0x${(seg.paddr + (addr - seg.vaddr)).toString(16)}` : '-';
  };
  const sections = img.sections
    .filter((s) => s.flags & 2)
    .map((s) => `${s.name} 0x${s.addr.toString(16)} flags=${s.flags.toString(16)} ${s.type === 8 ? `nobits ${s.size}` : `lma=${lma(s.addr, s.size)} ${Buffer.from(s.data).toString('hex')}`}`);
  const symbols = img.symbols
    .filter((s) => s.type !== 'file' && s.type !== 'section' && !s.name.startsWith('$x'))
    .map((s) => `${s.name} 0x${s.value.toString(16)} ${s.bind} ${s.section ?? 'ABS'}`)
    .sort();
  return { sections, symbols };
}

async function run(elf: string): Promise<string> {
  const r = await captureMain(runMain, [elf, '--core', 'ideal', '--max-insns', '20000000']);
  return `exit ${r.code}\n${r.stdout}${r.stderr.replace(/^rvx run: \S+: /gm, 'rvx run: ')}`;
}

async function compare(gnuArgs: string[], rvxArgs: string[], tag: string): Promise<string> {
  const gnu = join(dir, `${tag}.gnu.elf`);
  const rvx = join(dir, `${tag}.rvx.elf`);
  must(`${PREFIX}ld`, [...gnuArgs, '-o', gnu]);
  const prev = process.cwd();
  process.chdir(dir);
  let l;
  try {
    l = await captureMain(ldMain, [...rvxArgs, '-o', rvx]);
  } finally {
    process.chdir(prev);
  }
  expect(l.stderr).toBe('');
  expect(l.code).toBe(0);
  const want = image(gnu);
  const got = image(rvx);
  expect(got.sections).toEqual(want.sections);
  expect(got.symbols).toEqual(want.symbols);
  const out = await run(gnu);
  expect(await run(rvx)).toBe(out);
  return out;
}

beforeAll(() => {
  if (!haveGcc) return;
  dir = mkdtempSync(join(tmpdir(), 'rvx-ld-script-'));
  for (const sub of ['ld-script', 'diff', 'ld']) {
    const from = join(__dirname, 'fixtures', sub);
    for (const f of readdirSync(from)) copyFileSync(join(from, f), join(dir, f));
  }
  for (const f of readdirSync(dir)) if (f.endsWith('.c')) writeFileSync(join(dir, f), readFileSync(join(dir, f), 'utf8').replace('"../diff/util.h"', '"util.h"'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveGcc)('rvx ld -T and GNU ld give the same image', () => {
  const objects = (files: string[], level: string[], tag: string): string[] =>
    files.map((c) => {
      const o = `${tag}-${c.replace(/\.[cs]$/, '.o')}`;
      if (c.endsWith('.s')) must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', c, '-o', o]);
      else must(GCC, [...ARCH, ...level, '-c', c, '-o', o]);
      return o;
    });

  it('PHDRS: the same program headers and loaded sections as GNU ld (phdrs.ld)', async () => {
    const objs = objects(['crt.s', 'tls.c', 'util.c', 'tlsinfo.s', 'phdrs-note.s'], ['-O2'], 'phdrs');
    const gnu = join(dir, 'phdrs.gnu.elf');
    const rvx = join(dir, 'phdrs.rvx.elf');
    must(`${PREFIX}ld`, ['-T', 'phdrs.ld', ...objs, 'tls.ld', '-o', gnu]);
    const l = await captureMain(ldMain, ['-T', join(dir, 'phdrs.ld'), ...objs.map((o) => join(dir, o)), join(dir, 'tls.ld'), '-o', rvx]);
    expect(l.stderr).toBe('');
    const phdrs = (path: string) =>
      must(`${PREFIX}readelf`, ['-lW', path])
        .split('\n')
        .filter((x) => /^\s+[A-Z_]+\s+0x/.test(x))
        .map((x) => x.trim().replace(/\s+/g, ' ').replace(/^(RISCV_ATTRIBUT) 0x[0-9a-f]+/, '$1'));
    const want = phdrs(gnu);
    expect(want.map((x) => x.split(' ')[0])).toEqual(['PHDR', 'RISCV_ATTRIBUT', 'LOAD', 'LOAD', 'LOAD', 'TLS', 'NOTE']);
    expect(phdrs(rvx)).toEqual(want);
    expect(image(rvx).sections).toEqual(image(gnu).sections);
    const out = await run(gnu);
    expect(out).toContain('counter=5');
    expect(await run(rvx)).toBe(out);
  });
  it('fill patterns: the same bytes as GNU ld (fill.ld)', async () => {
    must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', 'fill.s', '-o', 'fill.o']);
    const gnu = join(dir, 'fill.gnu.elf');
    const rvx = join(dir, 'fill.rvx.elf');
    must(`${PREFIX}ld`, ['--no-warn-rwx-segments', '-T', 'fill.ld', 'fill.o', '-o', gnu]);
    const l = await captureMain(ldMain, ['-T', join(dir, 'fill.ld'), join(dir, 'fill.o'), '-o', rvx]);
    expect(l.code).toBe(0);
    expect(image(rvx).sections).toEqual(image(gnu).sections);
  });
  it('overlapping sections: the errors GNU ld reports', async () => {
    must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', 'overlap.s', '-o', 'overlap.o']);
    const scripts = [
      'SECTIONS {\n .text 0x1000 : { *(.text) }\n .data 0x1020 : { *(.data) }\n .other 0x1030 : AT(0x1010) { *(.other) }\n}\n',
      'SECTIONS {\n .text 0x1000 : { *(.text) }\n .data 0x1020 : { *(.data) }\n .other 0x1030 : { *(.other) }\n}\n',
      'SECTIONS {\n .text 0x1000 : { *(.text) }\n .other 0x1030 : AT(0x3000) { *(.other) }\n}\n',
      'SECTIONS {\n .text 0x1000 : { *(.text) }\n .data 0x1020 : AT(0x5000) { *(.data) }\n .other 0x1030 : AT(0x3000) { *(.other) }\n}\n',
      'SECTIONS {\n .text 0x1000 : { *(.text) }\n .data 0x1020 : AT(0x2000) { *(.data) }\n .bss2 0x1010 (NOLOAD) : { . += 0x10; }\n}\n',
    ];
    for (const [i, text] of scripts.entries()) {
      writeFileSync(join(dir, `overlap${i}.ld`), text);
      const g = sh(`${PREFIX}ld`, ['-T', `overlap${i}.ld`, 'overlap.o', '-o', `overlap${i}.gnu.elf`]);
      const want = g.stderr.split('\n').filter((x) => x.includes(' overlaps ')).map((x) => x.replace(/^.*?ld: /, ''));
      expect(want.length).toBeGreaterThan(0);
      const r = await captureMain(ldMain, ['-T', join(dir, `overlap${i}.ld`), join(dir, 'overlap.o'), '-o', join(dir, `overlap${i}.rvx.elf`)]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.split('\n').filter((x) => x.includes(' overlaps ')).map((x) => x.replace(/^.*?error: /, ''))).toEqual(want);
    }
  });
  for (const level of [['-O2'], ['-Os'], ['-O0']]) {
    it(`ROM/RAM board (MEMORY, AT>, KEEP, SORT_BY_INIT_PRIORITY, PROVIDE, ASSERT) ${level.join(' ')}`, async () => {
      const tag = `romram${level.join('')}`;
      const objs = objects(['romram-crt.s', 'romram.c', 'util.c'], level, tag);
      const out = await compare(['-T', 'romram.ld', ...objs], ['-T', 'romram.ld', ...objs], tag);
      expect(out).toContain('exit 0\nrom-to-ram\nsum=');
      expect(out).toContain('counter=42\nctor=101\nctor=300\nctor=65535\nlma_below_vma=1\n');
    });
    it(`many script features (AT(), data statements, SORT_BY_NAME, EXCLUDE_FILE, expressions) ${level.join(' ')}`, async () => {
      const tag = `feat${level.join('')}`;
      const objs = objects(['feat_crt.s', 'feat_a.c', 'feat_b.c', 'util.c'], level, tag);
      const out = await compare(['-T', 'features.ld', '--no-warn-rwx-segments', ...objs], ['-T', 'features.ld', ...objs], tag);
      expect(out).toContain('ctor=101\nctor=200\nctor=999\nfns=');
      expect(out).toContain('byte=17\nshort=8755\nlong=1146447479\nquad_is_marker_plus_1=1\nstack=4096\nalpha\n');
    });
  }

  it('orphan sections placed as GNU ld places them (orphans.ld)', async () => {
    const objs = objects(['feat_crt.s', 'feat_a.c', 'feat_b.c', 'util.c'], ['-O2'], 'orphan');
    const out = await compare(['-T', 'orphans.ld', '--no-warn-rwx-segments', ...objs], ['-T', 'orphans.ld', ...objs], 'orphan');
    expect(out).toContain('fns=');
  });

  it('the section of an expression (sections.ld)', async () => {
    const o = objects(['sections.s'], [], 'sec');
    const gnu = join(dir, 'sec.gnu.elf');
    must(`${PREFIX}ld`, ['-T', 'sections.ld', ...o, '-o', gnu]);
    const prev = process.cwd();
    process.chdir(dir);
    try {
      const l = await captureMain(ldMain, ['-T', 'sections.ld', ...o, '-o', 'sec.rvx.elf']);
      expect(l.stderr).toBe('');
    } finally {
      process.chdir(prev);
    }
    expect(image(join(dir, 'sec.rvx.elf'))).toEqual(image(gnu));
  });

  it('the ld-diff programs with the rvx-layout.ld script', async () => {
    const objs = objects(['crt.s', 'strings_a.c', 'strings_b.c', 'util.c'], ['-O2'], 'layout');
    const libgcc = spawnSync(GCC, [...ARCH, '-print-libgcc-file-name'], { encoding: 'utf8' }).stdout.trim();
    const out = await compare(['-T', 'rvx-layout.ld', '--no-warn-rwx-segments', ...objs, libgcc], ['-T', 'rvx-layout.ld', ...objs, libgcc], 'layout');
    expect(out).toContain('hello, world|world\n');
  });

  const specs = ['--specs=picolibc.specs', '-march=rv64imac', '-mabi=lp64', '-mcmodel=medany'];
  // picolibc's specs name the script (-Tpicolibc.ld) and the -L directories that hold it.
  const picoPlan = haveGcc ? spawnSync(GCC, [...specs, '-###', 'x.o'], { encoding: 'utf8' }).stderr : '';
  const havePicolibc = /-Tpicolibc\.ld/.test(picoPlan) && [...picoPlan.matchAll(/-L(\S+)/g)].some((m) => existsSync(join(m[1].replace(/"/g, ''), 'picolibc.ld')));
  if (haveGcc && !havePicolibc) console.warn('ld-script: picolibc comparison skipped (no picolibc for riscv64-unknown-elf)');
  it.skipIf(!havePicolibc)("a picolibc program with picolibc's picolibc.ld (gcc's collect2 command line, replayed)", async () => {
    for (const c of ['hello.c', 'htif.c']) must(GCC, [...specs, '-O2', '-c', c, '-o', c.replace(/\.c$/, '.o')]);
    const defs = ['--defsym=__flash=0x80000000', '--defsym=__flash_size=0x100000', '--defsym=__ram=0x80200000', '--defsym=__ram_size=0x100000'];
    const plan = sh(GCC, [...specs, '-###', 'hello.o', 'htif.o', '-o', 'pico.elf', ...defs.map((d) => `-Wl,${d}`)]).stderr;
    const line = plan.split('\n').find((l) => /collect2/.test(l))!;
    const args = (line.match(/"[^"]*"|\S+/g) ?? []).slice(1).map((a) => a.replace(/^"(.*)"$/, '$1'));
    const ld: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '-plugin') i++;
      else if (args[i].startsWith('-plugin-opt') || args[i] === '-o') i += args[i] === '-o' ? 1 : 0;
      else ld.push(args[i]);
    }
    expect(ld).toContain('-Tpicolibc.ld');
    const out = await compare(ld, ld, 'pico');
    expect(out).toBe('exit 3\nsum=173 tls=180/3 ctor=42\nheap ok\nrvx run: *** FAILED *** with code 3 (tohost = 0x7; riscv-tests: test case 3)\n');
  });
});
