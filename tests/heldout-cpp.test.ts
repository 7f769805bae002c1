// Optional held-out check of the assembler and linker on C++ compiler output: g++ 12 (freestanding: this
// toolchain has no libstdc++/libsupc++) on the Embedded Template Library (https://github.com/ETLCPP/etl, with
// ETL_NO_STL; third-party code, not part of rvx) driven by tests/fixtures/cpp/etl_demo.cpp, and on C++ of our
// own in tests/fixtures/cpp: classes with virtual functions, templates and inline functions instantiated in
// two files (COMDAT groups, weak definitions), static constructors and destructors (.init_array, __cxa_atexit),
// guard variables of function-local statics, extern "C", anonymous namespaces, a small runtime of our own
// (runtime.cpp), and two files built with exceptions (exc_a.cpp, exc_b.cpp: .cfi_personality, .cfi_lsda,
// .gcc_except_table, DW.ref.__gxx_personality_v0 in a COMDAT group) linked against stand-ins for libsupc++
// (exc_stubs.cpp; the program never throws). Point RVX_HELDOUT_CPP at a directory holding an ETL checkout
// named etl (etl/include/etl/vector.h). At -O0, -O2, -Os, -O2 -g, -O2 -fPIC (rv64gc/lp64d) and -O2
// (rv64imac/lp64), with picolibc and libgcc:
//   every .s assembled by riscv64-unknown-elf-as and by `rvx asm -c --compat gnu` gives the same allocated
//     sections (bytes, relocations with R_RISCV_RELAX/ALIGN; .eh_frame and .gcc_except_table included), the
//     same symbols, the same section groups (`readelf -g`) and no diagnostics; the .eh_frame interprets the
//     same (readelf frames-interp) with the same personality routines, encodings and LSDA targets;
//   GNU ld and `rvx ld`, each on GNU's and on rvx's objects, give byte-identical loaded images (compared
//     function by function on a mismatch), which under `rvx run` print the same after the same number of
//     instructions; `rvx asm -c` in its default (LLVM-choice) mode, linked by `rvx ld` (all
//     levels but -O0), and the assembly linked straight by `rvx ld` (-O0, -O2 -fPIC), print the same.
// Skipped when RVX_HELDOUT_CPP is unset or g++ and the GNU tools are absent.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as asmMain } from '../tools/commands/asm.js';
import { main as ldMain } from '../tools/commands/ld.js';
import { readObject } from '../tools/elf/object.js';
import { captureMain } from './helpers/cli.js';
import { describeObject, GCC, heldoutReady, must, PICOLIBC_BOARD, PREFIX, runStats as run, sameLoadedBytes, startupFile } from './helpers/heldout.js';

const ROOT = process.env.RVX_HELDOUT_CPP ?? '';
if (ROOT === '') console.warn('heldout-cpp: skipped (set RVX_HELDOUT_CPP to a directory holding an ETL checkout named etl)');
const GXX = GCC.replace(/gcc$/, 'g++');
const haveGxx = ROOT !== '' && spawnSync(GXX, ['--version'], { encoding: 'utf8' }).status === 0;
if (ROOT !== '' && !haveGxx) console.warn(`heldout-cpp: skipped (needs ${GXX})`);
const ETL = join(ROOT, 'etl', 'include');
const present = haveGxx && heldoutReady('heldout-cpp', ROOT) && existsSync(join(ETL, 'etl', 'vector.h'));
if (haveGxx && !present && ROOT !== '') console.warn(`heldout-cpp: skipped (no ${join(ETL, 'etl', 'vector.h')} or GNU tools)`);

const FIXTURES = join(__dirname, 'fixtures', 'cpp');

// The start-up file: FPU on when the hart has F or D, static constructors (picolibc's __libc_init_array),
// main, exit (which runs the .fini_array); a 256 KiB stack and a 1 MiB heap for malloc.
const CRT0 = startupFile({ stack: 262144, heap: 1048576, fpuFromMisa: true, initArray: true, tlsBlock: false });

/** Our C++ without exceptions, and the two files built with them. */
const PLAIN = ['main.cpp', 'shapes_a.cpp', 'shapes_b.cpp', 'runtime.cpp', 'exc_stubs.cpp', 'etl_demo.cpp'];
const WITH_EXCEPTIONS = ['exc_a.cpp', 'exc_b.cpp'];

// What the program prints (known answers: ETL's CRC-32 check value, the constructors before main, the
// destructors after it in reverse order).
const EXPECT = [
  'construct a', 'construct b2', 'counter initialised', 'crc32(123456789) cbf43926', 'legs 8', 'exceptions: 41 57',
  'destruct b2', 'destruct a',
];

