// rvx ld against GNU ld on gcc's objects (skipped, with a message, without riscv64-unknown-elf-gcc/ld/as/ar).
//
// 1. Same image. C programs of our own (tests/fixtures/ld and tests/fixtures/diff) — string and constant
//    merging, COMDAT groups, linker relaxation (calls, tail calls, gp-relative data, data out of gp's
//    reach, a weak call that stays 0, local-exec TLS), weak/strong symbols, jump tables, libgcc — compiled
//    by gcc at several levels (-O3 with .eh_frame from -fasynchronous-unwind-tables) and linked by GNU ld
//    with a script that gives rvx ld's default layout (tests/fixtures/ld/rvx-layout.ld) and by `rvx ld`
//    (relaxing, its default): every allocated section has the same address and bytes, every global symbol
//    the same value and size (STT_TLS ones, and the TLS locals, as offsets in the TLS template), and the program prints the same under `rvx run`; linked with --no-relax by
//    both, the images are equal too. With -g the image's line and frame tables pass `llvm-dwarfdump --verify`.
// 2. Libraries are searched where they appear on the command line (GNU ld's order), --start-group resolves
//    a cycle between archives: the same members are pulled, and the same links fail, as with GNU ld.

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
const haveGcc = have(GCC) && have(`${PREFIX}ld`) && have(`${PREFIX}as`) && have(`${PREFIX}ar`);
if (!haveGcc) console.warn(`ld-diff: skipped (no ${GCC}/${PREFIX}ld/${PREFIX}as/${PREFIX}ar; set RVX_RISCV_GCC)`);
const DWARFDUMP = process.env.RVX_LLVM_DWARFDUMP ?? 'llvm-dwarfdump';
const haveDwarfdump = haveGcc && have(DWARFDUMP);
if (haveGcc && !haveDwarfdump) console.warn(`ld-diff: DWARF checks skipped (no ${DWARFDUMP}; set RVX_LLVM_DWARFDUMP)`);

const ARCH = ['-march=rv64imac', '-mabi=lp64', '-mcmodel=medany', '-fno-tree-loop-distribute-patterns'];

interface Program {
  name: string;
  files: string[];
  expect: string[];
}

const PROGRAMS: Program[] = [
  { name: 'strings', files: ['strings_a.c', 'strings_b.c'], expect: ['hello, world|world\n', '|not shared\n', 'merge me|merge me\n', 'same=', 'tail: rld\n', 'scaled=21625\n'] },
  { name: 'comdat', files: ['comdat_a.c', 'comdat_b.c'], expect: ['a=22\nb=1029\ncounter=12\n'] },
  { name: 'relax', files: ['relax.c'], expect: ['sum=209\npair=107\ncounter=2\nweak=-1\n'] },
  { name: 'weak', files: ['weak_a.c', 'weak_b.c'], expect: ['call_hook=307', 'only_weak=17', 'never_defined=0', 'strong main'] },
  { name: 'jump', files: ['jump.c', 'jump2.c'], expect: ['three=43', 'one=99', 'op=35', 'shared literal'] },
  { name: 'math', files: ['math.c'], expect: ['i128lo=5581121168354988243', 'poly=28250', 'halve=45', 'udiv=10309319', 'fact=1307674368000'] },
  // Local-exec TLS relaxed to tp-relative accesses; tlsinfo.s (GNU as) reads the layout symbols.
  { name: 'tls', files: ['tls.c', 'tlsinfo.s'], expect: ['counter=5\ncounter=15\nzeroed=-10\nbig3=12\nok\n'] },
];
// The last level is the medlow code model (lui/addi pairs, relaxed to gp-relative or c.lui), linked at
// 0x10000 where lui reaches; rvx run's RAM is at 0x80000000, so its images are compared but not run.
const LEVELS = [['-O0'], ['-O2'], ['-Os'], ['-O2', '-g'], ['-O3', '-fasynchronous-unwind-tables'], ['-O2', '-mcmodel=medlow']];

let dir = '';
let libgcc = '';

