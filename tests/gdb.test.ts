// A real gdb-multiarch (Debian package gdb-multiarch; or $RVX_GDB) in batch mode against rvx's stub:
// break at a symbol, stepi across a trap and an xcall, registers and memory through Sv39, a watchpoint on
// a variable, monitor commands, continue to the guest's exit code; the same commit log and cycles with
// and without gdb; and the microkernel's fastpath. Skipped, with a message, where gdb is absent.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, formatDiagnostics } from '../tools/asm/index.js';
import { main as run } from '../tools/commands/run.js';
import { main as trace } from '../tools/commands/trace.js';
import { main as kernel } from '../tools/commands/kernel.js';
import { findGdb, freePort, gdbSession } from './helpers/gdb-session.js';
import { captureMain } from './helpers/cli.js';

const GDB = findGdb();
if (!GDB) console.warn('tests/gdb.test.ts: skipped: no gdb-multiarch on PATH (install the Debian package gdb-multiarch, or set RVX_GDB)');

const dir = mkdtempSync(join(tmpdir(), 'rvx-gdb-'));
/** The last transcript of each session, kept for reading (docs/debugging.md shows one). */
const keep = (name: string, text: string) => writeFileSync(join(dir, `${name}.transcript`), text);

function buildDemo(): { elf: string; symbols: Map<string, bigint> } {
  const src = join(__dirname, 'fixtures', 'gdb', 'demo.s');
  const r = assemble([{ name: src, text: readFileSync(src, 'utf8') }]);
  if (!r.ok) throw new Error(formatDiagnostics(r));
  const elf = join(dir, 'demo.elf');
  writeFileSync(elf, r.elf());
  return { elf, symbols: r.symbols };
}

const PROLOGUE = `set pagination off
set confirm off
set width 0
target remote 127.0.0.1:PORT
`;

