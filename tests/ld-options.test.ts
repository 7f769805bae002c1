// GNU ld's command-line options a drop-in user passes to `rvx ld` (docs/assembler.md, "Drop-in for GNU as and
// ld"). Against riscv64-unknown-elf-ld 2.40 where the machine has gcc/as/ld/readelf (skipped with a message
// otherwise): -s, -S, -x, -X and their combinations, --whole-archive/--no-whole-archive, --wrap (both
// spellings), -Tdata, -Tbss and --section-start give GNU's symbol table (`readelf -s`, every line), section
// and program headers and loaded bytes — and byte-identical files; --warn-common warns in GNU's five cases;
// the no-op options leave GNU ld's output unchanged and rvx ld's too. Without the toolchain, rvx sources
// check what each option does on its own.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as ldMain } from '../tools/commands/ld.js';
import { readElf } from '../tools/elf/read.js';
import { tailMergedStringTable } from '../tools/elf/strtab.js';
import { captureMain } from './helpers/cli.js';

const GCC = process.env.RVX_RISCV_GCC ?? 'riscv64-unknown-elf-gcc';
const PREFIX = GCC.replace(/gcc$/, '');
const have = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const haveGnu = have(GCC) && have(`${PREFIX}ld`) && have(`${PREFIX}as`) && have(`${PREFIX}readelf`) && have(`${PREFIX}ar`) && have(`${PREFIX}objcopy`);
if (!haveGnu) console.warn(`ld-options: GNU comparisons skipped (no ${GCC}/${PREFIX}ld/as/readelf/ar/objcopy; set RVX_RISCV_GCC)`);

let dir = '';
const p = (f: string) => join(dir, f);
function must(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout + r.stderr;
}

