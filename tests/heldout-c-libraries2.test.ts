// Optional held-out check of the assembler and linker on more third-party C code (its code is not part of
// rvx; the drivers in tests/fixtures/heldout-c2 are ours): SQLite (the amalgamation, as one file), Mbed TLS
// (its library and its own self-test program), bzip2, miniz and Berkeley SoftFloat-3. Point RVX_HELDOUT_C2 at a
// directory holding checkouts named sqlite (sqlite3.c and sqlite3.h of the amalgamation), mbedtls, bzip2,
// miniz and softfloat (any of them; a missing one is skipped with a message). Each library and its driver are
// built as tests/helpers/heldout.ts `checkLibraryBuild` says: gcc with picolibc to assembly, then GNU as and
// `rvx asm -c --compat gnu` give equal objects, GNU ld and `rvx ld` byte-identical images that run the same
// under `rvx run` (same output, exit 0, same instruction count) and print the known answers, and the default
// mode's build prints the same. Option sets are picked to keep the run to a couple of minutes (SQLite and Mbed
// TLS take gcc most of that; RVX_HELDOUT_C2_LEVELS, below, runs other ones). Skipped when RVX_HELDOUT_C2 is
// unset or the GNU tools are absent.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { checkLibraryBuild, heldoutReady, type Library } from './helpers/heldout.js';

const ROOT = process.env.RVX_HELDOUT_C2 ?? '';
const ready = heldoutReady('heldout-c-libraries2', ROOT);
if (!ROOT) console.warn('heldout-c-libraries2: skipped (set RVX_HELDOUT_C2 to a directory of checkouts: sqlite, mbedtls, bzip2, miniz, softfloat)');

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', 'heldout-c2', name), 'utf8');

/** The .c files of a checkout's directory, relative to the checkout (none when it is absent). */
const cfilesIn = (lib: string, sub: string) => (existsSync(join(ROOT, lib, sub)) ? readdirSync(join(ROOT, lib, sub)).filter((f) => f.endsWith('.c')).sort().map((f) => `${sub}/${f}`) : []);

/**
 * SoftFloat's sources as its RISC-V build lists them (build/Linux-RISCV64-GCC/Makefile), the specialisation's in
 * source/RISCV; to keep the run short, without the 80-bit, half-precision and bfloat16 ones (the driver uses
 * single, double and quadruple precision).
 */
function softfloatSources(): string[] {
  const makefile = join(ROOT, 'softfloat', 'build', 'Linux-RISCV64-GCC', 'Makefile');
  if (!existsSync(makefile)) return [];
  const names = [...readFileSync(makefile, 'utf8').matchAll(/^\s+(\w+)\$\(OBJ\)/gm)].map((m) => m[1]).filter((n) => !/extF80|f16|F16|bf16|BF16/.test(n));
  return names.map((n) => (existsSync(join(ROOT, 'softfloat', 'source', 'RISCV', `${n}.c`)) ? `source/RISCV/${n}.c` : `source/${n}.c`));
}

