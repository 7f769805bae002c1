// `rvx run`: exit status = the program's HTIF code, failing case named on stderr, distinct statuses for
// the instruction limit (124), a trap loop (125) and a stuck hart (123), clean refusal of bad files and
// options (2), console output on stdout, --stats, --ram, --isa, --bin; and once through the real CLI.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as runMain, EXIT_FATAL, EXIT_LIMIT, EXIT_TRAP_LOOP, EXIT_USAGE } from '../tools/commands/run.js';
import { assemble, formatDiagnostic } from '../tools/asm/index.js';
import { captureMain } from './helpers/cli.js';
import { assembleProgram } from './helpers/programs.js';

const HTIF = `
        .section .tohost, "aw", @progbits
        .balign 8
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
`;

/** A program that ends with HTIF code `code`. */
const exitWith = (code: number | bigint) => `
        .globl _start
_start: li t0, ${(BigInt(code) << 1n) | 1n}
        la t1, tohost
        sd t0, 0(t1)
1:      j 1b
${HTIF}`;

let dir = '';
const files: Record<string, string> = {};

function build(name: string, text: string, options: Parameters<typeof assemble>[1] = {}): string {
  const r = assemble([{ name: `${name}.s`, text }], options);
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  const path = join(dir, `${name}.elf`);
  writeFileSync(path, r.elf());
  return path;
}