function sh(cmd: string, args: string[], cwd = dir): { status: number; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { status: r.status ?? -1, stderr: r.stderr };
}
function must(cmd: string, args: string[]): void {
  const r = sh(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

beforeAll(() => {
  if (!haveGcc) return;
  dir = mkdtempSync(join(tmpdir(), 'rvx-ld-'));
  for (const sub of ['diff', 'ld']) {
    const from = join(__dirname, 'fixtures', sub);
    for (const f of readdirSync(from)) copyFileSync(join(from, f), join(dir, f));
  }
  // The fixtures include "../diff/util.h"; in the flat directory it is next to them.
  for (const f of readdirSync(dir)) if (f.endsWith('.c')) writeFileSync(join(dir, f), readFileSync(join(dir, f), 'utf8').replace('"../diff/util.h"', '"util.h"'));
  libgcc = spawnSync(GCC, [...ARCH, '-print-libgcc-file-name'], { encoding: 'utf8' }).stdout.trim();
  must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', 'crt.s', '-o', 'crt.o']);
  writeFileSync(join(dir, 'rvx-layout-low.ld'), readFileSync(join(dir, 'rvx-layout.ld'), 'utf8').replace('. = 0x80000000;', '. = 0x10000;'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function run(elf: string): Promise<string> {
  const r = await captureMain(runMain, [elf, '--core', 'ideal', '--max-insns', '20000000']);
  return `exit ${r.code}\n${r.stdout}${r.stderr}`;
}

/** Allocated sections with contents (address and bytes; .bss by size), and global symbols' values and sizes. */
function image(path: string): { sections: string[]; symbols: Map<string, string>; tls: string[] } {
  const img = readElf(new Uint8Array(readFileSync(path)));
  const sections = img.sections
    .filter((s) => s.flags & 2 && s.size > 0)
    .map((s) => `${s.name} 0x${s.addr.toString(16)} ${s.type === 8 ? `nobits ${s.size}` : Buffer.from(s.data).toString('hex')}`);
  const symbols = new Map<string, string>();
  for (const s of img.symbols) if (s.bind !== 'local' && s.section) symbols.set(s.name, `0x${s.value.toString(16)} ${s.size} ${s.type === 'tls' ? 'tls' : ''}`);
  // STT_TLS symbols as the file holds them: the offset in the TLS template (readElf gives the address).
  const tls: string[] = [];
  for (const s of img.symbols) if (s.type === 'tls') tls.push(`${s.name} ${s.bind} ${s.section} +0x${(s.value - img.tls!.vaddr).toString(16)} ${s.size}`);
  return { sections, symbols, tls: tls.sort() };
}

describe.skipIf(!haveGcc)('rvx ld and GNU ld give the same image from the same objects', () => {
  for (const p of PROGRAMS) {
    for (const level of LEVELS) {
      const tag = `${p.name}${level.join('')}`;
      it(`${p.name} ${level.join(' ')}`, async () => {
        const objs: string[] = [];
        for (const c of [...p.files, 'util.c']) {
          const o = `${tag}-${c.replace(/\.[cs]$/, '.o')}`;
          if (c.endsWith('.s')) must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', c, '-o', o]);
          else must(GCC, [...ARCH, ...level, '-c', c, '-o', o]);
          objs.push(join(dir, o));
        }
        const inputs = [join(dir, 'crt.o'), ...objs, libgcc];
        const low = level.includes('-mcmodel=medlow');
        const script = low ? 'rvx-layout-low.ld' : 'rvx-layout.ld';
        const gnu = join(dir, `${tag}.gnu.elf`);
        must(`${PREFIX}ld`, ['-T', script, '--no-warn-rwx-segments', ...inputs, '-o', gnu]);
        const rvx = join(dir, `${tag}.rvx.elf`);
        const l = await captureMain(ldMain, ['-T', join(dir, script), ...inputs, '-o', rvx]);
        expect(l.stderr).toBe('');
        expect(l.code).toBe(0);
        const want = image(gnu);
        const got = image(rvx);
        expect(got.sections).toEqual(want.sections);
        for (const [name, v] of want.symbols) if (got.symbols.has(name)) expect(`${name} ${got.symbols.get(name)}`).toBe(`${name} ${v}`);
        expect(got.tls).toEqual(want.tls);
        if (p.name === 'tls') {
          // The raw .symtab entries (readelf): STT_TLS, value = offset in the PT_TLS segment, as GNU ld.
          const raw = (elf: string) =>
            spawnSync('readelf', ['-sW', elf], { encoding: 'utf8' }).stdout.split('\n').filter((l) => / TLS /.test(l)).map((l) => l.trim().split(/\s+/).slice(1).join(' ').replace(/ \d+ (\S+)$/, ' $1')).sort();
          const want = raw(gnu);
          expect(want.length).toBeGreaterThan(3);
          expect(raw(rvx)).toEqual(want);
        }
        const out = low ? '' : await run(gnu);
        if (!low) {
          expect(out.startsWith('exit 0\n')).toBe(true);
          for (const line of p.expect) expect(out).toContain(line);
          expect(await run(rvx)).toBe(out);
        }
        // Without relaxation (GNU ld still trims R_RISCV_ALIGN padding, and so does rvx): the same image too.
        const plain = join(dir, `${tag}.norelax.elf`);
        const gnuPlain = join(dir, `${tag}.gnu-norelax.elf`);
        must(`${PREFIX}ld`, ['--no-relax', '-T', script, '--no-warn-rwx-segments', ...inputs, '-o', gnuPlain]);
        const l2 = await captureMain(ldMain, ['--no-relax', '-T', join(dir, script), ...inputs, '-o', plain]);
        expect(l2.stderr).toBe('');
        expect(image(plain).sections).toEqual(image(gnuPlain).sections);
        if (!low) expect(await run(plain)).toBe(out);
        if (level.includes('-g') && haveDwarfdump) {
          for (const what of ['--debug-line', '--debug-frame']) {
            const r = spawnSync(DWARFDUMP, ['--verify', what, rvx], { encoding: 'utf8', timeout: 60_000 });
            expect(r.stdout).toContain('No errors.');
          }
        }
      });
    }
  }
});

describe.skipIf(!haveGcc)('libraries are searched where they appear, as GNU ld searches them', () => {
  const sources: Record<string, string> = {
    'lmain.c': '#include "util.h"\nextern int pick(void);\nextern int cycle_start(int);\nint main(void) { out_line("pick", pick()); out_line("cycle", cycle_start(3)); return 0; }\n',
    'pick1.c': 'int pick(void) { return 1; }\n',
    'pick2.c': 'int pick(void) { return 2; }\n',
    // A cycle: cycle_start (libx) needs middle (liby), which needs finish (libx, another member).
    'xstart.c': 'extern int middle(int);\nint cycle_start(int x) { return middle(x) + 1; }\n',
    'xfinish.c': 'int finish(int x) { return x * 100; }\n',
    'ymiddle.c': 'extern int finish(int);\nint middle(int x) { return finish(x) + 10; }\n',
  };
  beforeAll(() => {
    if (!haveGcc) return;
    for (const [name, text] of Object.entries(sources)) {
      writeFileSync(join(dir, name), text);
      must(GCC, [...ARCH, '-O2', '-c', name, '-o', name.replace(/\.c$/, '.o')]);
    }
    must(GCC, [...ARCH, '-O2', '-c', 'util.c', '-o', 'lib-util.o']);
    for (const [lib, members] of [['libp1.a', ['pick1.o']], ['libp2.a', ['pick2.o']], ['libx.a', ['xstart.o', 'xfinish.o']], ['liby.a', ['ymiddle.o']]] as const) {
      must(`${PREFIX}ar`, ['rcs', lib, ...members]);
    }
  });

  const cases: { name: string; args: string[]; out?: string }[] = [
    { name: 'the first library that defines a symbol wins', args: ['-lp1', '-lp2', '-lx', '-ly', '-lx'], out: 'pick=1\ncycle=311\n' },
    { name: 'in command-line order', args: ['-lp2', '-lp1', '-lx', '-ly', '-lx'], out: 'pick=2\ncycle=311\n' },
    { name: 'a group resolves the cycle', args: ['-lp1', '--start-group', '-lx', '-ly', '--end-group'], out: 'pick=1\ncycle=311\n' },
    { name: 'a cycle without a group fails', args: ['-lp1', '-lx', '-ly'] },
    { name: 'a library before its user is not searched again', args: ['-lp1'], },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const before = c.name.startsWith('a library before');
      const objs = before ? ['crt.o', '-L.', ...c.args, 'lmain.o', 'lib-util.o', '-lx', '-ly', '-lx'] : ['crt.o', 'lmain.o', 'lib-util.o', '-L.', ...c.args];
      const gnuElf = join(dir, 'lib-gnu.elf');
      const g = sh(`${PREFIX}ld`, ['-T', 'rvx-layout.ld', '--no-warn-rwx-segments', ...objs, libgcc, '-o', gnuElf]);
      const rvxElf = join(dir, 'lib-rvx.elf');
      const prev = process.cwd();
      process.chdir(dir);
      let r;
      try {
        r = await captureMain(ldMain, ['-T', join(dir, 'rvx-layout.ld'), ...objs, libgcc, '-o', rvxElf]);
      } finally {
        process.chdir(prev);
      }
      if (c.out === undefined) {
        expect(g.status).not.toBe(0);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/undefined symbol '(finish|pick)'/);
        return;
      }
      expect(g.status).toBe(0);
      expect(r.stderr).toBe('');
      const out = await run(gnuElf);
      expect(out).toBe(`exit 0\n${c.out}`);
      expect(await run(rvxElf)).toBe(out);
      expect(image(rvxElf).sections).toEqual(image(gnuElf).sections);
    });
  }
});

describe.skipIf(!haveGcc)('rvx asm writes .eh_frame for .cfi_* as GNU as does', () => {
  it('the interpreted frames equal GNU as, verify, and link and run both ways', async () => {
    const { main: asmMain } = await import('../tools/commands/asm.js');
    const srcs: string[] = [];
    const rvxObjs: string[] = [];
    for (const c of ['relax.c', 'util.c']) {
      const s = join(dir, `eh-${c.replace(/\.c$/, '.s')}`);
      must(GCC, [...ARCH, '-O2', '-fasynchronous-unwind-tables', '-S', c, '-o', s]);
      const o = s.replace(/\.s$/, '.rvx.o');
      const g = s.replace(/\.s$/, '.gnu.o');
      const r = await captureMain(asmMain, ['-c', '--no-relax', s, '-o', o]);
      expect(r.stderr).toBe('');
      must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', '-mno-relax', s, '-o', g]);
      const frames = (f: string) =>
        spawnSync(`${PREFIX}readelf`, ['--debug-dump=frames-interp', f], { encoding: 'utf8' }).stdout.split('\n').filter((l) => !/FDE|^Contents/.test(l)).join('\n');
      expect(frames(o)).toContain('CFA');
      expect(frames(o)).toBe(frames(g));
      if (haveDwarfdump) expect(spawnSync(DWARFDUMP, ['--verify', '--eh-frame', o], { encoding: 'utf8' }).stdout).toContain('No errors.');
      srcs.push(s);
      rvxObjs.push(o);
    }
    const viaGnu = join(dir, 'eh-gnu.elf');
    must(`${PREFIX}ld`, ['-T', 'rvx-layout.ld', '--no-warn-rwx-segments', 'crt.o', ...rvxObjs, libgcc, '-o', viaGnu]);
    const viaRvx = join(dir, 'eh-rvx.elf');
    const l = await captureMain(ldMain, ['-T', join(dir, 'rvx-layout.ld'), join(dir, 'crt.s'), ...srcs, libgcc, '-o', viaRvx]);
    expect(l.stderr).toBe('');
    const out = await run(viaGnu);
    expect(out).toContain('sum=209\n');
    expect(await run(viaRvx)).toBe(out);
    for (const elf of [viaGnu, viaRvx]) {
      expect(spawnSync(`${PREFIX}readelf`, ['--debug-dump=frames', elf], { encoding: 'utf8' }).stdout.match(/ FDE /g)?.length).toBe(10);
      if (haveDwarfdump) expect(spawnSync(DWARFDUMP, ['--verify', '--eh-frame', elf], { encoding: 'utf8' }).stdout).toContain('No errors.');
    }
  });
});

describe.skipIf(!haveGcc)('gcc -flto objects', () => {
  it('a slim LTO object is refused with the reason; a fat one (-ffat-lto-objects) links as GNU ld links it', async () => {
    writeFileSync(join(dir, 'lto_a.c'), 'int add(int a, int b) { return a + b; }\n');
    writeFileSync(join(dir, 'lto_b.c'), 'int add(int, int);\nint main(void) { return add(1, 2); }\n');
    for (const f of ['lto_a', 'lto_b']) {
      must(GCC, [...ARCH, '-O2', '-flto', '-c', `${f}.c`, '-o', `${f}.slim.o`]);
      must(GCC, [...ARCH, '-O2', '-flto', '-ffat-lto-objects', '-c', `${f}.c`, '-o', `${f}.fat.o`]);
    }
    const slim = await captureMain(ldMain, ['-e', 'main', join(dir, 'lto_a.slim.o'), join(dir, 'lto_b.slim.o'), '-o', join(dir, 'lto-slim.elf')]);
    expect(slim.code).toBe(126);
    expect(slim.stderr).toContain('lto_a.slim.o: error: a GCC link-time-optimisation object (-flto)');
    expect(slim.stderr).toContain('-ffat-lto-objects');
    const fat = await captureMain(ldMain, ['-e', 'main', join(dir, 'lto_a.fat.o'), join(dir, 'lto_b.fat.o'), '-o', join(dir, 'lto-fat.elf')]);
    expect(fat.stderr).toBe('');
    must(`${PREFIX}ld`, ['-e', 'main', '-Ttext-segment=0x80000000', 'lto_a.fat.o', 'lto_b.fat.o', '-o', 'lto-fat-gnu.elf']);
    expect(image(join(dir, 'lto-fat.elf'))).toEqual(image(join(dir, 'lto-fat-gnu.elf')));
  });
});