const RV64GC = ['-march=rv64gc', '-mabi=lp64d'];
const RV64IMAC = ['-march=rv64imac', '-mabi=lp64'];
const LIBRARIES: Library[] = [
  {
    // One file of about 230,000 lines; a bare-metal build (no OS layer: the driver registers a VFS that opens no files).
    dir: 'sqlite', sources: ['sqlite3.c'], includes: ['.'],
    options: ['-DSQLITE_OS_OTHER=1', '-DSQLITE_THREADSAFE=0', '-DSQLITE_OMIT_LOAD_EXTENSION=1', '-DSQLITE_TEMP_STORE=3', '-DSQLITE_OMIT_WAL=1'],
    own: { 'main.c': fixture('sqlite-main.c') },
    // Sums over 1..2000, SQL functions and formatting, fib(90) by a recursive CTE, the integrity check.
    expect: [
      'sqlite 3.37.0', 'q3: 2000 2001000 1000500.0 n0000 n1999', "q12: HELD-OUT qlit a/b/c 4 000000 'it''s' real 3 1 -3.5 2.68 9223372036854775807",
      'q13:  3.14|ab    |ff|1.234568e+04 1970-01-01 00:00:00 2024-02-29 2451544.5', 'q18: 2880067194370816120', 'q20: ok', 'ok',
    ],
    levels: [['-O2', ...RV64GC]],
  },
  {
    // The library and its programs/test/selftest.c (with the driver's list of self-tests), configured for a
    // board without sockets, clocks, files or OS entropy.
    dir: 'mbedtls', sources: cfilesIn('mbedtls', 'library'), includes: ['include', 'library', '.'],
    options: ['-DMBEDTLS_USER_CONFIG_FILE="mbedtls-user-config.h"'],
    own: {
      'main.c': fixture('mbedtls-main.c'), 'mbedtls-user-config.h': fixture('mbedtls-user-config.h'),
      'selftest.c': '#define main selftest_main\n#include "programs/test/selftest.c"\n',
    },
    // selftest.c ends with exit(0) after its summary.
    expect: ['  Executed 19 test suites', '  [ All tests PASS ]'],
    levels: [['-Os', ...RV64IMAC]],
  },
  {
    dir: 'bzip2', sources: ['blocksort.c', 'huffman.c', 'crctable.c', 'randtable.c', 'compress.c', 'decompress.c', 'bzlib.c'], includes: ['.'],
    // bz_version.h is what its build makes from bz_version.h.in (meson.build's version).
    options: ['-DBZ_NO_STDIO'], own: { 'main.c': fixture('bzip2-main.c'), 'bz_version.h': '#define BZ_VERSION "1.1.0"\n' },
    // The stream of no data (bzip2's header, then its end-of-stream marker with a CRC of 0).
    expect: ['empty 14 42 5a 68 39 17 72 45 38 50 90 00 00 00 00', '1.1.0 ok'],
    levels: [['-O2', '-fPIC', ...RV64IMAC]],
  },
  {
    dir: 'miniz', sources: ['miniz.c', 'miniz_tdef.c', 'miniz_tinfl.c', 'miniz_zip.c'], includes: ['.'],
    options: ['-DMINIZ_NO_STDIO', '-DMINIZ_NO_TIME'], own: { 'main.c': fixture('miniz-main.c'), 'miniz_export.h': fixture('miniz_export.h') },
    // CRC-32 of "123456789" (its check value) and Adler-32 of "Wikipedia".
    expect: ['crc32 cbf43926 adler32 11e60398', 'zip 2 files 9604 bytes', '11.3.1 ok'],
    levels: [['-O2', '-g', ...RV64GC]],
  },
  {
    dir: 'softfloat', sources: softfloatSources(), includes: ['build/Linux-RISCV64-GCC', 'source/RISCV', 'source/include'],
    options: ['-DSOFTFLOAT_FAST_INT64', '-DSOFTFLOAT_ROUND_ODD', '-DINLINE_LEVEL=5', '-DSOFTFLOAT_FAST_DIV32TO16', '-DSOFTFLOAT_FAST_DIV64TO32'],
    own: { 'main.c': fixture('softfloat-main.c') },
    // Quadruple-precision sqrt(2) and 1/3, 1/3 rounded up, 1/0 raising only divide-by-zero; no difference
    // from the compiler's arithmetic (FPU or libgcc) on 33,000 operations.
    expect: [
      'f128 sqrt2 3fff6a09e667f3bcc908b2fb1366ea95 third 3ffd5555555555555555555555555555 sq 3fffffffffffffffffffffffffffffff',
      'round_max 1/3 3fd5555555555556 1/0 7ff0000000000000 flags 8', 'ok',
    ],
    levels: [['-O2', ...RV64IMAC]],
  },
];

const dir = ready ? mkdtempSync(join(tmpdir(), 'rvx-heldout-c2-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// RVX_HELDOUT_C2_LEVELS: option sets to run every library at instead of its own, separated by `;` (each
// naming -march= and -mabi=), e.g. '-O0 -march=rv64gc -mabi=lp64d;-O3 -march=rv64imac -mabi=lp64'.
const LEVELS_OVERRIDE = (process.env.RVX_HELDOUT_C2_LEVELS ?? '').split(';').map((l) => l.trim().split(/\s+/).filter(Boolean)).filter((l) => l.length > 0);

for (const lib of LIBRARIES) {
  if (LEVELS_OVERRIDE.length > 0) lib.levels = LEVELS_OVERRIDE;
  const src = join(ROOT, lib.dir);
  const present = ready && lib.sources.length > 0 && existsSync(join(src, lib.sources[0]));
  if (ready && !present) console.warn(`heldout-c-libraries2: ${lib.dir} skipped (no ${join(src, lib.sources[0] ?? '')})`);
  describe.skipIf(!present)(`${lib.dir} built by GNU as/ld and by rvx asm/ld`, () => {
    for (const level of lib.levels) {
      it(level.join(' '), () => checkLibraryBuild(lib, level, src, dir), 900_000);
    }
  });
}