describe.skipIf(!GDB)('gdb-multiarch against rvx --gdb', () => {
  it('breaks, watches, steps across a trap and an xcall, reads Sv39 memory, runs monitor commands, exits with the code', async () => {
    const { elf, symbols } = buildDemo();
    const port = await freePort();
    const counterAlias = (symbols.get('counter')! - 0x80000000n + 0x40000000n).toString(16);
    const script = `${PROLOGUE}echo === at reset\\n
info registers pc priv
echo === break at a symbol\\n
break *add_one
continue
info registers pc priv sp
x/3i $pc
echo === watchpoint on a variable\\n
watch *(long *)&counter
continue
delete 1
echo === stepi across a trap (ecall to M mode)\\n
delete 2
tbreak *ecall_site
continue
stepi
info registers pc priv mcause mepc
echo === back in S mode\\n
tbreak *after_ecall
continue
info registers priv
echo === trap stops on request\\n
monitor catch illegal page
continue
info registers pc mcause
continue
info registers mcause mtval
monitor catch unhandled
echo === stepi across an xcall\\n
tbreak *xcall_site
continue
x/i $pc
stepi
info registers pc priv a0
monitor xpc
stepi
x/i $pc
stepi
info registers pc a0
echo === memory through Sv39: counter at its alias 0x${counterAlias}\\n
x/gx &counter
x/gx 0x${counterAlias}
monitor phys 0x${symbols.get('counter')!.toString(16)} 8
echo === write through the alias: the exit code follows\n
set var *(long *)0x${counterAlias} = 5
x/gx &counter
monitor cycles
echo === continue to the exit\\n
continue
`;
    const r = await gdbSession(GDB!, run, [elf, '--gdb', String(port)], script, join(dir, 'demo.gdb'));
    keep('demo', r.gdb);
    const t = r.gdb;
    expect(t).toMatch(/=== at reset\npc +0x1000\s+0x1000\npriv +0x3\s+prv:3 \[Machine\]/);
    const hex = (s: string) => symbols.get(s)!.toString(16);
    expect(t).toMatch(new RegExp(`Breakpoint 1, 0x0+${hex('add_one')} in add_one \\(\\)`));
    expect(t).toMatch(/priv +0x1\s+prv:1 \[Supervisor\]/);
    expect(t).toMatch(/Hardware watchpoint 2: \*\(long \*\)&counter\s+Old value = 0\s+New value = 1/);
    expect(t).toMatch(new RegExp(`pc +0x${hex('trap_m')}\\s+0x${hex('trap_m')} <trap_m>\\npriv +0x3\\s+prv:3 \\[Machine\\]\\nmcause +0x9\\s+9\\nmepc +0x${hex('ecall_site')}`));
    expect(t).toMatch(/=== back in S mode\n(.*\n)*?priv +0x1\s+prv:1 \[Supervisor\]/);
    expect(t).toMatch(/Program received signal SIGILL, Illegal instruction\.\n0x0+[0-9a-f]+ in trap_m \(\)/);
    expect(t).toMatch(/rvx: trap: illegal_instruction at pc 0x[0-9a-f]+ in S mode/);
    expect(t).toMatch(/Program received signal SIGSEGV, Segmentation fault\.(.*\n)*?mcause +0xd\s+13\nmtval +0x1000\s+4096/);
    // gdb's disassembler does not know the XPC encodings (custom-0): xcall t0 and xret as raw words.
    expect(t).toMatch(/=> 0x[0-9a-f]+ <xcall_site>:\s+\.4byte\s+0x2800b/);
    expect(t).toMatch(new RegExp(`pc +0x${hex('xpc_callee')}\\s+0x${hex('xpc_callee')} <xpc_callee>\\npriv +0x1.*\\na0 +0x7\\s+7`));
    expect(t).toMatch(/link stack +base 0x[0-9a-f]+ +top 0x[0-9a-f]+ +limit 0x[0-9a-f]+ +depth 1/);
    expect(t).toMatch(/=> 0x[0-9a-f]+ <xpc_callee\+4>:\s+\.4byte\s+0x100b/);
    expect(t).toMatch(new RegExp(`pc +0x${hex('after_xcall')}\\s+0x${hex('after_xcall')} <after_xcall>\\na0 +0x6b\\s+107`));
    const c = hex('counter');
    expect(t).toMatch(new RegExp(`0x${c}:\\s+0x0000000000000003\\n0x${counterAlias}:\\s+0x0000000000000003\\n`));
    // Monitor output reaches gdb's console through O packets, which gdb prints on stderr.
    expect(t).toMatch(new RegExp(` +0x${c}: 03 00 00 00 00 00 00 00 +\\|`));
    // The write through the alias shows at the variable's own address (5 only exists after it). Not anchored
    // on the echo before it: gdb writes its stderr (the monitor output above) into the middle of that line
    // at times.
    expect(t).toMatch(new RegExp(`0x${c}:\\s+0x0000000000000005`));
    expect(t).toMatch(/cycles \d+ +instret \d+ +\(core rocket\)/);
    expect(t).toMatch(/\[Inferior 1 \(Remote target\) exited with code 05\]/);
    expect(r.code).toBe(5);
  });

  it('a run under gdb commits the same trace and counts the same cycles as one without', async () => {
    const { elf } = buildDemo();
    const plain = join(dir, 'plain.trace');
    const debugged = join(dir, 'debugged.trace');
    const base = await captureMain(trace, [elf, '--cycles', '-o', plain]);
    expect(base.code).toBe(3);
    const port = await freePort();
    const script = `${PROLOGUE}break *add_one
watch *(long *)&counter
continue
continue
stepi
stepi
info registers
x/4gx &counter
tbreak *xcall_site
continue
stepi
stepi
monitor catch all
continue
continue
monitor catch none
delete
continue
`;
    const r = await gdbSession(GDB!, trace, [elf, '--cycles', '-o', debugged, '--gdb', String(port)], script, join(dir, 'same.gdb'));
    keep('same', r.gdb);
    expect(r.gdb).toMatch(/exited with code 03/);
    expect(r.code).toBe(3);
    expect(readFileSync(debugged, 'utf8')).toBe(readFileSync(plain, 'utf8'));

    // rvx run's model cycles: the same with gdb stopping the run as without it.
    const cyclesOf = (stderr: string) => /cycles +(\d+)/.exec(stderr)?.[1];
    const plainRun = await captureMain(run, [elf, '--stats']);
    const port2 = await freePort();
    const debuggedRun = await gdbSession(GDB!, run, [elf, '--stats', '--gdb', String(port2)], `${PROLOGUE}break *add_one\ncontinue\nstepi\ncontinue\ndelete\ncontinue\n`, join(dir, 'cycles.gdb'));
    expect(cyclesOf(debuggedRun.stderr)).toBeDefined();
    expect(cyclesOf(debuggedRun.stderr)).toBe(cyclesOf(plainRun.stderr));
  });

  it('source-level stepping and a watchpoint in a C program compiled with gcc -g', async (ctx) => {
    const gcc = spawnSync('sh', ['-c', 'command -v riscv64-unknown-elf-gcc'], { encoding: 'utf8' }).stdout.trim();
    if (!gcc) {
      console.warn('gdb.test.ts: C program skipped: no riscv64-unknown-elf-gcc on PATH');
      ctx.skip();
    }
    const elf = join(dir, 'sum.elf');
    const cc = spawnSync(gcc, ['-march=rv64imac', '-mabi=lp64', '-mcmodel=medany', '-O0', '-g', '-nostdlib', '-nostartfiles',
      '-Wl,-Ttext-segment=0x80000000', '-Wl,-e,_start', '-o', elf, join(__dirname, 'fixtures', 'gdb', 'sum.c')], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    const port = await freePort();
    const script = `${PROLOGUE}break add
continue
info args
step
step
print counter
next
finish
watch counter
continue
continue
info line *$pc
delete
continue
`;
    const r = await gdbSession(GDB!, run, [elf, '--gdb', String(port)], script, join(dir, 'sum.gdb'));
    keep('sum', r.gdb);
    const t = r.gdb;
    expect(t).toMatch(/Breakpoint 1, add \(a=0, b=0\) at .*sum\.c:9\n9\s+long s = a \+ b;\na = 0\nb = 0\n10\s+counter = s;\n11\s+return s;\n\$1 = 0\n12\s+\}/);
    expect(t).toMatch(/Run till exit from #0 +add \(a=0, b=0\)|in start_c \(\) at .*sum\.c:17/);
    expect(t).toMatch(/Value returned is \$2 = 0/);
    // The watchpoint stops right after the store: gdb shows the line of the next instruction (11).
    expect(t).toMatch(/Hardware watchpoint 2: counter\n\nOld value = 0\nNew value = 1\nadd \(a=0, b=1\) at .*sum\.c:11\n11\s+return s;/);
    expect(t).toMatch(/exited with code 03/);
    expect(r.code).toBe(3);
  });

  it('kill ends the run; gdb quitting detaches and the program runs to its end', async () => {
    const { elf } = buildDemo();
    const port = await freePort();
    const killed = await gdbSession(GDB!, run, [elf, '--gdb', String(port)], `${PROLOGUE}break *add_one\ncontinue\nkill\n`, join(dir, 'kill.gdb'));
    expect(killed.gdb).toMatch(/Breakpoint 1/);
    expect(killed.code).toBe(137);
    expect(killed.stderr).toMatch(/killed by gdb/);
    const port2 = await freePort();
    const quit = await gdbSession(GDB!, run, [elf, '--gdb', String(port2)], `${PROLOGUE}stepi\n`, join(dir, 'quit.gdb'));
    expect(quit.code).toBe(3);
  });

  it('the microkernel: break at the IPC fastpath, look at the trap frame, continue to the end', async () => {
    const port = await freePort();
    const script = `${PROLOGUE}break fastpath_call
continue
info registers priv
x/4i $pc
bt 1
delete
continue
`;
    const r = await gdbSession(GDB!, kernel, ['pingpong', '--gdb', String(port)], script, join(dir, 'kernel.gdb'));
    keep('kernel', r.gdb);
    expect(r.gdb).toMatch(/Breakpoint 1, 0x0+[0-9a-f]+ in fastpath_call \(\)/);
    expect(r.gdb).toMatch(/priv +0x1\s+prv:1 \[Supervisor\]/);
    expect(r.gdb).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
    expect(r.code).toBe(0);
  });
});