const FILES: Record<string, string> = {
  'a.c': `static int counter;
static int bump(int x) { counter += x; return counter; }
int shared_value = 3;
const char *msg(void) { return "hello"; }
int helper(int);
int main(void) { for (int i = 0; i < 3; i++) bump(helper(i)); return counter + shared_value + msg()[0]; }
void _start(void) { main(); for (;;); }
`,
  'b.c': `static int table[4] = {1, 2, 3, 4};
int helper(int i) { return table[i & 3]; }
`,
  // Locals of every kind bfd tells apart: merged-section ones, .L labels, bfd's other local labels.
  'c.s': `	.section .rodata.str1.1,"aMS",@progbits,1
merged_local:
	.string "abc"
.Lmerged_l:
	.string "xyz"
	.text
	.globl asmfn
asmfn:
	lla a0, merged_local
	lla a1, .Lmerged_l
local_text:
	ret
..dotdot:
_.L_x:
L1$y:
	nop
`,
  'm1.c': 'int m1_val = 1;\nint m1(void) { return 1; }\n',
  'm2.c': 'int m2_val = 2;\nint m2(void) { return 2; }\n',
  'w.c': `void *malloc(unsigned long);
void *__real_malloc(unsigned long);
void *__wrap_malloc(unsigned long n) { return __real_malloc(n + 1); }
void *malloc(unsigned long n) { return (void *)n; }
int main(void);
void _start(void) { (void)malloc(3); main(); }
`,
  'w2.c': 'void *malloc(unsigned long);\nint main(void) { return (int)(long)malloc(5); }\n',
  // The wrapper and the real function in an archive: pulled by __wrap_malloc and (through __real_malloc) malloc.
  'wa.c': 'void *__real_malloc(unsigned long);\nvoid *__wrap_malloc(unsigned long n) { return __real_malloc(n * 2); }\n',
  'wb.c': 'void *malloc(unsigned long n) { return (void *)(n + 100); }\n',
  'wm.c': 'void *malloc(unsigned long);\nint main(void) { return (int)(long)malloc(5); }\nvoid _start(void) { main(); }\n',
  // A -T script for the section starts: GNU ld reads it where -T stands, so a section start after it keeps the
  // script's place in the section header table, one before it goes first.
  't.ld': 'ENTRY(_start)\nSECTIONS\n{\n  . = 0x80000000;\n  .text : { *(.text .text.*) }\n  .rodata : { *(.rodata .rodata.*) }\n  .data : { *(.data .data.* .sdata .sdata.*) }\n  .bss : { *(.bss .bss.* .sbss .sbss.*) }\n}\n',
  'start.s': '\t.text\n\t.globl _start\n_start:\n\tnop\n',
  // .data, an orphan (.mysec) that follows it, .bss.
  's.s': '\t.section .mysec,"aw"\n\t.globl mys\nmys: .dword 7\n\t.data\n\t.globl dd\ndd: .dword mys\n\t.bss\n\t.globl bb\nbb: .zero 64\n',
  'com8.s': '\t.comm shared,8,8\n',
  'com8b.s': '\t.comm shared,8,8\n',
  'com16.s': '\t.comm shared,16,8\n',
  'def.s': '\t.data\n\t.globl shared\n\t.p2align 3\nshared: .dword 1\n',
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rvx-ld-options-'));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(p(name), text);
  if (!haveGnu) return;
  const arch = ['-march=rv64imac', '-mabi=lp64', '-mcmodel=medany'];
  must(GCC, [...arch, '-O2', '-g', '-c', 'a.c', 'b.c']);
  must(GCC, [...arch, '-O2', '-c', 'm1.c', 'm2.c', 'w.c', 'w2.c', 'wa.c', 'wb.c', 'wm.c']);
  must(`${PREFIX}ar`, ['rcs', 'libw.a', 'wa.o', 'wb.o']);
  // c.s with -L (--keep-locals): GNU as would drop the local labels itself, leaving ld nothing to discard.
  for (const s of ['c', 'start', 'com8', 'com8b', 'com16', 'def', 's']) must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', ...(s === 'c' ? ['-L'] : []), `${s}.s`, '-o', `${s}.o`]);
  must(`${PREFIX}ar`, ['rcs', 'libm12.a', 'm1.o', 'm2.o']);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function rvxLd(args: string[]) {
  return captureMain(ldMain, args);
}

/** GNU ld with rvx ld's default text segment; its stderr. */
function gnuLd(args: string[]): { status: number; stderr: string } {
  const r = spawnSync(`${PREFIX}ld`, ['-Ttext-segment=0x80000000', ...args], { cwd: dir, encoding: 'utf8' });
  return { status: r.status ?? -1, stderr: r.stderr };
}

const readelf = (args: string[], file: string) => must(`${PREFIX}readelf`, [...args, file]);
/** Section headers: name, type, address, size. */
const sectionLines = (file: string) =>
  readelf(['-SW'], file)
    .split('\n')
    .filter((l) => /^\s+\[\s*\d+\]/.test(l))
    .map((l) => l.replace(/^\s+\[\s*\d+\]\s+/, '').split(/\s+/))
    .map((f) => `${f[0]} ${f[1]} ${f[2]} ${f[4]}`);
const sameFile = (a: string, b: string) => readFileSync(a).equals(readFileSync(b));
const loaded = (file: string) => {
  must(`${PREFIX}objcopy`, ['-O', 'binary', file, `${file}.bin`]);
  return readFileSync(`${file}.bin`).toString('hex');
};

describe.skipIf(!haveGnu)('rvx ld options against GNU ld 2.40', () => {
  const inputs = () => [p('a.o'), p('b.o'), p('c.o')];

  for (const opts of [[], ['-X'], ['-x'], ['-S'], ['-s'], ['-x', '-S'], ['-s', '-x'], ['--strip-debug', '--discard-all'], ['--strip-all'], ['--discard-locals']]) {
    it(`${opts.join(' ') || '(default)'}: GNU's symbol table and sections`, async () => {
      const tag = opts.join('') || 'none';
      const g = gnuLd([...opts, ...inputs(), '-o', p(`g${tag}.elf`)]);
      expect(g.status, g.stderr).toBe(0);
      const r = await rvxLd([...opts, ...inputs(), '-o', p(`r${tag}.elf`)]);
      expect(r.code, r.stderr).toBe(0);
      const syms = (f: string) => readelf(['-sW'], f);
      expect(syms(p(`r${tag}.elf`))).toBe(syms(p(`g${tag}.elf`)));
      expect(sectionLines(p(`r${tag}.elf`))).toEqual(sectionLines(p(`g${tag}.elf`)));
      expect(loaded(p(`r${tag}.elf`))).toBe(loaded(p(`g${tag}.elf`)));
      expect(sameFile(p(`r${tag}.elf`), p(`g${tag}.elf`))).toBe(true);
    });
  }

  it('--whole-archive loads every member of the archives it covers, in order; --no-whole-archive ends it', async () => {
    for (const [tag, args] of [
      ['w', ['--whole-archive', p('libm12.a'), '--no-whole-archive']],
      ['n', [p('libm12.a')]],
      ['e', ['--whole-archive', '--no-whole-archive', p('libm12.a')]],
    ] as const) {
      const all = [...inputs(), ...args];
      expect(gnuLd([...all, '-o', p(`gw${tag}.elf`)]).status).toBe(0);
      const r = await rvxLd([...all, '-o', p(`rw${tag}.elf`)]);
      expect(r.code, r.stderr).toBe(0);
      expect(readelf(['-sW'], p(`rw${tag}.elf`))).toBe(readelf(['-sW'], p(`gw${tag}.elf`)));
      expect(loaded(p(`rw${tag}.elf`))).toBe(loaded(p(`gw${tag}.elf`)));
      expect(sameFile(p(`rw${tag}.elf`), p(`gw${tag}.elf`))).toBe(true);
      const names = readElf(new Uint8Array(readFileSync(p(`rw${tag}.elf`)))).symbols.map((s) => s.name);
      expect(names.includes('m1') && names.includes('m2_val')).toBe(tag === 'w');
    }
  });

  it('--wrap=SYM and --wrap SYM bind references as GNU ld binds them', async () => {
    for (const [tag, args] of [
      ['1', ['--wrap=malloc', p('w.o'), p('w2.o')]],
      ['2', [p('w2.o'), '--wrap', 'malloc', p('w.o')]],
      ['3', [p('wm.o'), p('libw.a'), '--wrap=malloc']],
    ] as const) {
      expect(gnuLd([...args, '-o', p(`gwr${tag}.elf`)]).status).toBe(0);
      const r = await rvxLd([...args, '-o', p(`rwr${tag}.elf`)]);
      expect(r.code, r.stderr).toBe(0);
      expect(readelf(['-sW'], p(`rwr${tag}.elf`))).toBe(readelf(['-sW'], p(`gwr${tag}.elf`)));
      expect(loaded(p(`rwr${tag}.elf`))).toBe(loaded(p(`gwr${tag}.elf`)));
      expect(sameFile(p(`rwr${tag}.elf`), p(`gwr${tag}.elf`))).toBe(true);
    }
  });

  it("--warn-common warns in GNU's five cases, naming the same files", async () => {
    for (const [x, y] of [['com8', 'com8b'], ['com8', 'com16'], ['com16', 'com8'], ['com8', 'def'], ['def', 'com8']]) {
      const args = ['--warn-common', p('start.o'), p(`${x}.o`), p(`${y}.o`)];
      const g = gnuLd([...args, '-o', p('gc.elf')]);
      const r = await rvxLd([...args, '-o', p('rc.elf')]);
      expect(r.code, r.stderr).toBe(0);
      // GNU: "FILE: warning: common of `shared' ..." (also, for a definition, an alignment warning rvx ld
      // does not give); rvx: "FILE: warning: common of 'shared' ...".
      const gnu = g.stderr.split('\n').filter((l) => /common/.test(l)).map((l) => l.replace(/^\S+ld: /, '').replace(/`/g, "'"));
      expect(r.stderr.trim().split('\n')).toEqual(gnu);
    }
  });

  it('the no-op options change nothing in either linker', async () => {
    expect(gnuLd([...inputs(), '-o', p('gbase.elf')]).status).toBe(0);
    const base = readFileSync(p('gbase.elf'));
    expect((await rvxLd([...inputs(), '-o', p('rbase.elf')])).code).toBe(0);
    const rbase = readFileSync(p('rbase.elf'));
    for (const opts of [['-EL'], ['-O1'], ['-O', '2'], ['-Bstatic'], ['--build-id=none'], ['--no-undefined'], ['--fatal-warnings'], ['--warn-common'], ['-X']]) {
      expect(gnuLd([...opts, ...inputs(), '-o', p('gop.elf')]).status).toBe(0);
      expect(readFileSync(p('gop.elf')).equals(base), opts.join(' ')).toBe(true);
      const r = await rvxLd([...opts, ...inputs(), '-o', p('rop.elf')]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(p('rop.elf')).equals(rbase), opts.join(' ')).toBe(true);
    }
  });

  // Section starts on GNU's default layout: addresses, section header order (GNU makes the section of an
  // address statement first), program headers (a .bss alone in its segment takes no file space; the headers
  // go in the page below a .text moved to a page start), symbols and loaded bytes.
  // `@t.ld`: the script's path (the directory is made before the tests run).
  for (const opts of [
    ['-Tdata', '80100000'],
    ['-Tdata=0x80100000'],
    ['-Tbss', '80200000'],
    ['-Tbss', '80200000', '-Tdata', '80100000'],
    ['--section-start=.rodata=80050000'],
    ['--section-start', '.sdata=0x80400000'],
    ['-Tdata', '80000800'],
    ['--section-start=.text=80010000'],
    ['--section-start=.text=80010100'],
    ['-T', '@t.ld', '-Tdata', '80100000'],
    ['-Tdata', '80100000', '-T', '@t.ld'],
    ['--section-start', '.rodata=80050000', '-T@t.ld', '-Tbss=0x80200000'],
  ]) {
    it(`${opts.join(' ')}: GNU's placement`, async () => {
      const all = [...opts.map((o) => o.replace('@t.ld', p('t.ld'))), ...inputs(), p('s.o')];
      const g = gnuLd([...all, '-o', p('gss.elf')]);
      expect(g.status, g.stderr).toBe(0);
      const r = await rvxLd([...all, '-o', p('rss.elf')]);
      expect(r.code, r.stderr).toBe(0);
      const layout = (f: string) =>
        readelf(['-lSW'], f)
          .split('\n')
          .filter((l) => /^\s+\[|^\s+(LOAD|TLS|RISCV)/.test(l) && !/strtab|symtab/.test(l))
          .map((l) => l.trim().replace(/\s+/g, ' '));
      expect(layout(p('rss.elf'))).toEqual(layout(p('gss.elf')));
      expect(readelf(['-sW'], p('rss.elf'))).toBe(readelf(['-sW'], p('gss.elf')));
      expect(loaded(p('rss.elf'))).toBe(loaded(p('gss.elf')));
      expect(sameFile(p('rss.elf'), p('gss.elf'))).toBe(true);
    });
  }

  it('--no-undefined: an undefined symbol fails both links', async () => {
    expect(gnuLd(['--no-undefined', p('a.o'), '-o', p('gu.elf')]).status).not.toBe(0);
    const r = await rvxLd(['--no-undefined', p('a.o'), '-o', p('ru.elf')]);
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/helper/);
  });
});

describe('rvx ld options on rvx sources', () => {
  const src = () => p('c.s');
  const link = async (args: string[]) => {
    const out = p(`t${Math.random().toString(36).slice(2)}.elf`);
    const r = await rvxLd([...args, p('start.s'), src(), '-o', out]);
    return { ...r, out, elf: r.code === 0 ? readElf(new Uint8Array(readFileSync(out))) : null };
  };
  const localNames = (e: ReturnType<typeof readElf>) => e.symbols.filter((s) => s.bind === 'local' && s.type !== 'section').map((s) => s.name);

  it('default and -X drop local labels (.L, .., _.L_) only; -x every input local; -s the whole table', async () => {
    const d = await link([]);
    expect(localNames(d.elf!)).toEqual(['c.s', 'merged_local', 'local_text', 'L1$y']);
    expect(localNames((await link(['-X'])).elf!)).toEqual(localNames(d.elf!));
    const x = await link(['-x']);
    expect(localNames(x.elf!)).toEqual([]);
    expect(x.elf!.symbols.some((s) => s.name === 'asmfn' && s.bind === 'global')).toBe(true);
    const s = await link(['-s']);
    const shdrs = (f: string) => readFileSync(f);
    expect(s.elf!.symbols).toEqual([]);
    expect(shdrs(s.out).includes(Buffer.from('.symtab'))).toBe(false);
    expect(shdrs(s.out).includes(Buffer.from('.strtab'))).toBe(false);
  });

  it("-x and -X act on rvx's own layout's symbol table too", async () => {
    const own = (await link(['--rvx-layout'])).elf!;
    expect(localNames(own)).toContain('local_text');
    expect(localNames(own)).toContain('..dotdot');
    expect(localNames((await link(['--rvx-layout', '-X'])).elf!)).not.toContain('..dotdot');
    expect(localNames((await link(['--rvx-layout', '-X'])).elf!)).toContain('local_text');
    expect(localNames((await link(['--base', '0x80000000', '-x'])).elf!)).toEqual([]);
  });

  it('-S drops the debugging sections, -s too', async () => {
    writeFileSync(p('dbg.s'), '\t.text\n\t.globl f\nf:\n\tret\n\t.section .debug_str,"MS",@progbits,1\n\t.string "x"\n\t.section .comment,"MS",@progbits,1\n\t.string "c"\n');
    const names = (args: string[]) =>
      rvxLd([...args, p('start.s'), p('dbg.s'), '-o', p('dbg.elf')]).then((r) => {
        expect(r.code, r.stderr).toBe(0);
        return readElf(new Uint8Array(readFileSync(p('dbg.elf')))).sections.map((x) => x.name);
      });
    expect(await names([])).toContain('.debug_str');
    expect(await names(['-S'])).not.toContain('.debug_str');
    expect(await names(['-S'])).toContain('.comment');
    expect(await names(['--strip-all'])).not.toContain('.debug_str');
  });

  it('--wrap renames the references of sources, not their definitions', async () => {
    writeFileSync(p('wrap.s'), '\t.text\n\t.globl _start\n_start:\n\tcall f\n\tcall __real_f\n\t.globl f\nf:\n\tret\n\t.globl __wrap_f\n__wrap_f:\n\tcall f\n\tret\n');
    writeFileSync(p('wrap2.s'), '\t.text\n\t.globl g\ng:\n\tcall f\n\tcall __real_f\n\tret\n');
    const r = await rvxLd(['--no-relax', '--wrap=f', p('wrap.s'), p('wrap2.s'), '-o', p('wrap.elf')]);
    expect(r.code, r.stderr).toBe(0);
    const e = readElf(new Uint8Array(readFileSync(p('wrap.elf'))));
    const at = (n: string) => e.symbols.find((s) => s.name === n)!.value;
    const text = e.sections.find((s) => s.name === '.text')!;
    // The target of the auipc+jalr pair at `pc`.
    const callTarget = (pc: bigint) => {
      const off = Number(pc - text.addr);
      const v = new DataView(text.data.buffer, text.data.byteOffset);
      const auipc = v.getUint32(off, true);
      const jalr = v.getUint32(off + 4, true);
      return pc + BigInt((auipc & 0xfffff000) | 0) + BigInt(jalr >> 20);
    };
    // In wrap.s f is defined, so its own calls stay on f; __real_f (undefined) goes to f.
    expect(callTarget(at('_start'))).toBe(at('f'));
    expect(callTarget(at('_start') + 8n)).toBe(at('f'));
    // wrap2.s only refers to f: f -> __wrap_f, __real_f -> f.
    expect(callTarget(at('g'))).toBe(at('__wrap_f'));
    expect(callTarget(at('g') + 8n)).toBe(at('f'));
  });

  it(".strtab shares a name's bytes with a longer name it ends, as bfd writes it", () => {
    const t = tailMergedStringTable(['main', '_start', '__bss_start', 'start', 'a', 'xa', 'main']);
    // Kept in the order first added: main, __bss_start, xa; _start and start inside __bss_start, a inside xa.
    expect(Buffer.from(t.bytes()).toString('latin1')).toBe('\0main\0__bss_start\0xa\0');
    expect(t.offset('main')).toBe(1);
    expect(t.offset('__bss_start')).toBe(6);
    expect(t.offset('_start')).toBe(11);
    expect(t.offset('start')).toBe(12);
    expect(t.offset('a')).toBe(19);
    expect(t.offset('')).toBe(0);
  });

  it('-M (--print-map) writes the --map to standard output', async () => {
    const m = await rvxLd(['--map', p('x.map'), p('start.s'), src(), '-o', p('m.elf')]);
    expect(m.code).toBe(0);
    const map = readFileSync(p('x.map'), 'utf8');
    expect(map).toMatch(/asmfn/);
    for (const flag of ['-M', '--print-map']) {
      const r = await rvxLd([flag, p('start.s'), src(), '-o', p('m2.elf')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(map);
    }
    expect((await rvxLd(['-M', p('start.s'), '-o', '-'])).code).toBe(125);
  });

  it('-v prints the version line and links; --verbose adds the default script; alone they exit 0', async () => {
    const v = await rvxLd(['-v', p('start.s'), '-o', p('v.elf')]);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^rvx \d+\.\d+\.\d+\n$/);
    expect(existsSync(p('v.elf'))).toBe(true);
    const alone = await rvxLd(['-v']);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toBe(v.stdout);
    const verbose = await rvxLd(['--verbose']);
    expect(verbose.code).toBe(0);
    expect(verbose.stdout).toMatch(/^rvx .*\nusing internal linker script[^\n]*\n=+\n[\s\S]*SECTIONS[\s\S]*\.text[\s\S]*=+\n$/);
    expect(verbose.stdout).toMatch(/0x80000000/);
    expect((await rvxLd(['--verbose', '--text-segment', '0x10000'])).stdout).toMatch(/0x10000 \+ SIZEOF_HEADERS/);
  });

  it('--fatal-warnings fails the link on a warning and writes nothing', async () => {
    for (const f of ['com8', 'com8b']) writeFileSync(p(`${f}.s`), FILES[`${f}.s`]);
    const args = ['--warn-common', p('start.s'), p('com8.s'), p('com8b.s')];
    const ok = await rvxLd([...args, '-o', p('fw.elf')]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/warning: multiple common of 'shared'/);
    const bad = await rvxLd(['--fatal-warnings', ...args, '-o', p('fw2.elf')]);
    expect(bad.code).toBe(126);
    expect(bad.stderr).toMatch(/warning: multiple common[\s\S]*warnings are fatal/);
    expect(existsSync(p('fw2.elf'))).toBe(false);
  });

  it('options rvx ld does not carry out are refused with the reason', async () => {
    for (const [opt, why] of [
      ['--section-start=.mysec=80300000', /no output section '\.mysec'/],
      ['--section-start=.data', /SECTION=ADDR/],
      ['-Tdata=zz', /not a hexadecimal address/],
      ['--build-id', /build-id/],
      ['--build-id=sha1', /build-id/],
      ['--hash-style=gnu', /dynamic/],
      ['-N', /omagic/],
      ['--omagic', /omagic/],
      ['-n', /nmagic/],
      ['--nmagic', /nmagic/],
      ['--emit-relocs', /relocation sections/],
      ['-q', /relocation sections/],
    ] as const) {
      const r = await rvxLd([opt, p('start.s'), '-o', p('no.elf')]);
      expect(r.code, opt).toBe(125);
      expect(r.stderr).toMatch(why);
    }
  });
});
