// `rvx trace` and `rvx profile` end to end: a known program's trace against a stored expected file,
// JSONL schema, filters, a closed pipe, profiles and regions.
import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { assemble, formatDiagnostics } from '../tools/asm/index.js';
import { main as trace } from '../tools/commands/trace.js';
import { main as profile } from '../tools/commands/profile.js';
import { fallThroughProgram } from './helpers/programs.js';

const FIX = join(__dirname, 'fixtures', 'trace');
const dir = mkdtempSync(join(tmpdir(), 'rvx-trace-'));

function build(name: string): string {
  const src = join(FIX, `${name}.s`);
  const r = assemble([{ name: src, text: readFileSync(src, 'utf8') }]);
  if (!r.ok) throw new Error(formatDiagnostics(r));
  const out = join(dir, `${name}.elf`);
  writeFileSync(out, r.elf());
  return out;
}

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => (out.push(typeof s === 'string' ? s : Buffer.from(s).toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => (err.push(typeof s === 'string' ? s : Buffer.from(s).toString()), true)) as typeof process.stderr.write;
  try {
    const code = await fn();
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

async function traceTo(args: string[]): Promise<{ code: number; lines: string[]; err: string }> {
  const f = join(dir, `t${Math.random().toString(36).slice(2)}.txt`);
  const r = await capture(() => trace([...args, '-o', f]));
  const text = r.code === 125 || r.code === 126 || r.code === 127 ? '' : readFileSync(f, 'utf8');
  return { code: r.code, lines: text.split('\n').filter(Boolean), err: r.err };
}

let basic = '';
beforeAll(() => {
  basic = build('basic');
});

describe('rvx trace', () => {
  it('prints Spike commit-log lines, identical to the stored expected trace', async () => {
    const r = await traceTo([basic]);
    expect(r.code).toBe(0);
    expect(r.lines.join('\n') + '\n').toBe(readFileSync(join(FIX, 'basic.expected'), 'utf8'));
  });

  it('extra columns with --disasm --symbols --stalls', async () => {
    const r = await traceTo([basic, '--disasm', '--symbols', '--stalls', '--from', 'loop', '--max', '2']);
    expect(r.lines).toEqual([
      'core   0: 3 0x000000008000003e (0x137d) x6  0x0000000000000002  #  <loop>  addi t1, t1, -1  [1 cycle]',
      'core   0: 3 0x0000000080000040 (0xfe031fe3)  #  <loop+0x2>  bnez t1, 0x8000003e  [24 cycles: icache 19, mispredict 4]',
    ]);
  });

  it('JSONL: one object per record with the documented keys; the ecall shows as a trap', async () => {
    const r = await traceTo([basic, '--format', 'jsonl']);
    const objs = r.lines.map((l) => JSON.parse(l));
    const text = readFileSync(join(FIX, 'basic.expected'), 'utf8').trim().split('\n');
    expect(objs.length).toBe(text.length + 1);
    let cycles = 0;
    for (const o of objs) {
      expect(Object.keys(o)).toEqual(
        o.trap
          ? ['step', 'priv', 'pc', 'raw', 'disasm', 'symbol', 'trap', 'cycles', 'stalls']
          : ['step', 'priv', 'pc', 'raw', 'disasm', 'symbol', 'regs', 'csrs', 'mem', ...(o.taken ? ['taken'] : []), 'next', 'cycles', 'stalls'],
      );
      expect(o.pc).toMatch(/^0x[0-9a-f]{16}$/);
      expect(o.cycles).toBeGreaterThanOrEqual(1);
      cycles += o.cycles;
    }
    const trap = objs.filter((o) => o.trap);
    expect(trap.length).toBe(1);
    expect(trap[0].trap).toMatchObject({ cause: '0xb', interrupt: false, name: 'trap_machine_ecall' });
    const amo = objs.find((o) => o.disasm.startsWith('amoadd.d'));
    expect(amo.mem.map((m: { op: string }) => m.op)).toEqual(['read', 'write']);
    expect(cycles).toBeGreaterThan(objs.length);
  });

  it('filters: --from/--to, --priv, --skip/--max', async () => {
    const loop = await traceTo([basic, '--from', 'loop', '--to', 'loop+2']);
    expect(loop.lines.length).toBe(6);
    expect((await traceTo([basic, '--priv', 'u'])).lines).toEqual([]);
    const sk = await traceTo([basic, '--skip', '5', '--max', '3', '--stats']);
    const all = readFileSync(join(FIX, 'basic.expected'), 'utf8').trim().split('\n');
    expect(sk.lines).toEqual(all.slice(5, 8));
    // The machine stops right after the last printed line: 8 instructions ran, and the pc named is
    // the next instruction's.
    expect(sk.code).toBe(124);
    expect(sk.err).toMatch(/^instructions {2}8$/m);
    const m = /^core {3}0: \d (0x[0-9a-f]{16}) \(0x([0-9a-f]+)\)/.exec(all[7])!;
    const nextPc = BigInt(m[1]) + (m[2].length === 4 ? 2n : 4n);
    expect(sk.err).toContain(`at pc 0x${nextPc.toString(16)} `);
    const traps = await traceTo([basic, '--traps', '--from', 'loop+0x14', '--max', '4']);
    expect(traps.lines[2]).toBe('core   0: exception trap_machine_ecall, epc 0x000000008000005a');
  });

  it('bad options and files get clear errors (exit 125, 126, 127)', async () => {
    expect((await capture(() => trace([basic, '--from', 'nowhere']))).err).toBe("rvx trace: --from nowhere: no symbol 'nowhere' in the ELF (see 'rvx trace --help')\n");
    expect((await capture(() => trace([basic, '--format', 'xml']))).err).toMatch(/--format 'xml': expected text or jsonl/);
    expect((await capture(() => trace([basic, '--core', 'fast']))).err).toMatch(/--core fast: expected rocket, ideal or a .json/);
    expect((await capture(() => trace([join(dir, 'missing.elf')]))).err).toMatch(/missing.elf: no such file\n$/);
    const junk = join(dir, 'junk.elf');
    writeFileSync(junk, 'not an elf');
    const r = await capture(() => trace([junk]));
    expect(r.code).toBe(126);
    expect(r.err).toMatch(/^rvx trace: .*junk.elf: /);
    expect((await capture(() => trace([join(dir, 'missing.elf')]))).code).toBe(127);
    const bogus = await capture(() => trace([basic, '--bogus']));
    expect(bogus.code).toBe(125);
    expect(bogus.err).toBe("rvx trace: unknown option '--bogus' (see 'rvx trace --help')\n");
  });

  it('stops quietly when the reader closes the pipe (| head)', async () => {
    const elf = build('spin');
    const child = spawn(process.execPath, ['--import', 'tsx', join(FIX, 'run-command.mts'), 'trace', elf], { stdio: ['ignore', 'pipe', 'pipe'] });
    let got = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d) => {
        got += d;
        if (got.includes('\n')) {
          child.stdout.destroy();
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    // Quietly, with the status of a program whose reader went away (128 + SIGPIPE), as cat ends.
    expect(err).toBe('');
    expect(code).toBe(141);
    expect(got.split('\n')[0]).toBe('core   0: 3 0x0000000000001000 (0x00000297) x5  0x0000000000001000');
  }, 60000);
});

describe('rvx trace --xpc', () => {
  it('traces an XPC program: xcall/xret records carry the satp switch and their engine cycles', async () => {
    const P = join(__dirname, 'programs');
    const src = join(P, 'xpc', 'call.s');
    const r = assemble([{ name: src, text: readFileSync(src, 'utf8') }], {
      files: { 'rvtest.inc': readFileSync(join(P, 'include', 'rvtest.inc'), 'utf8'), 'xpc.inc': readFileSync(join(P, 'xpc', 'include', 'xpc.inc'), 'utf8') },
    });
    if (!r.ok) throw new Error(formatDiagnostics(r));
    const elf = join(dir, 'xpc-call.elf');
    writeFileSync(elf, r.elf());
    // The engine is attached by default.
    const t = await traceTo([elf, '--format', 'jsonl']);
    expect(t.code).toBe(0);
    const xcalls = t.lines.map((l) => JSON.parse(l)).filter((o) => /^x(call|ret)\b/.test(o.disasm) && !o.trap);
    expect(xcalls.length).toBeGreaterThan(0);
    for (const o of xcalls) {
      expect(o.csrs.map((c: { csr: string }) => c.csr)).toContain('satp');
      expect(o.stalls.xpc).toBeGreaterThan(0);
    }
    // Without the engine (--no-xpc) the first xcall is an illegal instruction and the program fails.
    expect((await traceTo([elf, '--no-xpc', '--max', '1'])).code).toBe(124); // --max stops the machine
    expect((await traceTo([elf, '--no-xpc'])).code).not.toBe(0);
  });
});

describe('rvx profile', () => {
  it('per function and per mode; cycles add up; regions', async () => {
    const regions = join(dir, 'regions.txt');
    writeFileSync(regions, '# cost of the trap round trip\ntrap: trap_vector..mret\ncall: func..<loop+0xe\n');
    const r = await capture(() => profile([basic, '--json', '--regions', regions]));
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.core).toBe('rocket');
    const sum = rep.functions.reduce((a: number, f: { cycles: number }) => a + f.cycles, 0);
    expect(sum).toBe(rep.cycles);
    expect(rep.privileges).toEqual([expect.objectContaining({ name: 'M', cycles: rep.cycles })]);
    const trapRegion = rep.regions.find((x: { name: string }) => x.name === 'trap');
    // csrr (1) + addi (1 + 2: a CSR result is not bypassed) + csrw mepc (1: no flush) + mret (1 + 4,
    // plus the I-cache refill of the next line, which it straddles: 23 less the 2 cycles the fetch
    // queue hides, plus 14 for the write-back of that line's dirty copy in the D-cache — the program's
    // data shares the line — that the refill's probe sends back first).
    expect(trapRegion).toMatchObject({ count: 1, instructions: 4, cycles: 45 });
    expect(rep.regions.find((x: { name: string }) => x.name === 'call')).toMatchObject({ count: 1, instructions: 2, cycles: 2 });
    const ideal = JSON.parse((await capture(() => profile([basic, '--json', '--core', 'ideal']))).out);
    expect(ideal.cycles).toBe(ideal.instructions);
    const table = await capture(() => profile([basic]));
    expect(table.out).toMatch(/^core rocket: \d+ cycles, 45 instructions, CPI /);
    expect(table.out).toMatch(/\nfunction +cycles +share +insns +CPI/);
  });

  it('same image, same options: the same cycles on every run', async () => {
    const a = (await capture(() => profile([basic, '--json']))).out;
    const b = (await capture(() => profile([basic, '--json']))).out;
    expect(JSON.parse(a).cycles).toBeGreaterThan(0);
    expect(b).toBe(a);
  });

  it('with the rocket model the profile runs on the jit tier (passes replayed in WebAssembly) and reports what the interpreter does', async () => {
    const src = join(__dirname, '..', 'bench', 'programs', 'mips.s');
    const r = assemble([{ name: src, text: readFileSync(src, 'utf8') }]);
    if (!r.ok) throw new Error(formatDiagnostics(r));
    const elf = join(dir, 'mips.elf');
    writeFileSync(elf, r.elf());
    const jit = await capture(() => profile([elf, '--json', '--tier', 'jit', '--max-insns', '2000000', '--stats']));
    const interp = await capture(() => profile([elf, '--json', '--tier', 'interp', '--max-insns', '2000000']));
    expect(jit.code).toBe(124);
    // Most of the run went through translated blocks, whose records were replayed to the model and profiler.
    const m = /tier\s+jit: (\d+) instructions in translated blocks \(their records replayed/.exec(jit.err);
    expect(m, jit.err).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(1_000_000);
    // Passes within one function were modelled in WebAssembly and reported whole (summarizePasses);
    // the report is still the interpreter's, byte for byte.
    const w = /replayed (\d+) of them in WebAssembly, (\d+) in JavaScript/.exec(jit.err);
    expect(w, jit.err).not.toBeNull();
    expect(Number(w![1])).toBeGreaterThan(Number(w![2]));
    expect(JSON.parse(jit.out).functions.length).toBeGreaterThan(3);
    expect(jit.out).toBe(interp.out);
  });

  it('with the rocket model, blocks that span two functions are reported instruction by instruction', async () => {
    // g and h share a translated block (g falls through into h), so its passes cannot be summed for one
    // function; the others can. Both kinds, and the hand-over between them, must give the interpreter's report.
    const text = fallThroughProgram(20000, 30000);
    const r = assemble([{ name: 'fall.s', text }], { march: 'rv64imac' });
    if (!r.ok) throw new Error(formatDiagnostics(r));
    const elf = join(dir, 'fall.elf');
    writeFileSync(elf, r.elf());
    const jit = await capture(() => profile([elf, '--json', '--tier', 'jit', '--stats']));
    const interp = await capture(() => profile([elf, '--json', '--tier', 'interp']));
    expect(jit.code).toBe(0);
    const w = /replayed (\d+) of them in WebAssembly, (\d+) in JavaScript/.exec(jit.err);
    expect(w, jit.err).not.toBeNull();
    expect(Number(w![1])).toBeGreaterThan(10_000);
    expect(Number(w![2])).toBeGreaterThan(10_000);
    const names = JSON.parse(jit.out).functions.map((f: { name: string }) => f.name);
    expect(names).toEqual(expect.arrayContaining(['g', 'h', 'f', '_start']));
    expect(jit.out).toBe(interp.out);
  });

  it('bad regions files are reported with file:line', async () => {
    const regions = join(dir, 'bad.txt');
    writeFileSync(regions, 'x: nope..mret\n');
    const r = await capture(() => profile([basic, '--regions', regions]));
    expect(r.code).toBe(125);
    expect(r.err).toContain(`${regions}:1: 'nope' is neither a symbol, an address nor an instruction mnemonic`);
  });
});
