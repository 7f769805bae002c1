// rvx ld against GNU ld on position-independent code (skipped, with a message, without
// riscv64-unknown-elf-gcc/ld/as/readelf/objcopy). tests/fixtures/pic: a -fPIC C program of our own (globals of
// another file through the GOT, function pointers, general-dynamic TLS extern and static, initial-exec TLS)
// and assembly taking GOT slots for local labels and a local thread-local, compiled at -O0, -O2 and -Os.
//   1. gcc's objects (GNU as) linked by `riscv64-unknown-elf-ld -Ttext-segment=0x80000000` and by `rvx ld`:
//      the section headers (name, type, address, size, entry size, flags, link, alignment; .symtab and
//      string tables aside), the loaded image (`objcopy -O binary`), the symbol table (as `readelf -s` lists
//      it, in order) and the program headers are the same, and so is the output under `rvx run`.
//   2. gcc -S assembled by `rvx asm -c --compat gnu` and linked by `rvx ld`: the image GNU as + GNU ld make.
//   3. With a linker script that names no GOT section (the GOT and .rela.dyn are orphans): same sections,
//      loaded image and program headers.
// And the order of global GOT slots, GNU ld's symbol-hash order, for names whose order GNU ld shows.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as asmMain } from '../tools/commands/asm.js';
import { main as ldMain } from '../tools/commands/ld.js';
import { main as runMain } from '../tools/commands/run.js';
import { readElf } from '../tools/elf/read.js';
import { bfdHash, hashTraversalOrder } from '../tools/ld/got.js';
import { captureMain } from './helpers/cli.js';

const GCC = process.env.RVX_RISCV_GCC ?? 'riscv64-unknown-elf-gcc';
const PREFIX = GCC.replace(/gcc$/, '');
const have = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const haveGcc = have(GCC) && have(`${PREFIX}ld`) && have(`${PREFIX}as`) && have(`${PREFIX}readelf`) && have(`${PREFIX}objcopy`);
if (!haveGcc) console.warn(`ld-pic: skipped (no ${GCC}/${PREFIX}ld/${PREFIX}as/${PREFIX}readelf/${PREFIX}objcopy; set RVX_RISCV_GCC)`);
const ARCH = ['-march=rv64imac', '-mabi=lp64', '-mcmodel=medany', '-fno-tree-loop-distribute-patterns', '-fPIC'];
const EXPECT = 'pic program\nsum=55\ntable=100\nop=10\nop=4\nop=21\nhook=105\ntls=131543\ngot=1244\n';

