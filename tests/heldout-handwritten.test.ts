// Held-out check of the drop-in claim on third-party HAND-WRITTEN assembly and linker scripts (issue #17;
// docs/assembler.md, "Drop-in for GNU as and ld"), run when an environment variable names a checkout:
//
// - RVX_XV6 (https://github.com/mit-pdos/xv6-riscv): the kernel's .S files and user/initcode.S, preprocessed
//   by the cross gcc with the Makefile's flags, and the kernel's C (gcc -S), assembled by GNU as and by
//   `rvx asm -c --compat gnu` (-mno-relax, as the Makefile builds): every allocated section (size, flags,
//   alignment, bytes), its relocations and the symbol tables are the same; then the kernel linked with its
//   kernel.ld by `rvx ld -T`, from rvx's objects and from GNU's, has GNU ld's sections (address, size, flags,
//   bytes), symbols and loaded bytes.
// - RVX_FREERTOS_KERNEL (https://github.com/FreeRTOS/FreeRTOS-Kernel): portable/GCC/RISC-V/portASM.S with two
//   chip extensions, the FPU on and off, rv64gc and rv64imac, relaxing and not.
// - RVX_PICOLIBC (https://github.com/picolibc/picolibc): libc/machine/riscv/*.S and the RISC-V start-up and
//   semihosting assembly (the installed picolibc's headers through --specs=picolibc.specs), rv64gc/rv64imac,
//   -O2/-Os, relaxing and not.
//
// Skipped with a message when the checkout is named but the GNU tools are absent.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleObject, formatDiagnostic } from '../tools/asm/index.js';
import { readObject } from '../tools/elf/object.js';
import { readElf } from '../tools/elf/read.js';
import { relocName } from '../tools/ld/relocs.js';
import { main as ldMain } from '../tools/commands/ld.js';
import { captureMain } from './helpers/cli.js';
import { GCC, PREFIX, heldoutReady, must, sameLoadedBytes } from './helpers/heldout.js';
import { relocTarget } from './helpers/objects.js';