const RV64GC = ['-march=rv64gc', '-mabi=lp64d'];
const LEVELS = [['-O0', ...RV64GC], ['-O2', ...RV64GC], ['-Os', ...RV64GC], ['-O2', '-g', ...RV64GC], ['-O2', '-fPIC', ...RV64GC], ['-O2', '-march=rv64imac', '-mabi=lp64']];

const dir = present ? mkdtempSync(join(tmpdir(), 'rvx-heldout-cpp-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const option = (level: string[], name: string) => level.find((o) => o.startsWith(`-${name}=`))!.slice(name.length + 2);

/** `readelf -g` with section indexes left out (the groups by their signatures and members' names). */
const groups = (o: string) => must(`${PREFIX}readelf`, ['-gW', o]).replace(/^File: .*$/m, '').replace(/\[\s*\d+\]/g, '[]');

/**
 * The .eh_frame of an object or image as a reader of it sees it (.debug_frame, encoded differently, left out): the interpreted table (readelf frames-interp, record
 * offsets left out), each CIE's augmentation with its personality pointer's encoding and target, each FDE's
 * LSDA target (pc-relative pointers read back from readelf's relocated values: in an object, the offset of
 * the target in its section), and the relocations of the pointers that leave .eh_frame for data (personality
 * and LSDA: type and target; FDE code addresses are relocated differently, docs/assembler.md).
 */
function ehFrame(o: string): string {
  const ehOnly = (text: string) => text.split('Contents of the .debug_frame section')[0];
  const interp = ehOnly(must(`${PREFIX}readelf`, ['--debug-dump=frames-interp', o])).split('\n').filter((l) => !/FDE|^Contents/.test(l)).map((l) => l.replace(/^[0-9a-f]{8} [0-9a-f]+ (?=[0-9a-f]{8} CIE)/, '')).join('\n');
  const out: string[] = [];
  let at = 0;
  let kind = '';
  let aug = '';
  for (const line of ehOnly(must(`${PREFIX}readelf`, ['--debug-dump=frames', o])).split('\n')) {
    const rec = /^([0-9a-f]{8}) [0-9a-f]+ [0-9a-f]+ (CIE|FDE)(.*)$/.exec(line);
    if (rec) {
      at = parseInt(rec[1], 16);
      kind = rec[2];
      if (rec[2] === 'FDE') out.push(`FDE ${rec[3].replace(/cie=\S+ /, '')}`);
      continue;
    }
    const a = /^\s+Augmentation:\s+"(.*)"/.exec(line);
    if (a) aug = a[1];
    const d = /^\s+Augmentation data:\s+([0-9a-f ]+)$/.exec(line);
    if (!d) continue;
    const bytes = d[1].trim().split(/\s+/).map((x) => parseInt(x, 16));
    const value = (p: number, n: number) => {
      let v = 0n;
      for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[p + i]);
      return BigInt.asIntN(n * 8, v);
    };
    const size = (enc: number) => ({ 2: 2, 3: 4 } as Record<number, number>)[enc & 7] ?? 8;
    if (kind === 'CIE') {
      // A CIE: "z" P(encoding, pointer) L(encoding) R(encoding); the personality field follows the CIE's
      // header (length, id, version, augmentation, three one-byte LEB128s, the data length, the encoding).
      const field = at + 9 + aug.length + 1 + 3 + 1 + 1;
      let p = 0;
      const parts = [`CIE "${aug}"`];
      for (const c of aug.slice(1)) {
        if (c === 'P') {
          const enc = bytes[p++];
          const v = value(p, size(enc));
          parts.push(`personality ${enc.toString(16)} -> ${(enc & 0x70) === 0x10 ? BigInt(field) + v : v}`);
          p += size(enc);
        } else if (c === 'L' || c === 'R') parts.push(`${c} ${bytes[p++].toString(16)}`);
      }
      out.push(parts.join(' '));
    } else {
      // An FDE's LSDA: after length, CIE pointer, pc-relative 4-byte start and size, and the data length.
      out[out.length - 1] += ` lsda -> ${BigInt(at + 17) + value(0, bytes.length)}`;
    }
  }
  const file = readFileSync(o);
  if (file.readUInt16LE(16) !== 1) return `${interp}\n${out.join('\n')}`; // an image: no relocations
  const obj = readObject(new Uint8Array(file), o);
  const eh = obj.sections.find((s) => s.name === '.eh_frame');
  const relocs = eh ? (obj.relocs.get(eh.index) ?? []).flatMap((r) => {
    const s = obj.symbols[r.sym];
    const sec = s.shndx > 0 && s.shndx < 0xff00 ? obj.sections[s.shndx] : null;
    if (sec && (sec.flags & 4 || sec.name === '.eh_frame')) return [];
    return [`${r.type} ${sec && s.bind === 0 ? `${sec.name}+${s.value + r.addend}` : `${s.name}+${r.addend}`}`];
  }) : [];
  return `${interp}\n${out.join('\n')}\n${relocs.sort().join('\n')}`;
}

/** Where two images' loaded bytes differ, by function (readelf's symbols and section headers), for the
 * failure message. */
function differingFunctions(a: string, b: string): string[] {
  const functions = (elf: string): Map<string, string> => {
    const file = readFileSync(elf);
    const secs = must(`${PREFIX}readelf`, ['-SW', elf]).split('\n').flatMap((l) => {
      const m = /\]\s+(\S+)\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(l);
      return m ? [{ addr: BigInt(`0x${m[2]}`), off: parseInt(m[3], 16), size: parseInt(m[4], 16) }] : [];
    });
    const out = new Map<string, string>();
    for (const l of must(`${PREFIX}readelf`, ['-sW', elf]).split('\n')) {
      const m = /:\s+([0-9a-f]+)\s+(\d+)\s+FUNC\s+\S+\s+\S+\s+\S+\s+(\S+)/.exec(l);
      if (!m) continue;
      const addr = BigInt(`0x${m[1]}`);
      const sec = secs.find((x) => addr >= x.addr && addr < x.addr + BigInt(x.size));
      if (!sec) continue;
      const off = sec.off + Number(addr - sec.addr);
      out.set(m[3], `${m[1]} ${m[2]} ${file.subarray(off, off + Number(m[2])).toString('hex')}`);
    }
    return out;
  };
  const fa = functions(a);
  const fb = functions(b);
  return [...new Set([...fa.keys(), ...fb.keys()])].filter((n) => fa.get(n) !== fb.get(n));
}