let dir = '';
function must(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  if (!haveGcc) return;
  dir = mkdtempSync(join(tmpdir(), 'rvx-ld-pic-'));
  for (const sub of ['diff', 'pic']) {
    const from = join(__dirname, 'fixtures', sub);
    for (const f of readdirSync(from)) copyFileSync(join(from, f), join(dir, f));
  }
  must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', 'crt.s', '-o', 'crt.o']);
  must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', 'tlsinfo.s', '-o', 'tlsinfo.o']);
  must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', 'picgot.s', '-o', 'picgot.o']);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Section headers as readelf shows them, without file offsets; the symbol and string tables aside. */
function sectionHeaders(path: string, allocOnly = false): string[] {
  return must(`${PREFIX}readelf`, ['-SW', path])
    .split('\n')
    .filter((l) => /^\s+\[\s*\d+\]/.test(l))
    .map((l) => l.replace(/^\s+\[\s*\d+\]\s*/, '').trim().split(/\s+/))
    .filter((f) => !['.symtab', '.strtab', '.shstrtab'].includes(f[0]) && (!allocOnly || /A/.test(f[6] ?? '')))
    .map((f) => [f[0], f[1], f[2], f[4], f[5], ...f.slice(6)].join(' '));
}

function loaded(path: string): string {
  must(`${PREFIX}objcopy`, ['-O', 'binary', path, `${path}.bin`]);
  return readFileSync(`${path}.bin`).toString('hex');
}

function symbols(path: string): string[] {
  return readElf(new Uint8Array(readFileSync(path)))
    .symbols.filter((s) => s.type !== 'file' && s.type !== 'section' && !s.name.startsWith('$x'))
    .map((s) => `${s.name} 0x${s.value.toString(16)} ${s.bind} ${s.type} ${s.section ?? 'ABS'}`)
    .sort();
}

function phdrs(path: string): string[] {
  return must(`${PREFIX}readelf`, ['-lW', path])
    .split('\n')
    .filter((l) => /^\s+(LOAD|TLS)/.test(l))
    .map((l) => l.trim().replace(/\s+/g, ' '));
}

async function run(elf: string): Promise<string> {
  const r = await captureMain(runMain, [elf, '--core', 'ideal', '--max-insns', '20000000']);
  return `exit ${r.code}\n${r.stdout}`;
}

async function rvxLd(args: string[]): Promise<void> {
  const l = await captureMain(ldMain, args);
  expect(l.stderr).toBe('');
  expect(l.code).toBe(0);
}

const LEVELS = ['-O0', '-O2', '-Os'];

describe.skipIf(!haveGcc)('-fPIC code linked by rvx ld as by GNU ld', () => {
  for (const level of LEVELS) {
    it(`gcc ${level} -fPIC objects: same sections, loaded bytes, symbols, program headers and output`, async () => {
      const objs = ['pic_main', 'pic_lib', 'util'].map((c) => {
        must(GCC, [...ARCH, level, '-c', `${c}.c`, '-o', `${c}${level}.o`]);
        return `${c}${level}.o`;
      });
      const inputs = ['crt.o', objs[0], objs[1], 'picgot.o', objs[2], 'tlsinfo.o', 'tls.ld'].map((f) => join(dir, f));
      const gnu = join(dir, `pic${level}.gnu.elf`);
      const rvx = join(dir, `pic${level}.rvx.elf`);
      must(`${PREFIX}ld`, ['-Ttext-segment=0x80000000', ...inputs, '-o', gnu]);
      await rvxLd([...inputs, '-o', rvx]);
      const headers = sectionHeaders(gnu);
      expect(headers.some((h) => h.startsWith('.rela.dyn RELA'))).toBe(true);
      expect(headers.some((h) => h.startsWith('.got PROGBITS'))).toBe(true);
      expect(sectionHeaders(rvx)).toEqual(headers);
      expect(loaded(rvx)).toBe(loaded(gnu));
      expect(symbols(rvx)).toEqual(symbols(gnu));
      // The whole symbol table in GNU ld's order (tools/ld/symtab.ts), as readelf lists it.
      const symtab = (path: string) => must(`${PREFIX}readelf`, ['-sW', path]).split('\n').filter((l) => /^\s+\d+:/.test(l));
      expect(symtab(rvx)).toEqual(symtab(gnu));
      expect(phdrs(rvx)).toEqual(phdrs(gnu));
      const out = await run(gnu);
      expect(out).toBe(`exit 0\n${EXPECT}`);
      expect(await run(rvx)).toBe(out);
    });

    it(`gcc ${level} -fPIC -S, rvx asm -c --compat gnu, rvx ld: GNU as + GNU ld's image`, async () => {
      const gnuObjs: string[] = [];
      const rvxObjs: string[] = [];
      for (const c of ['pic_main', 'pic_lib', 'util']) {
        must(GCC, [...ARCH, level, '-S', `${c}.c`, '-o', `${c}${level}.s`]);
        must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', `${c}${level}.s`, '-o', `${c}${level}.gas.o`]);
        const a = await captureMain(asmMain, ['-c', '--compat', 'gnu', join(dir, `${c}${level}.s`), '-o', join(dir, `${c}${level}.rvx.o`)]);
        expect(a.stderr).toBe('');
        gnuObjs.push(`${c}${level}.gas.o`);
        rvxObjs.push(`${c}${level}.rvx.o`);
      }
      const a = await captureMain(asmMain, ['-c', '--compat', 'gnu', join(dir, 'picgot.s'), '-o', join(dir, 'picgot.rvx.o')]);
      expect(a.stderr).toBe('');
      const order = (o: string[], p: string) => ['crt.o', o[0], o[1], p, o[2], 'tlsinfo.o', 'tls.ld'].map((f) => join(dir, f));
      const gnu = join(dir, `pics${level}.gnu.elf`);
      const rvx = join(dir, `pics${level}.rvx.elf`);
      must(`${PREFIX}ld`, ['-Ttext-segment=0x80000000', ...order(gnuObjs, 'picgot.o'), '-o', gnu]);
      await rvxLd([...order(rvxObjs, 'picgot.rvx.o'), '-o', rvx]);
      expect(sectionHeaders(rvx)).toEqual(sectionHeaders(gnu));
      expect(loaded(rvx)).toBe(loaded(gnu));
      expect(await run(rvx)).toBe(`exit 0\n${EXPECT}`);
    });
  }

  it('every GOT form in GNU as\'s object (%got_pcrel_hi, la under .option pic, la.tls.gd, la.tls.ie): the same image', async () => {
    must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', 'gotforms.s', '-o', 'gotforms.o']);
    const gnu = join(dir, 'gotforms.gnu.elf');
    const rvx = join(dir, 'gotforms.rvx.elf');
    must(`${PREFIX}ld`, ['-Ttext-segment=0x80000000', join(dir, 'gotforms.o'), '-o', gnu]);
    await rvxLd([join(dir, 'gotforms.o'), '-o', rvx]);
    expect(sectionHeaders(rvx)).toEqual(sectionHeaders(gnu));
    expect(loaded(rvx)).toBe(loaded(gnu));
    expect(symbols(rvx)).toEqual(symbols(gnu));
  });

  it('with a linker script that names no GOT section: the GOT and .rela.dyn placed as GNU ld places orphans', async () => {
    const objs = ['pic_main', 'pic_lib', 'util'].map((c) => {
      must(GCC, [...ARCH, '-O2', '-c', `${c}.c`, '-o', `${c}-script.o`]);
      return `${c}-script.o`;
    });
    const inputs = ['crt.o', objs[0], objs[1], 'picgot.o', objs[2], 'tlsinfo.o', 'tls.ld'].map((f) => join(dir, f));
    const gnu = join(dir, 'pic-script.gnu.elf');
    const rvx = join(dir, 'pic-script.rvx.elf');
    must(`${PREFIX}ld`, ['--no-warn-rwx-segments', '-T', join(dir, 'pic-script.ld'), ...inputs, '-o', gnu]);
    await rvxLd(['-T', join(dir, 'pic-script.ld'), ...inputs, '-o', rvx]);
    const headers = sectionHeaders(gnu, true);
    expect(headers.map((h) => h.split(' ')[0])).toContain('.got.plt');
    expect(sectionHeaders(rvx, true)).toEqual(headers);
    expect(loaded(rvx)).toBe(loaded(gnu));
    // .bss and then .tdata in its last page: one PT_LOAD, .bss written out as zeros.
    expect(phdrs(rvx)).toEqual(phdrs(gnu));
    expect(await run(rvx)).toBe(`exit 0\n${EXPECT}`);
  });
});

describe('GOT slot order of global symbols', () => {
  it("is GNU ld's symbol-hash traversal order (as GNU ld 2.40 laid out tests/fixtures/diff/pic.c's GOT)", () => {
    const inserted = ['shared_value', 'shared_ptr', 'greeting', 'gd_var', 'ie_var', 'fp', 'tls_layout'];
    expect(hashTraversalOrder(inserted)).toEqual(['greeting', 'fp', 'ie_var', 'tls_layout', 'gd_var', 'shared_ptr', 'shared_value']);
  });
  it('keeps names of one bucket newest first, and rehashes as the table grows past 3/4 full (4051, 4093, 8191 buckets)', () => {
    const bucket = (n: string, size: number) => Number(bfdHash(n) % BigInt(size));
    const first = 'alpha';
    let other = '';
    for (let i = 0; !other; i++) if (bucket(`sym_${i}`, 4051) === bucket(first, 4051) && bfdHash(`sym_${i}`) !== bfdHash(first)) other = `sym_${i}`;
    expect(hashTraversalOrder([first, other])).toEqual([other, first]);
    expect(hashTraversalOrder([other, first])).toEqual([first, other]);
    // 3100 names: past 3038 the table has 4093 buckets, past 3069 8191; the traversal is in bucket order.
    const many = Array.from({ length: 3100 }, (_, i) => `name_${i}`);
    const order = hashTraversalOrder(many);
    expect(new Set(order).size).toBe(3100);
    const buckets = order.map((n) => bucket(n, 8191));
    expect(buckets).toEqual(buckets.slice().sort((a, b) => a - b));
    expect(many.slice(0, 3000).map((n) => bucket(n, 4051))).not.toEqual(hashTraversalOrder(many.slice(0, 3000)).map((n) => bucket(n, 4051)));
    const small = hashTraversalOrder(many.slice(0, 3000)).map((n) => bucket(n, 4051));
    expect(small).toEqual(small.slice().sort((a, b) => a - b));
  });
});
