// Optional held-out check of the assembler and linker on a large third-party C program: the Lua
// interpreter (https://github.com/lua/lua; its code is not part of rvx). Point RVX_LUA at a checkout (the
// directory holding lapi.c). Lua's core and its base, string, table, math, coroutine, utf8 and debug
// libraries, a driver of our own that runs a Lua script (below) and a bare-metal board (HTIF console,
// picolibc's stdio on it) are compiled by the cross gcc with picolibc for rv64gc/lp64d at -O2 -g to
// assembly, then built two ways from the same .s files:
//   GNU:  riscv64-unknown-elf-as, riscv64-unknown-elf-ld (its default script, --gc-sections)
//   rvx:  rvx asm -c --compat gnu, rvx ld (its default layout, --gc-sections)
// with picolibc's libc.a and libm.a and libgcc.a. Every object must have GNU as's allocated bytes, the same
// relocations (a local symbol as section + offset) and the same symbol table (binding, type, size,
// visibility: Lua marks its internal functions `.internal`; picolibc's errno is thread-local), the two
// images must be byte-identical (gcc's DWARF function lengths relocated, tail calls relaxed as GNU ld
// relaxes them, the program's own .heap section placed as GNU ld places an orphan), and under `rvx run`
// both print the same and exit 0 after the same number of instructions. Skipped when RVX_LUA is unset or
// the GNU tools are absent.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as asmMain } from '../tools/commands/asm.js';
import { main as ldMain } from '../tools/commands/ld.js';
import { captureMain } from './helpers/cli.js';
import { describeObject, GCC, heldoutReady, must, PICOLIBC_BOARD, PREFIX, runStats as run, sameLoadedBytes, startupFile } from './helpers/heldout.js';

const LUA = process.env.RVX_LUA ?? '';
const ready = heldoutReady('heldout-lua', LUA);

const ARCH = ['-march=rv64gc', '-mabi=lp64d', '-mcmodel=medany'];
const LEVELS = [['-O2', '-g']];
// The interpreter without the libraries that need files or an OS (io, os, package) and without linit.c.
const SKIP = new Set(['lua.c', 'luac.c', 'ltests.c', 'onelua.c', 'liolib.c', 'loslib.c', 'loadlib.c', 'linit.c']);

const CRT0 = startupFile({ stack: 262144, heap: 8388608, fpuFromMisa: false, initArray: false, tlsBlock: false });


// A Lua script over tables, sorting, strings and patterns, floats, closures, coroutines, errors (longjmp),
// metatables, utf8 and the collector; it returns 0 when its own checks pass.
const SCRIPT = `
local t = {}
for i = 1, 200 do t[i] = (i * 7919) % 1009 end
table.sort(t)
local s = 0
for i, v in ipairs(t) do s = (s * 31 + v * i) % 1000000007 end
print('sort', s)
local words = {}
for w in string.gmatch('the quick brown fox jumps over the lazy dog', '%a+') do words[#words + 1] = w:upper():rep(2) end
print(table.concat(words, ','))
print(string.format('%5.2f %d %x %s %q', math.pi, 12345, 255, 'str', 'a\\nb'))
print(math.sqrt(2), math.sin(1.0), 1 / 3, 2 ^ 53, math.floor(-3.5), 7 // 2, -7 % 3, 7.5 % 2)
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print('fib', fib(18))
local co = coroutine.wrap(function(a) for i = 1, 3 do a = coroutine.yield(a * 2) end return 'done' end)
print(co(1), co(5), co(7), co(9))
local ok, err = pcall(function() error({ code = 42 }) end)
print('pcall', ok, err.code)
local ok2, err2 = pcall(function() return nil + 1 end)
print('pcall2', ok2, err2)
local mt = setmetatable({}, { __index = function(_, k) return k * 2 end, __call = function(self, x) return x + 1 end })
print(mt[21], mt(41))
print(utf8.char(72, 228, 8364, 128512), utf8.len('h\\u{e4}\\u{20ac}'))
print(#string.pack('i4d', 7, 1.5), tostring(1e100), tostring(-0.0), math.maxinteger + 1 == math.mininteger)
print(debug.traceback('tb', 1):match('^tb') ~= nil)
local big = {}
for i = 1, 3000 do big[i] = tostring(i) .. 'x' end
collectgarbage()
print('gc', #big, collectgarbage('count') > 0)
return (s ~= 0 and fib(18) == 2584 and err.code == 42 and mt(41) == 42) and 0 or 1
`;

