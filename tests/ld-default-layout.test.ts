// rvx ld without a script lays the image out as GNU ld 2.40 does with its default script (skipped, with a
// message, without riscv64-unknown-elf-gcc/ld/as): gcc's objects for the differential programs of ld-diff
// (tests/fixtures/ld, tests/fixtures/diff) and libgcc, linked by `riscv64-unknown-elf-ld -Ttext-segment=
// 0x80000000` and by `rvx ld` (whose default text segment is 0x80000000): every allocated section has the
// same address, flags and bytes, every symbol the same value, binding and section, the program headers are
// the same (type, offset, addresses, sizes, flags; the ELF and program headers loaded at the start of the text
// segment, the data segment on the next page), `readelf -s` (the whole symbol table, in order) and `readelf -S`
// (all section headers but the symbol and string tables') print the same lines, and the program prints the
// same under `rvx run`. With GNU's
// default -Ttext-segment (0x10000) the images are compared too (not run: rvx run's RAM is at 0x80000000).

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as ldMain } from '../tools/commands/ld.js';
import { main as runMain } from '../tools/commands/run.js';
import { readElf } from '../tools/elf/read.js';
import { captureMain } from './helpers/cli.js';

const GCC = process.env.RVX_RISCV_GCC ?? 'riscv64-unknown-elf-gcc';
const PREFIX = GCC.replace(/gcc$/, '');
const have = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const haveGcc = have(GCC) && have(`${PREFIX}ld`) && have(`${PREFIX}as`) && have(`${PREFIX}readelf`);
if (!haveGcc) console.warn(`ld-default-layout: skipped (no ${GCC}/${PREFIX}ld/${PREFIX}as/${PREFIX}readelf; set RVX_RISCV_GCC)`);
const ARCH = ['-march=rv64imac', '-mabi=lp64', '-mcmodel=medany', '-fno-tree-loop-distribute-patterns'];

const PROGRAMS: { name: string; files: string[]; expect: string; extra?: string[] }[] = [
  { name: 'strings', files: ['strings_a.c', 'strings_b.c'], expect: 'hello, world|world\n' },
  { name: 'comdat', files: ['comdat_a.c', 'comdat_b.c'], expect: 'a=22\nb=1029\ncounter=12\n' },
  { name: 'relax', files: ['relax.c'], expect: 'sum=209\npair=107\ncounter=2\nweak=-1\n' },
  { name: 'weak', files: ['weak_a.c', 'weak_b.c'], expect: 'strong main' },
  { name: 'jump', files: ['jump.c', 'jump2.c'], expect: 'three=43' },
  { name: 'math', files: ['math.c'], expect: 'fact=1307674368000' },
  { name: 'ctor', files: ['ctor.c'], expect: '' },
  // tls.ld (assignments only) is given to both linkers as an input: GNU's implicit linker script.
  { name: 'tls', files: ['tls.c', 'tlsinfo.s'], expect: 'counter=5\ncounter=15\nzeroed=-10\nbig3=12\nok\n', extra: ['tls.ld'] },
];
const LEVELS = [['-O0'], ['-O2'], ['-Os'], ['-O2', '-g'], ['-O3', '-fasynchronous-unwind-tables']];

let dir = '';
let libgcc = '';
function must(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  if (!haveGcc) return;
  dir = mkdtempSync(join(tmpdir(), 'rvx-ld-default-'));
  for (const sub of ['diff', 'ld']) {
    const from = join(__dirname, 'fixtures', sub);
    for (const f of readdirSync(from)) copyFileSync(join(from, f), join(dir, f));
  }
  for (const f of readdirSync(dir)) if (f.endsWith('.c')) writeFileSync(join(dir, f), readFileSync(join(dir, f), 'utf8').replace('"../diff/util.h"', '"util.h"'));
  libgcc = spawnSync(GCC, [...ARCH, '-print-libgcc-file-name'], { encoding: 'utf8' }).stdout.trim();
  must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', 'crt.s', '-o', 'crt.o']);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function image(path: string): { sections: string[]; symbols: string[]; phdrs: string[] } {
  const img = readElf(new Uint8Array(readFileSync(path)));
  const sections = img.sections
    .filter((s) => s.flags & 2)
    .map((s) => `${s.name} 0x${s.addr.toString(16)} flags=${s.flags.toString(16)} ${s.type === 8 ? `nobits ${s.size}` : Buffer.from(s.data).toString('hex')}`);
  const symbols = img.symbols
    .filter((s) => s.type !== 'file' && s.type !== 'section' && !s.name.startsWith('$x'))
    .map((s) => `${s.name} 0x${s.value.toString(16)} ${s.bind} ${s.section ?? 'ABS'}`)
    .sort();
  // Program headers as readelf lists them (all types).
  const phdrs = spawnSync(`${PREFIX}readelf`, ['-lW', path], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => /^\s+(LOAD|TLS|RISCV_ATTRIBUT|GNU_EH_FRAME)/.test(l))
    .map((l) => l.trim().replace(/\s+/g, ' '))
    // Where .riscv.attributes lies in the file (among the non-allocated sections) is not compared.
    .map((l) => l.replace(/^(RISCV_ATTRIBUT) 0x[0-9a-f]+/, '$1'));
  return { sections, symbols, phdrs };
}