const run = (...args: string[]) => captureMain(runMain, args);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rvx-run-'));
  files.pass = build('pass', exitWith(0));
  files.fail5 = build('fail5', exitWith(5));
  files.fail300 = build('fail300', exitWith(300));
  files.fail256 = build('fail256', exitWith(256));
  files.loop = build('loop', `.globl _start\n_start: j _start\n${HTIF}`);
  files.trapLoop = build('traploop', `.globl _start\n_start: la t0, h\n csrw mtvec, t0\n .word 0xffffffff\nh: .word 0xffffffff\n${HTIF}`);
  files.wfi = build('wfi', `.globl _start\n_start: csrw mie, zero\n wfi\n j _start\n${HTIF}`);
  // tohost far from the code, at an address no convention would guess: found by its symbol
  files.farTohost = build(
    'far',
    `.globl _start\n_start: li t0, 7\n la t1, tohost\n sd t0, 0(t1)\n1: j 1b\n .data\n .space 0x12340\n .balign 8\n .globl tohost\ntohost: .dword 0\nfromhost: .dword 0\n`,
  );
  files.console = join(dir, 'console.elf');
  writeFileSync(files.console, assembleProgram('console.s').elf());
  files.compressed = build('compressed', `.globl _start\n_start: c.li a0, 1\n li t0, 1\n la t1, tohost\n sd t0, 0(t1)\n1: j 1b\n${HTIF}`);
  files.big = build('big', `${exitWith(0)}\n .data\n .space 0x200000\n`);
  files.garbage = join(dir, 'garbage.elf');
  writeFileSync(files.garbage, Buffer.from('this is not an ELF file at all\n'));
  files.truncated = join(dir, 'truncated.elf');
  const passBytes = assemble([{ name: 'p.s', text: exitWith(0) }]).elf();
  writeFileSync(files.truncated, passBytes.subarray(0, 40));
  files.flat = join(dir, 'flat.bin');
  writeFileSync(files.flat, assemble([{ name: 'f.s', text: '_start: li a0, 42\n1: j 1b\n' }]).binary());
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('rvx run exit status', () => {
  it('passes with 0 and prints nothing', async () => {
    const r = await run(files.pass);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });
  it('returns the failing test case and names it on stderr', async () => {
    const r = await run(files.fail5);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(`rvx run: ${files.fail5}: *** FAILED *** with code 5 (tohost = 0xb; riscv-tests: test case 5)\n`);
  });
  it('never maps a failure to 0 nor into rvx\'s own statuses: codes above 119 exit 119 with the exact code on stderr', async () => {
    const r = await run(files.fail300);
    expect(r.code).toBe(119);
    expect(r.stderr).toContain('test case 300');
    expect(r.stderr).toContain('exit status 119');
    expect((await run(files.fail256)).code).toBe(119);
  });
  it('finds tohost by symbol wherever it is', async () => {
    const r = await run(files.farTohost);
    expect(r.code).toBe(3);
  });
  it('stops at --max-insns with 124 and says so', async () => {
    const r = await run(files.loop, '--max-insns', '1000');
    expect(r.code).toBe(EXIT_LIMIT);
    expect(r.code).toBe(124);
    expect(r.stderr).toMatch(/^rvx run: .*loop\.elf: stopped: --max-insns 1000 reached at pc 0x80000000 in M mode\n$/);
    const counted = await run(files.loop, '--max-insns', '1000', '--stats');
    expect(counted.stderr).toMatch(/^instructions\s+1000\n/); // exactly N retired
  });
  it('reports a trap loop with 122, naming the trap', async () => {
    const r = await run(files.trapLoop, '--max-insns', '1000000');
    expect(r.code).toBe(EXIT_TRAP_LOOP);
    expect(r.stderr).toContain('trap loop');
    expect(r.stderr).toContain('illegal instruction');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('reports a hart that can never wake with 123', async () => {
    const r = await run(files.wfi, '--max-insns', '1000000');
    expect(r.code).toBe(EXIT_FATAL);
    expect(r.stderr).toContain('wfi');
  });
});

describe('rvx run input checks', () => {
  it('refuses a file that is not ELF with one line and status 126', async () => {
    const r = await run(files.garbage);
    expect(r.code).toBe(126);
    expect(r.stderr).toBe(`rvx run: ${files.garbage}: not an ELF file\n`);
  });
  it('refuses a truncated ELF with one line', async () => {
    const r = await run(files.truncated);
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/^rvx run: .*truncated\.elf: truncated file.*\n$/);
  });
  it('refuses an ELF for another machine and a 32-bit ELF', async () => {
    const r = await run(process.execPath); // the node binary: ELF64, but not RISC-V
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/^rvx run: .*: machine \d+ is not RISC-V \(243\)\n$/);
    const elf32 = Uint8Array.from(readFileSync(files.pass));
    elf32[4] = 1; // EI_CLASS = ELFCLASS32
    const path = join(dir, 'class32.elf');
    writeFileSync(path, elf32);
    const r32 = await run(path);
    expect(r32.code).toBe(126);
    expect(r32.stderr).toBe(`rvx run: ${path}: ELF class 32, expected ELF64\n`);
  });
  it('refuses a missing file and a directory', async () => {
    expect(await run(join(dir, 'nope.elf'))).toEqual({ code: 127, stdout: '', stderr: `rvx run: ${join(dir, 'nope.elf')}: no such file\n` });
    const r = await run(dir);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('is a directory');
  });
  it('refuses bad options with usage', async () => {
    for (const args of [[], ['--max-insns', 'x', files.pass], ['--max-insns', '-5', files.pass], ['--frobnicate', files.pass], [files.pass, files.pass], ['--ram'], ['--bin', 'zz', files.pass]]) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(EXIT_USAGE);
      expect(r.code, args.join(' ')).toBe(125);
      // One line, naming the problem, with a pointer to --help (not the whole usage).
      expect(r.stderr, args.join(' ')).toMatch(/^rvx run: [^\n]*\(see 'rvx run --help'\)\n$/);
    }
  });
  it('refuses an ISA or RAM size the machine does not have', async () => {
    const r = await run('--isa', 'rv32gc', files.pass);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^rvx run: --isa: ISA string 'rv32gc': rvx implements RV64 only.*\n$/);
    const r2 = await run('--ram', '4096', files.pass);
    expect(r2.code).toBe(125);
    expect(r2.stderr).toContain("--ram '4096': expected a whole number from 1 to 2047");
    expect(r2.stderr).not.toContain('ramMiB');
  });
  it('refuses a misaligned tohost instead of watching the wrong word', async () => {
    const path = build('misaligned', `.globl _start\n_start: j _start\n .data\n .byte 1\n .globl tohost\ntohost: .dword 0\n`);
    const r = await run(path);
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/^rvx run: .*: symbol 'tohost' at 0x[0-9a-f]+ is not 8-byte aligned/);
  });
  it('refuses a program that does not fit in --ram', async () => {
    expect((await run('--ram', '8', files.big)).code).toBe(0);
    const r = await run('--ram', '1', files.big);
    expect(r.code).toBe(126);
    expect(r.stderr).toContain('not inside RAM');
  });
  it('prints help', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--max-insns');
    expect(r.stdout).toContain('124');
  });
});