const DRIVER = `
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
#include <stdio.h>
extern const char script[];
int main(void) {
  lua_State *L = luaL_newstate();
  static const luaL_Reg libs[] = {
    {LUA_GNAME, luaopen_base}, {LUA_STRLIBNAME, luaopen_string}, {LUA_TABLIBNAME, luaopen_table},
    {LUA_MATHLIBNAME, luaopen_math}, {LUA_COLIBNAME, luaopen_coroutine}, {LUA_UTF8LIBNAME, luaopen_utf8},
    {LUA_DBLIBNAME, luaopen_debug}, {NULL, NULL}};
  for (const luaL_Reg *l = libs; l->func; l++) { luaL_requiref(L, l->name, l->func, 1); lua_pop(L, 1); }
  if (luaL_dostring(L, script) != LUA_OK) { printf("error: %s\\n", lua_tostring(L, -1)); return 3; }
  int r = (int)lua_tointeger(L, -1);
  lua_close(L);
  return r;
}
const char script[] = ${JSON.stringify(SCRIPT)};
`;

const dir = ready ? mkdtempSync(join(tmpdir(), 'rvx-lua-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!ready)('Lua built by GNU as/ld and by rvx asm/ld', () => {
  const multi = ['-march=rv64gc', '-mabi=lp64d'];
  const libgcc = ready ? must(GCC, [...multi, '-print-libgcc-file-name']).trim() : '';
  const libdir = ready ? process.env.RVX_PICOLIBC_LIBDIR ?? `/usr/lib/picolibc/riscv64-unknown-elf/lib/${must(GCC, [...multi, '-print-multi-directory']).trim()}` : '';
  const sources = ready ? readdirSync(LUA).filter((f) => /^l.*\.c$/.test(f) && !SKIP.has(f)).sort().map((f) => join(LUA, f)) : [];
  if (ready) {
    writeFileSync(join(dir, 'crt0.s'), CRT0);
    writeFileSync(join(dir, 'board.c'), PICOLIBC_BOARD);
    writeFileSync(join(dir, 'driver.c'), DRIVER);
  }
  it('finds the sources and the libraries', () => {
    expect(existsSync(join(LUA, 'lapi.c')), `no lapi.c in ${LUA}`).toBe(true);
    expect(existsSync(join(libdir, 'libc.a')), libdir).toBe(true);
  });
  for (const level of LEVELS) {
    it(`Lua ${level.join(' ')}`, async () => {
      const d = mkdtempSync(join(dir, `lua${level.join('')}-`));
      const asm = [join(dir, 'crt0.s')];
      for (const c of [...sources, join(dir, 'driver.c'), join(dir, 'board.c')]) {
        const s = join(d, c.replace(/^.*\//, '').replace(/\.c$/, '.s'));
        must(GCC, ['--specs=picolibc.specs', ...ARCH, ...level, '-ffunction-sections', '-fdata-sections', `-I${LUA}`, '-S', c, '-o', s]);
        asm.push(s);
      }
      const gnuObjs: string[] = [];
      const rvxObjs: string[] = [];
      for (const [i, s] of asm.entries()) {
        const g = join(d, `${i}.gnu.o`);
        const r = join(d, `${i}.rvx.o`);
        must(`${PREFIX}as`, [...multi, s, '-o', g]);
        const a = await captureMain(asmMain, ['-c', '--compat', 'gnu', '--march', 'rv64gc', '--mabi', 'lp64d', s, '-o', r]);
        expect(a.stderr, s).toBe('');
        expect(describeObject(r), s).toEqual(describeObject(g));
        gnuObjs.push(g);
        rvxObjs.push(r);
      }
      const libs = [join(libdir, 'libc.a'), join(libdir, 'libm.a'), libgcc];
      const link = ['--gc-sections', '-e', '_start'];
      const gnu = join(d, 'gnu.elf');
      const rvx = join(d, 'rvx.elf');
      must(`${PREFIX}ld`, [...link, '-Ttext-segment=0x80000000', ...gnuObjs, ...libs, '-o', gnu]);
      const l = await captureMain(ldMain, [...link, ...rvxObjs, ...libs, '-o', rvx]);
      expect(l.stderr).toBe('');
      expect(l.code).toBe(0);
      expect(sameLoadedBytes(gnu, rvx, d), 'loaded image bytes').toBe(true);
      const g = await run(gnu);
      expect(g.code, `the GNU-built interpreter failed: ${g.stdout}`).toBe(0);
      expect(g.stdout).toContain('fib\t2584');
      expect(await run(rvx)).toEqual(g);
      rmSync(d, { recursive: true, force: true });
    }, 180_000);
  }
});