describe.skipIf(!present)('C++ (g++ 12: ETL and our own) built by GNU as/ld and by rvx asm/ld', () => {
  for (const level of LEVELS) {
    it(level.join(' '), async () => {
      const march = option(level, 'march');
      const mabi = option(level, 'mabi');
      const multi = [`-march=${march}`, `-mabi=${mabi}`];
      const libdir = process.env.RVX_PICOLIBC_LIBDIR ?? `/usr/lib/picolibc/riscv64-unknown-elf/lib/${must(GCC, [...multi, '-print-multi-directory']).trim()}`;
      const libs = [join(libdir, 'libc.a'), must(GCC, [...multi, '-print-libgcc-file-name']).trim()];
      const d = mkdtempSync(join(dir, 'level-'));
      writeFileSync(join(d, 'board.c'), PICOLIBC_BOARD);
      writeFileSync(join(d, 'crt0.s'), CRT0);
      const common = ['--specs=picolibc.specs', '-mcmodel=medany', ...level, '-ffunction-sections', '-fdata-sections', '-S'];
      const cxx = ['-ffreestanding', '-DETL_NO_STL', `-I${ETL}`, `-I${FIXTURES}`];
      const asm: { s: string; arch: string[]; eh: boolean }[] = [{ s: join(d, 'crt0.s'), arch: [`-march=${march}_zicsr`, `-mabi=${mabi}`], eh: false }];
      must(GCC, [...common, join(d, 'board.c'), '-o', join(d, 'board.s')]);
      asm.push({ s: join(d, 'board.s'), arch: multi, eh: false });
      for (const f of [...PLAIN, ...WITH_EXCEPTIONS]) {
        const eh = WITH_EXCEPTIONS.includes(f);
        const s = join(d, f.replace(/\.cpp$/, '.s'));
        must(GXX, [...common, ...cxx, ...(eh ? ['-fexceptions'] : ['-fno-exceptions', '-fno-rtti']), join(FIXTURES, f), '-o', s]);
        asm.push({ s, arch: multi, eh });
      }
      const objs: Record<'gnu' | 'rvx' | 'llvm', string[]> = { gnu: [], rvx: [], llvm: [] };
      // The default (LLVM-choice) mode's build, and the sources linked straight, at some levels (time).
      const llvmMode = !level.includes('-O0');
      const fromSources = level.includes('-O0') || level.includes('-fPIC');
      for (const [i, { s, arch, eh }] of asm.entries()) {
        const [g, r, l] = ['gnu', 'rvx', 'llvm'].map((k) => join(d, `${i}.${k}.o`));
        must(`${PREFIX}as`, [...arch, s, '-o', g]);
        const rvxArch = ['--march', arch[0].slice(7), '--mabi', mabi];
        const a = await captureMain(asmMain, ['-c', '--compat', 'gnu', ...rvxArch, s, '-o', r]);
        expect(a.stderr, s).toBe('');
        const [dg, dr] = [describeObject(g), describeObject(r)];
        if (eh) {
          expect(dg.sections['.eh_frame'], `${s}: no .eh_frame`).toBeDefined();
          expect(Object.keys(dg.sections).some((n) => n.startsWith('.gcc_except_table')), `${s}: no .gcc_except_table`).toBe(true);
          expect(ehFrame(r), `${s}: .eh_frame`).toBe(ehFrame(g));
          expect(ehFrame(g)).toContain('personality 9b');
        }
        expect(dr, s).toEqual(dg);
        // With -g, the call-frame table in .debug_frame (not allocated) too: GNU as's bytes.
        const debugFrame = (o: string) => Buffer.from(readObject(new Uint8Array(readFileSync(o)), o).sections.find((x) => x.name === '.debug_frame')?.data ?? []).toString('hex');
        if (level.includes('-g')) expect(debugFrame(r), `${s}: .debug_frame`).toBe(debugFrame(g));
        expect(groups(r), `${s}: section groups`).toBe(groups(g));
        if (llvmMode) {
          const b = await captureMain(asmMain, ['-c', ...rvxArch, s, '-o', l]);
          expect(b.stderr, s).toBe('');
          objs.llvm.push(l);
        }
        objs.gnu.push(g);
        objs.rvx.push(r);
      }
      // libgcc's unwinder (_Unwind_Resume) needs picolibc's memcpy: the libraries in a group.
      const link = ['--gc-sections', '-e', '_start'];
      const group = ['--start-group', ...libs, '--end-group'];
      const elf = (k: string) => join(d, `${k}.elf`);
      must(`${PREFIX}ld`, [...link, '-Ttext-segment=0x80000000', ...objs.gnu, ...group, '-o', elf('gnu')]);
      must(`${PREFIX}ld`, [...link, '-Ttext-segment=0x80000000', ...objs.rvx, ...group, '-o', elf('gnu-on-rvx')]);
      for (const [k, inputs] of [['rvx', objs.rvx], ['rvx-on-gnu', objs.gnu], ...(llvmMode ? [['llvm', objs.llvm]] as const : [])] as const) {
        const l = await captureMain(ldMain, [...link, ...inputs, ...group, '-o', elf(k)]);
        expect(l.stderr, k).toBe('');
        expect(l.code, k).toBe(0);
      }
      // GNU ld and rvx ld, each on GNU's and on rvx's objects: the same loaded bytes.
      for (const [a, b] of [['gnu', 'rvx-on-gnu'], ['gnu', 'gnu-on-rvx'], ['gnu', 'rvx']]) {
        const same = sameLoadedBytes(elf(a), elf(b), d);
        expect(same ? [] : differingFunctions(elf(a), elf(b)), `${b}: loaded image bytes (functions that differ)`).toEqual([]);
        expect(same, `${b}: loaded image bytes`).toBe(true);
      }
      const frames = (f: string) => ehFrame(f).replace(/ lsda -> \d+| personality (\w+) -> \d+/g, '');
      expect(frames(elf('rvx')), 'the linked .eh_frame, interpreted').toBe(frames(elf('gnu')));
      const g = await run(elf('gnu'));
      expect(g.code, `the GNU-built program failed: ${g.stdout}`).toBe(0);
      const lines = g.stdout.split('\n');
      for (const want of EXPECT) expect(lines, want).toContain(want);
      expect(lines.indexOf('construct a')).toBeLessThan(lines.indexOf('legs 8'));
      expect(lines.indexOf('destruct a')).toBeGreaterThan(lines.indexOf('destruct b2'));
      // The assembly linked straight by rvx ld (no objects: rvx's own frame tables and COMDAT handling of
      // sources; calls stay unrelaxed there, so only the output is compared).
      expect(await run(elf('rvx')), 'rvx').toEqual(g);
      const kinds = llvmMode ? ['llvm'] : [];
      if (fromSources) {
        const l = await captureMain(ldMain, [...link, '--march', `${march}_zicsr`, ...asm.map((x) => x.s), ...group, '-o', elf('sources')]);
        expect(l.stderr, 'sources').toBe('');
        kinds.push('sources');
      }
      // (rvx-on-gnu and gnu-on-rvx load the same bytes as gnu and rvx: not run again.)
      for (const k of kinds) {
        const x = await run(elf(k));
        expect({ code: x.code, stdout: x.stdout }, k).toEqual({ code: 0, stdout: g.stdout });
      }
      rmSync(d, { recursive: true, force: true });
    }, 300_000);
  }
});