const XV6 = process.env.RVX_XV6 ?? '';
const FREERTOS = process.env.RVX_FREERTOS_KERNEL ?? '';
const PICOLIBC = process.env.RVX_PICOLIBC ?? '';
const haveXv6 = heldoutReady('heldout-handwritten (xv6)', XV6);
const haveFreertos = heldoutReady('heldout-handwritten (FreeRTOS)', FREERTOS);
const havePicolibc = heldoutReady('heldout-handwritten (picolibc)', PICOLIBC);
const dir = mkdtempSync(join(tmpdir(), 'rvx-heldout-hand-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An object as text: allocated sections, their relocations (a local symbol by name and place) and the
 * symbols (no section, file or mapping symbols, no .L labels). */
function objectSummary(path: string): string[] {
  const o = readObject(new Uint8Array(readFileSync(path)), path);
  const out: string[] = [];
  for (const s of o.sections) {
    if (!(s.flags & 2) || (s.size === 0 && !o.relocs.get(s.index)?.length)) continue;
    out.push(`${s.name} type ${s.type} flags ${s.flags} align ${s.align} size ${s.size} ${s.type === 8 ? '' : Buffer.from(s.data).toString('hex')}`);
    for (const r of o.relocs.get(s.index) ?? []) {
      out.push(`  ${r.offset.toString(16)} ${relocName(r.type)} ${relocTarget(o, r.sym, r.addend)}`);
    }
  }
  for (const y of o.symbols) {
    if (!y.name || y.type === 3 || y.type === 4 || y.name.startsWith('.L')) continue;
    out.push(`sym ${y.name} bind ${y.bind} type ${y.type} vis ${y.visibility ?? 0} ${y.shndx === 0 ? 'UND' : y.shndx >= 0xff00 ? y.shndx : o.sections[y.shndx]?.name} ${y.value} ${y.size}`);
  }
  return out.sort();
}

/** An executable as text: allocated sections (address, size, flags, type) and the non-local symbols. */
function imageSummary(path: string): string[] {
  const e = readElf(new Uint8Array(readFileSync(path)));
  const out = e.sections.filter((s) => s.flags & 2).map((s) => `${s.name} ${s.addr.toString(16)} ${s.size} ${s.flags} ${s.type}`);
  for (const y of e.symbols) if (y.bind !== 'local') out.push(`sym ${y.name} ${y.value.toString(16)} ${y.size} ${y.bind} ${y.type} ${y.section}`);
  return out;
}

/** Preprocess (or compile, for C) `src` with gcc, assemble the text with GNU as and with rvx; the two paths. */
function both(src: string, tag: string, march: string, mabi: string, relax: boolean, cflags: string[]): { gnu: string; rvx: string } {
  const text = join(dir, `${tag}.s`);
  must(GCC, [`-march=${march}`, `-mabi=${mabi}`, relax ? '-mrelax' : '-mno-relax', ...cflags, src.endsWith('.c') ? '-S' : '-E', src, '-o', text]);
  const gnu = join(dir, `${tag}.gnu.o`);
  must(`${PREFIX}as`, [`-march=${march}`, `-mabi=${mabi}`, relax ? '-mrelax' : '-mno-relax', text, '-o', gnu]);
  const r = assembleObject({ name: text, text: readFileSync(text, 'utf8') }, { march, mabi, relax, compat: 'gnu' });
  if (!r.ok) throw new Error(`${src}:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  const rvx = join(dir, `${tag}.rvx.o`);
  writeFileSync(rvx, r.bytes);
  return { gnu, rvx };
}

describe.skipIf(!haveXv6)('xv6-riscv: kernel assembly, initcode.S and kernel.ld', () => {
  // The Makefile's CFLAGS (without -Werror and -MD); its .S files are built without them except initcode.S.
  const CFLAGS = ['-Wall', '-O', '-fno-omit-frame-pointer', '-ggdb', '-gdwarf-2', '-mcmodel=medany', '-ffreestanding', '-fno-common', '-nostdlib', `-I${XV6}`, '-fno-stack-protector', '-fno-pie', '-no-pie'];
  const kernel = join(XV6, 'kernel');
  // The Makefile's OBJS, in its order (entry.o first): each from its .S, else its .c.
  const objs = haveXv6 ? /^OBJS = \\\n((?:.*\\\n)*.*)$/m.exec(readFileSync(join(XV6, 'Makefile'), 'utf8'))?.[1] ?? '' : '';
  const sources = [...objs.matchAll(/\$K\/(\w+)\.o/g)].map((m) => (existsSync(join(kernel, `${m[1]}.S`)) ? `${m[1]}.S` : `${m[1]}.c`));
  const objects = new Map<string, { gnu: string; rvx: string }>();
  it('every kernel object and initcode.o: the same sections, relocations and symbols as GNU as', () => {
    for (const f of sources) {
      const flags = f.endsWith('.S') ? [`-I${XV6}`] : CFLAGS;
      const o = both(join(kernel, f), basename(f).replace('.', '_'), 'rv64imafdc_zicsr_zifencei', 'lp64d', false, flags);
      expect(objectSummary(o.rvx), f).toEqual(objectSummary(o.gnu));
      objects.set(f, o);
    }
    const init = both(join(XV6, 'user', 'initcode.S'), 'initcode', 'rv64g', 'lp64d', false, [...CFLAGS, '-nostdinc', `-I${kernel}`]);
    expect(objectSummary(init.rvx)).toEqual(objectSummary(init.gnu));
  });
  it('the kernel linked with kernel.ld by rvx ld (rvx\'s objects, GNU\'s objects) is GNU ld\'s', async () => {
    const order = sources;
    expect(order.length).toBeGreaterThan(20);
    const script = join(kernel, 'kernel.ld');
    const ref = join(dir, 'kernel.gnu');
    must(`${PREFIX}ld`, ['-z', 'max-page-size=4096', '-T', script, '-o', ref, ...order.map((f) => objects.get(f)!.gnu)]);
    for (const which of ['rvx', 'gnu'] as const) {
      const out = join(dir, `kernel.rvxld.${which}`);
      const r = await captureMain(ldMain, ['-z', 'max-page-size=4096', '-T', script, '-o', out, ...order.map((f) => objects.get(f)![which])]);
      expect(r.stderr).toBe('');
      expect(imageSummary(out), which).toEqual(imageSummary(ref));
      expect(sameLoadedBytes(ref, out, dir), which).toBe(true);
    }
  });
});

describe.skipIf(!haveFreertos)('FreeRTOS-Kernel: portable/GCC/RISC-V/portASM.S', () => {
  const port = join(FREERTOS, 'portable', 'GCC', 'RISC-V');
  it('every configuration: the same object as GNU as', () => {
    let n = 0;
    for (const ext of ['RISCV_MTIME_CLINT_no_extensions', 'RISCV_no_extensions'])
      for (const fpu of [0, 1])
        for (const [march, mabi] of [['rv64gc', 'lp64d'], ['rv64imac_zicsr', 'lp64']])
          for (const relax of [true, false]) {
            if (fpu && mabi === 'lp64') continue;
            const flags = [`-I${port}`, `-I${join(port, 'chip_specific_extensions', ext)}`, `-DconfigENABLE_FPU=${fpu}`, '-DconfigMTIME_BASE_ADDRESS=0x200bff8', '-DconfigMTIMECMP_BASE_ADDRESS=0x2004000', '-DconfigISR_STACK_SIZE_WORDS=512'];
            const o = both(join(port, 'portASM.S'), `port-${n++}`, march, mabi, relax, flags);
            expect(objectSummary(o.rvx), `${ext} fpu=${fpu} ${march} relax=${relax}`).toEqual(objectSummary(o.gnu));
          }
    expect(n).toBe(12);
  });
});

describe.skipIf(!havePicolibc)('picolibc: the RISC-V assembly', () => {
  const files = ['libc/machine/riscv/memcpy-asm.S', 'libc/machine/riscv/memmove.S', 'libc/machine/riscv/memset.S', 'libc/machine/riscv/setjmp.S', 'libc/machine/riscv/strcmp.S', 'picocrt/machine/riscv/cfiss-mmu.S', 'libos/semihost/machine/riscv/semihost-riscv.S'];
  it('every file, ISA, optimisation level and relaxation: the same object as GNU as', () => {
    let n = 0;
    for (const f of files) {
      if (!existsSync(join(PICOLIBC, f))) continue;
      for (const [march, mabi] of [['rv64gc', 'lp64d'], ['rv64imac', 'lp64']])
        for (const opt of ['-O2', '-Os'])
          for (const relax of [true, false]) {
            const flags = ['--specs=picolibc.specs', opt, `-I${join(PICOLIBC, 'libc/machine/riscv')}`, `-I${join(PICOLIBC, 'libc/include')}`];
            const o = both(join(PICOLIBC, f), `pico-${n++}`, march, mabi, relax, flags);
            expect(objectSummary(o.rvx), `${f} ${march} ${opt} relax=${relax}`).toEqual(objectSummary(o.gnu));
          }
    }
    expect(n).toBeGreaterThan(0);
  });
});

if (!XV6 && !FREERTOS && !PICOLIBC) {
  describe('heldout-handwritten', () => {
    it.skip('set RVX_XV6, RVX_FREERTOS_KERNEL or RVX_PICOLIBC to a checkout to run the held-out checks', () => {});
  });
}