describe('rvx run features', () => {
  it('sends the HTIF console to stdout', async () => {
    const r = await run(files.console);
    expect(r).toEqual({ code: 0, stdout: 'hello from the rvx console\n', stderr: '' });
  });
  it('sends the UART (16550 at 0x10000000) to stdout', async () => {
    const text = `.globl _start
_start: li s0, 0x10000000
        la s1, msg
1:      lbu a0, 0(s1)
        beqz a0, 3f
2:      lbu t0, 5(s0)           # LSR: wait for THRE
        andi t0, t0, 0x20
        beqz t0, 2b
        sb a0, 0(s0)            # THR
        addi s1, s1, 1
        j 1b
3:      li t0, 1
        la t1, tohost
        sd t0, 0(t1)
4:      j 4b
        .data
msg:    .asciz "uart says hi\\n"
${HTIF}`;
    const r = await run(build('uart', text));
    expect(r).toEqual({ code: 0, stdout: 'uart says hi\n', stderr: '' });
  });
  it('--input feeds the UART receiver', async () => {
    const text = `.globl _start
_start: li s0, 0x10000000
1:      lbu t0, 5(s0)           # LSR.DR: a byte waiting?
        andi t0, t0, 1
        beqz t0, 2f
        lbu a0, 0(s0)           # RBR
        addi a0, a0, 1          # echo it shifted by one
        sb a0, 0(s0)
        j 1b
2:      li t0, 1
        la t1, tohost
        sd t0, 0(t1)
3:      j 3b
${HTIF}`;
    const path = build('echo', text);
    const inp = join(dir, 'input.txt');
    writeFileSync(inp, 'HAL');
    expect(await run('--input', inp, path)).toEqual({ code: 0, stdout: 'IBM', stderr: '' });
    expect(await run(path)).toEqual({ code: 0, stdout: '', stderr: '' }); // no input by default
    const missing = await run('--input', join(dir, 'none.txt'), path);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('no such file');
  });
  it('serves the Spike syscall proxy: write(1, buf, len) through magic_mem', async () => {
    const text = `.globl _start
_start: la a0, magic
        li t0, 64               # SYS_write
        sd t0, 0(a0)
        li t0, 1                # fd 1
        sd t0, 8(a0)
        la t0, msg
        sd t0, 16(a0)
        li t0, 7
        sd t0, 24(a0)
        fence
        la t1, tohost
        sd a0, 0(t1)            # an even tohost value: the address of magic_mem
        la t2, fromhost
1:      ld t0, 0(t2)            # the host answers through fromhost
        beqz t0, 1b
        sd zero, 0(t2)
        ld a1, 0(a0)            # return value: bytes written
        li t0, ((7 << 1) | 1)
        li t3, 7
        beq a1, t3, 2f
        li t0, ((9 << 1) | 1)
2:      sd t0, 0(t1)
3:      j 3b
        .data
        .balign 64
magic:  .dword 0, 0, 0, 0
msg:    .ascii "syscall"
${HTIF}`;
    const r = await run(build('syscall', text));
    expect(r.stdout).toBe('syscall');
    expect(r.code).toBe(7); // 7 = the program saw write() return 7
  });
  it('--stats prints instructions, time, MIPS, traps and TLB counts to stderr', async () => {
    const r = await run('--stats', files.fail5);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/instructions\s+9\n/); // 5 in the boot ROM, 4 in the program
    expect(r.stderr).toMatch(/wall time\s+[\d.]+ s/);
    // 9 instructions are too few to time: no made-up rate.
    expect(r.stderr).toMatch(/MIPS\s+n\/a \(run too short to time/);
    expect(r.stderr).toMatch(/traps\s+0 \(0 interrupts\)/);
    // Bare mode throughout: no TLB figures that mean nothing.
    expect(r.stderr).toMatch(/TLB\s+not used \(no address translation/);
  });
  it('--tier chooses how --core ideal runs, and --stats says which tier ran what', async () => {
    const jit = await run('--core', 'ideal', '--tier', 'jit', '--max-insns', '100000', '--stats', files.loop);
    expect(jit.code).toBe(EXIT_LIMIT);
    const m = /tier\s+jit: (\d+) instructions in translated blocks \([\d.]+%\), (\d+) interpreted;\s+(\d+) blocks? compiled/.exec(jit.stderr);
    expect(m, jit.stderr).not.toBeNull();
    expect(Number(m![1]) + Number(m![2])).toBe(100000);
    expect(Number(m![1])).toBeGreaterThan(90000);
    const interp = await run('--core', 'ideal', '--tier', 'interp', '--max-insns', '100000', '--stats', files.loop);
    expect(interp.code).toBe(EXIT_LIMIT);
    expect(interp.stderr).toMatch(/tier\s+interp\n/);
    // The cycle model on the jit tier: translated blocks' records are replayed to it (same cycles).
    const rocket = await run('--tier', 'jit', '--max-insns', '100000', '--stats', files.loop);
    const rm = /tier\s+jit: (\d+) instructions in translated blocks \(their records replayed to the cycle model\) \([\d.]+%\), (\d+) interpreted/.exec(rocket.stderr);
    expect(rm, rocket.stderr).not.toBeNull();
    expect(Number(rm![1]) + Number(rm![2])).toBe(100000);
    expect(Number(rm![1])).toBeGreaterThan(90000);
    const rocketInterp = await run('--tier', 'interp', '--max-insns', '100000', '--stats', files.loop);
    expect(rocketInterp.stderr).toMatch(/tier\s+interp \(the cycle model observes every instruction\)/);
    const cyclesOf = (text: string) => /cycles\s+(\d+)/.exec(text)?.[1];
    expect(cyclesOf(rocket.stderr)).toBeDefined();
    expect(cyclesOf(rocket.stderr)).toBe(cyclesOf(rocketInterp.stderr));
    // The model's stall breakdown and events: printed for a timing core, the same on both tiers.
    const accountOf = (text: string) => text.split('\n').filter((l) => /^(stalls|core events)\s|^\s+\d+ branch(es)? and jumps/.test(l)).join('\n');
    expect(accountOf(rocket.stderr).split('\n'), rocket.stderr).toHaveLength(3);
    expect(accountOf(rocket.stderr)).toMatch(/mispredict \d+/);
    expect(accountOf(rocket.stderr)).toBe(accountOf(rocketInterp.stderr));
    expect(jit.stderr).not.toMatch(/stalls/);
    const bad = await run('--tier', 'fast', files.pass);
    expect(bad.code).toBe(EXIT_USAGE);
    expect(bad.stderr).toContain("--tier 'fast': expected jit or interp");
  });
  it('--isa rv64ima makes compressed code illegal', async () => {
    expect((await run(files.compressed)).code).toBe(0);
    const r = await run('--isa', 'rv64ima', '--max-insns', '10000', files.compressed);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('illegal instruction');
  });
  it('--bin loads a flat binary at an address and runs it', async () => {
    const r = await run('--bin', '0x80000000', '--max-insns', '100', files.flat);
    expect(r.code).toBe(124);
    expect(r.stderr).toContain('pc 0x80000004');
  });
  it('warns when nothing can end the run (no tohost, no --max-insns)', async () => {
    const path = build('notohost', '.globl _start\n_start: li a0, 1\n1: j 1b\n');
    const r = await run('--max-insns', '100', path);
    expect(r.stderr).not.toContain('warning'); // a limit will end it
    expect(r.code).toBe(124);
    // no limit: the warning comes first (this one then ends in a trap loop rather than hanging)
    const stuck = build('notohost-trap', '.globl _start\n_start: .word 0xffffffff\n');
    const r2 = await run(stuck);
    expect(r2.code).toBe(122);
    expect(r2.stderr.split('\n')[0]).toBe(`rvx run: ${stuck}: warning: no 'tohost' symbol, so the program cannot end the run through HTIF; stop it with --max-insns N`);
  });
  it('--signature writes begin_signature..end_signature in Spike format after the run', async () => {
    const path = build(
      'sig',
      `.globl _start
_start: la t0, begin_signature
        li t1, 0xdeadbeef
        sw t1, 4(t0)            # the run changes the second word
        li t0, 1
        la t1, tohost
        sd t0, 0(t1)
1:      j 1b
        .data
        .balign 16
        .globl begin_signature
begin_signature:
        .word 0x11223344, 0, 0x55667788
        .byte 0xab
        .globl end_signature
end_signature:
${HTIF}`,
    );
    const sig = join(dir, 'sig.out');
    expect((await run('--signature', sig, path)).code).toBe(0);
    expect(readFileSync(sig, 'utf8')).toBe('11223344\ndeadbeef\n55667788\n000000ab\n');
    expect((await run('--signature', sig, '--signature-granularity', '8', path)).code).toBe(0);
    expect(readFileSync(sig, 'utf8')).toBe('deadbeef11223344\n000000ab55667788\n'); // last word zero-padded
    expect((await run('--signature', sig, '--signature-granularity', '1', path)).code).toBe(0);
    expect(readFileSync(sig, 'utf8').split('\n').slice(0, 5)).toEqual(['44', '33', '22', '11', 'ef']);
    const r = await run('--signature', sig, files.pass);
    expect(r.code).toBe(126);
    expect(r.stderr).toContain('begin_signature');
    expect((await run('--signature', sig, '--signature-granularity', '3', path)).code).toBe(125);
  });
  it('--mtime-hz sets how fast the CLINT timer runs against retired instructions', async () => {
    // 20,000 loop iterations (40,000 instructions), then exit with code (mtime >> 9) + 1
    const path = build(
      'mtime',
      `.globl _start
_start: li t0, 20000
1:      addi t0, t0, -1
        bnez t0, 1b
        li t1, 0x200bff8
        ld a0, 0(t1)
        srli a0, a0, 9
        addi a0, a0, 1
        slli a0, a0, 1
        ori a0, a0, 1
        la t1, tohost
        sd a0, 0(t1)
2:      j 2b
${HTIF}`,
    );
    const slow = await run(path); // default 10 MHz: one tick per 100 instructions, mtime ~ 400
    expect(slow.code).toBe(1);
    const fast = await run('--mtime-hz', '1000000000', path); // one tick per instruction, mtime ~ 40,000
    expect(fast.code).toBeGreaterThanOrEqual(75);
    expect(fast.code).toBeLessThanOrEqual(81);
  });
  it('accepts --opt=value forms', async () => {
    expect((await run('--max-insns=50', files.loop)).code).toBe(124);
  });
});

describe('rvx run: core model and XPC engine', () => {
  // Exits 0 when the window between two rdcycle reads costs one cycle per instruction (5: the first
  // read and four body instructions), 3 when the model charged more (the load-use pairs stall).
  const cyclesProgram = `
        .globl _start
_start: la t2, value
        rdcycle t1
        ld a0, 0(t2)
        addi a0, a0, 1
        ld a0, 0(t2)
        addi a0, a0, 1
        rdcycle t3
        sub t1, t3, t1
        li t0, 5
        li a1, 1
        beq t0, t1, 1f
        li a1, 7
1:      la t5, tohost
        sd a1, 0(t5)
2:      j 2b
        .data
        .balign 8
value:  .dword 41
${HTIF}`;
  it('cycle reads the rocket model by default and equals instret under --core ideal', async () => {
    const path = build('cycles', cyclesProgram);
    expect((await run(path)).code).toBe(3);
    expect((await run('--core', 'rocket', path)).code).toBe(3);
    expect((await run('--core', 'ideal', path)).code).toBe(0);
  });
  it('refuses an unknown core model', async () => {
    const r = await run('--core', 'pentium', files.pass);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('pentium');
  });
  it('attaches the XPC engine unless --no-xpc', async () => {
    // xprefetch has no architectural effect with the engine and is illegal without it (no trap vector: fatal or loop).
    const path = build('xpc', `.globl _start\n_start: li a0, 0\n xprefetch a0\n li t0, 1\n la t1, tohost\n sd t0, 0(t1)\n1: j 1b\n${HTIF}`);
    expect((await run(path)).code).toBe(0);
    expect((await run('--no-xpc', path)).code).not.toBe(0);
  });
});

describe('the rvx CLI process', () => {
  it('exits with the program status', () => {
    const cli = join(__dirname, '..', 'tools', 'cli.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'run', files.fail5], { encoding: 'utf8' });
    expect(r.status).toBe(5);
    expect(r.stderr).toContain('*** FAILED *** with code 5');
    const ok = spawnSync(process.execPath, ['--import', 'tsx', cli, 'run', files.console], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('hello from the rvx console\n');
    // --input - reads standard input to its end first
    const echo = join(dir, 'echo.elf');
    const piped = spawnSync(process.execPath, ['--import', 'tsx', cli, 'run', '--input', '-', echo], { encoding: 'utf8', input: 'HAL' });
    expect(piped.stdout).toBe('IBM');
    expect(piped.status).toBe(0);
  });
});