function readelf(path: string, flag: string): string[] {
  return spawnSync(`${PREFIX}readelf`, [flag, path], { encoding: 'utf8' }).stdout.split('\n').filter((l) => /^\s+\[?\s*\d+[\]:]/.test(l));
}

async function run(elf: string): Promise<string> {
  const r = await captureMain(runMain, [elf, '--core', 'ideal', '--max-insns', '20000000']);
  return `exit ${r.code}\n${r.stdout}`;
}

describe.skipIf(!haveGcc)("rvx ld's default layout is GNU ld's", () => {
  for (const p of PROGRAMS) {
    for (const level of LEVELS) {
      it(`${p.name} ${level.join(' ')}`, async () => {
        const tag = `${p.name}${level.join('')}`;
        const objs: string[] = [];
        for (const c of [...p.files, 'util.c']) {
          const o = `${tag}-${c.replace(/\.[cs]$/, '.o')}`;
          if (c.endsWith('.s')) must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', c, '-o', o]);
          else must(GCC, [...ARCH, ...level, '-c', c, '-o', o]);
          objs.push(join(dir, o));
        }
        const inputs = [join(dir, 'crt.o'), ...objs, libgcc, ...(p.extra ?? []).map((f) => join(dir, f))];
        for (const seg of ['0x80000000', '0x10000']) {
          const gnu = join(dir, `${tag}-${seg}.gnu.elf`);
          const rvx = join(dir, `${tag}-${seg}.rvx.elf`);
          must(`${PREFIX}ld`, [`-Ttext-segment=${seg}`, ...inputs, '-o', gnu]);
          const l = await captureMain(ldMain, [...(seg === '0x10000' ? ['-Ttext-segment', seg] : []), ...inputs, '-o', rvx]);
          expect(l.stderr).toBe('');
          expect(l.code).toBe(0);
          const want = image(gnu);
          const got = image(rvx);
          expect(got.sections).toEqual(want.sections);
          expect(got.symbols).toEqual(want.symbols);
          expect(got.phdrs).toEqual(want.phdrs);
          // The whole symbol table as readelf shows it: GNU ld's order (section symbols, inputs' locals with
          // mapping symbols, linker-made locals, globals in its hash-table order) and the same section headers.
          expect(readelf(rvx, '-sW')).toEqual(readelf(gnu, '-sW'));
          expect(readelf(rvx, '-SW').filter((l) => !/\.(sym|str|shstr)tab /.test(l))).toEqual(readelf(gnu, '-SW').filter((l) => !/\.(sym|str|shstr)tab /.test(l)));
          if (seg === '0x80000000') {
            const out = await run(gnu);
            expect(out.startsWith('exit 0\n')).toBe(true);
            expect(out).toContain(p.expect);
            expect(await run(rvx)).toBe(out);
          }
        }
      });
    }
  }
});

describe.skipIf(!haveGcc)('allocated orphans in the default layout', () => {
  // A heap or stack section of the program's own (no description of the default script names it), in an
  // object with a .comment as gcc's objects have: GNU ld places it after .bss and before the assignments that
  // end the image (the next output section statement of its script, .stab, has no inputs), so __BSS_END__,
  // _end and end are past it (a newlib-style sbrk starts its heap at end).
  const ORPHANS = `	.text
	.globl _start
_start:	.option push
	.option norelax
	la gp, __global_pointer$
	.option pop
	la a0, _end
	.bss
	.space 16
	.section .heap,"aw",@nobits
	.space 256
	.section .noinit,"aw",@nobits
	.space 24
	.section .mydata,"aw",@progbits
	.dword 7
	.section .comment,"MS",@progbits,1
	.string "GCC: (GNU) 12.2.0"
`;
  it('.heap, .noinit and .mydata: the same addresses and symbols as GNU ld', async () => {
    writeFileSync(join(dir, 'orphans.s'), ORPHANS);
    must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', 'orphans.s', '-o', 'orphans.o']);
    for (const seg of ['0x80000000', '0x10000']) {
      const gnu = join(dir, `orphans-${seg}.gnu.elf`);
      const rvx = join(dir, `orphans-${seg}.rvx.elf`);
      must(`${PREFIX}ld`, [`-Ttext-segment=${seg}`, join(dir, 'orphans.o'), '-o', gnu]);
      const l = await captureMain(ldMain, ['-Ttext-segment', seg, join(dir, 'orphans.o'), '-o', rvx]);
      expect(l.stderr).toBe('');
      const want = image(gnu);
      expect(want.symbols.find((s) => s.startsWith('_end '))).toMatch(/^_end 0x[0-9a-f]+ global \.noinit$/);
      expect(image(rvx)).toEqual(want);
    }
  });
});
