// The gdb stub at the protocol level, with a client of our own (tests/helpers/rsp-client.ts): the
// packets gdb sends, the error paths (bad checksums, overlong packets, unknown commands, addresses
// outside memory, malformed arguments), Ctrl-C, detach and kill, and the promise that a run under the
// stub commits the same instructions with the same model cycles as a run without it.
import { describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, formatDiagnostics } from '../tools/asm/index.js';
import { Machine } from '../emulator/machine.js';
import { createXpcHook } from '../emulator/xpc/hook.js';
import { coreFromOption } from '../emulator/timing/index.js';
import type { CommitRecord } from '../emulator/types.js';
import { loadElfBytes } from '../tools/load.js';
import { spikeCommitLine } from '../tools/trace/format.js';
import { GdbServerError, serveGdb } from '../tools/gdb/server.js';
import type { GdbOutcome } from '../tools/gdb/stub.js';
import { PacketDecoder, frame } from '../tools/gdb/protocol.js';
import { trapClass, trapSignal } from '../tools/gdb/traps.js';
import { RspClient } from './helpers/rsp-client.js';
import { assembleProgram } from './helpers/programs.js';

const DEMO = readFileSync(join(__dirname, 'fixtures', 'gdb', 'demo.s'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'rvx-gdbp-'));

interface Built {
  machine: Machine;
  symbols: Map<string, bigint>;
}

function build(text: string, core = false): Built & { observer: ((r: CommitRecord) => number) | null } {
  const r = assemble([{ name: 'prog.s', text }]);
  if (!r.ok) throw new Error(formatDiagnostics(r));
  const loaded = loadElfBytes(r.elf());
  if (!loaded.ok) throw new Error(loaded.error);
  const machine = new Machine({ stdout: () => {} });
  machine.attachXpc(createXpcHook(machine.hart));
  machine.load(loaded.program);
  const observer = core ? coreFromOption('rocket', machine).observer : null;
  return { machine, symbols: r.symbols, observer };
}

/** Serve `machine` on a free port; resolves with the client once connected and the outcome promise. */
async function session(b: { machine: Machine; observer?: ((r: CommitRecord) => number) | null }, extra: { maxInsns?: number; wait?: boolean } = {}) {
  let announce!: (port: number) => void;
  const portP = new Promise<number>((r) => (announce = r));
  const outcome: Promise<GdbOutcome> = serveGdb({
    port: 0,
    wait: extra.wait ?? true,
    machine: b.machine,
    observer: b.observer ?? null,
    coreName: 'test',
    maxInsns: extra.maxInsns,
    announce: (line) => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(line);
      if (m) announce(Number(m[1]));
    },
  });
  const port = await portP;
  const client = await RspClient.connect(port);
  return { client, outcome, port };
}

const hex64le = (v: bigint) => {
  let s = '';
  for (let i = 0; i < 8; i++) s += Number((v >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, '0');
  return s;
};
const fromLe = (s: string) => {
  let v = 0n;
  for (let i = s.length / 2 - 1; i >= 0; i--) v = (v << 8n) | BigInt(Number.parseInt(s.slice(2 * i, 2 * i + 2), 16));
  return v;
};

describe('framing', () => {
  it('decodes packets, acks, Ctrl-C and escapes, and rejects bad checksums and overlong packets', () => {
    const d = new PacketDecoder();
    expect(d.push(Buffer.from('+$g#67-\x03'))).toEqual([{ kind: 'ack' }, { kind: 'packet', body: Buffer.from('g') }, { kind: 'nack' }, { kind: 'interrupt' }]);
    expect(d.push(Buffer.from('$g#00'))).toEqual([{ kind: 'bad-checksum' }]);
    expect(d.push(Buffer.from('$g#zz'))).toEqual([{ kind: 'bad-checksum' }]);
    // `}` escapes a byte as byte ^ 0x20; the checksum covers the bytes as sent.
    const escaped = frame(Buffer.from([0x58, 0x7d, 0x23 ^ 0x20]));
    expect(d.push(escaped)).toEqual([{ kind: 'packet', body: Buffer.from([0x58, 0x23]) }]);
    const big = frame('m' + '0'.repeat(0x5000));
    expect(d.push(big)).toEqual([{ kind: 'overlong' }]);
    // Split across reads, and a `$` restarting a cut-off packet.
    expect(d.push(Buffer.from('$qC'))).toEqual([]);
    expect(d.push(Buffer.from('$?#3'))).toEqual([]);
    expect(d.push(Buffer.from('f'))).toEqual([{ kind: 'packet', body: Buffer.from('?') }]);
  });

  it('escapes #, $, } and * in binary replies', () => {
    expect(frame(Buffer.from('a#$}*'), true).toString('latin1')).toBe('$a}\x03}\x04}]}\x0a#' + frame(Buffer.from('a}\x03}\x04}]}\x0a')).toString('latin1').slice(-2));
  });
});

describe('trap stops', () => {
  it('map causes to classes and gdb signals', () => {
    const IRQ = 1n << 63n;
    const cases: [bigint, string, number][] = [
      [3n, 'ebreak', 5], [2n, 'illegal', 4], [12n, 'page', 11], [13n, 'page', 11], [15n, 'page', 11],
      [1n, 'access', 11], [5n, 'access', 11], [7n, 'access', 11], [0n, 'misaligned', 10], [4n, 'misaligned', 10],
      [6n, 'misaligned', 10], [8n, 'ecall', 5], [9n, 'ecall', 5], [11n, 'ecall', 5], [25n, 'xpc', 11], [28n, 'xpc', 11],
      [IRQ | 7n, 'interrupt', 14], [IRQ | 5n, 'interrupt', 14], [IRQ | 3n, 'interrupt', 5], [IRQ | 9n, 'interrupt', 23],
    ];
    for (const [cause, cls, sig] of cases) {
      expect(trapClass(cause)).toBe(cls);
      expect(trapSignal(cause)).toBe(sig);
    }
  });
});

describe('gdb stub protocol', () => {
  it('answers qSupported, target.xml, registers and memory; errors for bad input, never a crash', async () => {
    const b = build(DEMO);
    const { client: c, outcome } = await session(b);
    const sup = await c.request('qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;xmlRegisters=i386');
    expect(sup).toMatch(/PacketSize=4000/);
    expect(sup).toMatch(/qXfer:features:read\+/);
    expect(sup).toMatch(/swbreak\+/);
    expect(sup).toMatch(/hwbreak\+/);
    expect(await c.request('?')).toMatch(/^T05/);

    // target.xml, read in pieces as gdb does.
    let xml = '';
    for (let off = 0; ; ) {
      const r = (await c.request(`qXfer:features:read:target.xml:${off.toString(16)},400`))!;
      xml += r.slice(1);
      off += r.length - 1;
      if (r[0] === 'l') break;
      expect(r[0]).toBe('m');
    }
    expect(xml).toContain('<architecture>riscv:rv64</architecture>');
    expect(xml).toContain('<feature name="org.gnu.gdb.riscv.cpu">');
    expect(xml).toContain('<reg name="zero" bitsize="64" regnum="0"');
    expect(xml).toContain('<reg name="t6" bitsize="64" regnum="31"');
    expect(xml).toContain('<reg name="pc" bitsize="64" regnum="32" type="code_ptr"/>');
    expect(xml).toContain(`<reg name="mstatus" bitsize="64" regnum="${65 + 0x300}"`);
    expect(xml).toContain(`<reg name="satp" bitsize="64" regnum="${65 + 0x180}"`);
    expect(xml).toContain(`<reg name="xlink_top" bitsize="64" regnum="${65 + 0x5c4}"`);
    expect(xml).toContain('<reg name="priv" bitsize="64" regnum="4161"/>');
    // The f registers (the default machine is rv64gc): gdb's fpu feature, f0..f31 = 33..64.
    expect(xml).toContain('<feature name="org.gnu.gdb.riscv.fpu">');
    expect(xml).toContain('<reg name="ft0" bitsize="64" regnum="33" type="ieee_double" group="float"/>');
    expect(xml).toContain('<reg name="ft11" bitsize="64" regnum="64" type="ieee_double" group="float"/>');
    expect(xml).not.toContain('name="ustatus"'); // not implemented: not described
    expect(await c.request('qXfer:features:read:other.xml:0,100')).toBe('E00');

    // Registers: g has x0..x31 and pc; the hart starts in the boot ROM at 0x1000, in M mode.
    const g = (await c.request('g'))!;
    expect(g.length).toBe(33 * 16);
    expect(fromLe(g.slice(32 * 16))).toBe(0x1000n);
    expect(await c.request('p20')).toBe(hex64le(0x1000n));
    expect(await c.request(`p${(4161).toString(16)}`)).toBe(hex64le(3n));
    b.machine.setFReg(1, 0x400921fb54442d18n); // pi
    expect(await c.request(`p${(34).toString(16)}`)).toBe(hex64le(0x400921fb54442d18n));
    expect(await c.request(`P${(35).toString(16)}=${hex64le(0xffffffff3f800000n)}`)).toBe('OK'); // 1.0f, NaN-boxed
    expect(b.machine.getFReg(2)).toBe(0xffffffff3f800000n);
    expect(await c.request(`p${(65 + 0x301).toString(16)}`)).toBe(hex64le(b.machine.readCsr(0x301)));
    expect(await c.request(`P5=${hex64le(0x1234n)}`)).toBe('OK');
    expect(b.machine.getReg(5)).toBe(0x1234n);
    expect(await c.request(`P0=${hex64le(7n)}`)).toBe('OK'); // x0 stays zero
    expect(await c.request('p0')).toBe(hex64le(0n));
    expect(await c.request(`P${(65 + 0xf14).toString(16)}=${hex64le(1n)}`)).toBe('E01'); // mhartid: read-only
    expect(await c.request('p1fff')).toBe('E01');
    expect(await c.request('pzz')).toBe('E01');
    expect(await c.request('P5=12')).toBe('E01');
    const g2 = g.slice(0, 5 * 16) + hex64le(0x5555n) + g.slice(6 * 16);
    expect(await c.request('G' + g2)).toBe('OK');
    expect(b.machine.getReg(5)).toBe(0x5555n);
    expect(await c.request('G1234')).toBe('E01');

    // Memory: RAM and ROM read; devices and holes refused; a read running off the end of RAM is cut.
    const entry = b.symbols.get('_start')!;
    expect(await c.request(`m${entry.toString(16)},4`)).toBe(Buffer.from(b.machine.readPhys(Number(entry), 4)).toString('hex'));
    expect(await c.request('m1000,4')).toMatch(/^[0-9a-f]{8}$/);
    expect(await c.request('m0,4')).toBe('E0e');
    expect(await c.request('m10000000,1')).toBe('E0e'); // the UART: reading it would consume input
    expect(await c.request('mffffffffffffffff,8')).toBe('E0e');
    const end = 0x80000000 + 128 * 1024 * 1024;
    expect(await c.request(`m${(end - 2).toString(16)},8`)).toMatch(/^[0-9a-f]{4}$/);
    expect(await c.request('m80000000')).toBe('E01');
    expect(await c.request('mxyz,4')).toBe('E01');
    // Writes: all or nothing.
    const scratch = Number(b.symbols.get('counter')!);
    expect(await c.request(`M${scratch.toString(16)},2:abcd`)).toBe('OK');
    expect(Array.from(b.machine.readPhys(scratch, 2))).toEqual([0xab, 0xcd]);
    expect(await c.request(`M${scratch.toString(16)},2:abc`)).toBe('E01');
    expect(await c.request(`M${(end - 1).toString(16)},2:0102`)).toBe('E0e');
    expect(await c.request('M0,1:00')).toBe('E0e');
    // X: binary data, with `}` escapes for $ # } *.
    c.sendRaw(RspClient.frame(`X${scratch.toString(16)},2:`).slice(0, -3)); // cannot frame raw binary this way
    c.sendRaw('#00'); // ... so that was a bad checksum
    expect((await c.next())!.kind).toBe('nack');
    const xBody = Buffer.concat([Buffer.from(`X${scratch.toString(16)},3:`), Buffer.from([0x7d, 0x23 ^ 0x20, 0x00, 0x7d, 0x7d ^ 0x20])]);
    c.sendRaw(frame(xBody));
    expect(await c.packet()).toBe('OK');
    expect(Array.from(b.machine.readPhys(scratch, 3))).toEqual([0x23, 0x00, 0x7d]);
    expect(await c.request(`M${scratch.toString(16)},3:000000`)).toBe('OK');

    // Unknown and malformed packets.
    expect(await c.request('qNoSuchThing')).toBe('');
    expect(await c.request('vNoSuchThing')).toBe('');
    expect(await c.request('!')).toBe('');
    expect(await c.request('Z9,0,0')).toBe('E01');
    expect(await c.request('Z2,80000000,0')).toBe('E01');
    expect(await c.request('qRcmd,zz')).toBe('E01');

    // A bad checksum gets `-` and is not executed; gdb then retransmits.
    c.sendRaw(`$P5=${hex64le(9n)}#00`);
    expect((await c.next())!.kind).toBe('nack');
    expect(b.machine.getReg(5)).toBe(0x5555n);
    // An overlong packet is dropped with an error reply; the stub still works after it.
    c.send('m' + '0'.repeat(0x4100));
    expect(await c.packet()).toBe('E01');
    // Garbage between packets is ignored.
    c.sendRaw('garbage without a dollar');
    expect(await c.request('p20')).toBe(hex64le(0x1000n));

    // A nack makes the stub send its last packet again.
    c.send('p20');
    expect((await c.next())!.kind).toBe('ack');
    const t1 = await c.next();
    c.sendRaw('-');
    const t2 = await c.next();
    expect(t2).toEqual(t1);
    c.sendRaw('+');

    // No-ack mode, as gdb asks for it.
    expect(await c.request('QStartNoAckMode')).toBe('OK');
    c.send('p20');
    const t3 = await c.next();
    expect(t3).toEqual({ kind: 'packet', body: hex64le(0x1000n) });
    // Without acknowledgements a bad checksum cannot be retransmitted: an error reply, not executed.
    c.sendRaw(`$P5=${hex64le(9n)}#00`);
    expect(await c.next()).toEqual({ kind: 'packet', body: 'E01' });
    expect(b.machine.getReg(5)).toBe(0x5555n);

    c.send('k');
    expect((await outcome).reason).toBe('killed');
    c.close();
  });

  it('breakpoints, a write watchpoint, single steps and continue to the exit code', async () => {
    const b = build(DEMO);
    const { client: c, outcome } = await session(b);
    await c.request('qSupported:swbreak+;hwbreak+');
    const sym = (s: string) => b.symbols.get(s)!.toString(16);
    expect(await c.request(`Z0,${sym('add_one')},2`)).toBe('OK');
    const stop = await c.request('c');
    expect(stop).toMatch(/^T05swbreak:;20:/);
    expect(fromLe(stop!.slice(stop!.indexOf('20:') + 3, stop!.indexOf('20:') + 19))).toBe(b.symbols.get('add_one'));
    expect(b.machine.pc).toBe(Number(b.symbols.get('add_one')));
    expect(await c.request(`z0,${sym('add_one')},2`)).toBe('OK');
    expect(await c.request(`Z1,${sym('add_one')},2`)).toBe('OK');
    // The write watchpoint on counter stops after the sd, reporting the address.
    expect(await c.request(`Z2,${sym('counter')},8`)).toBe('OK');
    const w = await c.request('vCont;c');
    expect(w).toMatch(new RegExp(`^T05watch:${sym('counter')};`));
    expect(b.machine.readPhys(Number(b.symbols.get('counter')), 1)[0]).toBe(1);
    const insn = b.machine.pc;
    // The next stop is the hardware breakpoint at add_one again.
    expect(await c.request('c')).toMatch(/^T05hwbreak:;/);
    expect(b.machine.pc).toBe(Number(b.symbols.get('add_one')));
    expect(insn).toBeGreaterThan(Number(b.symbols.get('add_one')));
    expect(await c.request(`z2,${sym('counter')},8`)).toBe('OK');
    expect(await c.request(`z1,${sym('add_one')},2`)).toBe('OK');
    // A read watchpoint fires on the ld of counter in the next add_one.
    expect(await c.request(`Z3,${sym('counter')},8`)).toBe('OK');
    expect(await c.request('c')).toMatch(new RegExp(`^T05rwatch:${sym('counter')};`));
    // gdb (RISC-V: watchpoints taken to fire before the access) removes the watchpoint and steps over the
    // access, which rvx has already executed: that one step completes without executing anything.
    const afterLoad = b.machine.pc;
    const retired = b.machine.stats.instret;
    expect(await c.request(`z3,${sym('counter')},8`)).toBe('OK');
    expect(await c.request('vCont;s:1')).toMatch(/^T05/);
    expect(b.machine.pc).toBe(afterLoad);
    expect(b.machine.stats.instret).toBe(retired);
    expect(await c.request('s')).toMatch(/^T05/);
    expect(b.machine.stats.instret).toBe(retired + 1n);
    // An access watchpoint on a byte inside the dword reports an address inside its range.
    const inside = (b.symbols.get('counter')! + 4n).toString(16);
    expect(await c.request(`Z4,${inside},1`)).toBe('OK');
    expect(await c.request('c')).toMatch(new RegExp(`^T05awatch:${inside};`));
    expect(await c.request(`z4,${inside},1`)).toBe('OK');

    // Steps: one committed record each, through the ecall into M mode's handler and back.
    expect(await c.request(`Z0,${sym('ecall_site')},4`)).toBe('OK');
    expect(await c.request('c')).toMatch(/^T05swbreak:;/);
    expect(await c.request(`z0,${sym('ecall_site')},4`)).toBe('OK');
    expect(b.machine.priv).toBe(1);
    expect(await c.request('s')).toMatch(/^T05/);
    expect(b.machine.pc).toBe(Number(b.symbols.get('trap_m')));
    expect(b.machine.priv).toBe(3);
    expect(b.machine.readCsr(0x342)).toBe(9n);
    let n = 0;
    while (b.machine.pc !== Number(b.symbols.get('after_ecall')) && n++ < 40) expect(await c.request('vCont;s:1;c')).toMatch(/^T05/);
    expect(b.machine.priv).toBe(1);
    // Through the xcall: one step lands on the callee's entry, two more back after the call site.
    expect(await c.request(`Z0,${sym('xcall_site')},4`)).toBe('OK');
    expect(await c.request('c')).toMatch(/^T05/);
    expect(b.machine.pc).toBe(Number(b.symbols.get('xcall_site')));
    expect(await c.request('s')).toMatch(/^T05/);
    expect(b.machine.pc).toBe(Number(b.symbols.get('xpc_callee')));
    const con: string[] = [];
    expect(await c.request('qRcmd,' + Buffer.from('xpc').toString('hex'), con)).toBe('OK');
    expect(con.join('')).toMatch(/link stack .* depth 1/);
    expect(con.join('')).toContain(`return pc 0x${sym('after_xcall')}`);
    expect(await c.request('s')).toMatch(/^T05/);
    expect(await c.request('s')).toMatch(/^T05/);
    expect(b.machine.pc).toBe(Number(b.symbols.get('after_xcall')));
    expect(b.machine.getReg(10)).toBe(107n);
    // s with an address resumes there; the program then exits with counter = 3.
    expect(await c.request('c')).toBe('W03');
    const r = await outcome;
    expect(r).toEqual({ reason: 'exit', code: 3 });
  });

  it('stops on traps by class (monitor catch) with SIGILL, SIGSEGV, and on unhandled traps by default', async () => {
    const b = build(DEMO);
    const { client: c, outcome } = await session(b);
    const mon = async (cmd: string) => {
      const out: string[] = [];
      const r = await c.request('qRcmd,' + Buffer.from(cmd).toString('hex'), out);
      return { r, text: out.join('') };
    };
    expect((await mon('catch')).text).toBe('stopping on guest traps: unhandled\n');
    expect((await mon('catch illegal,page')).text).toBe('stopping on guest traps: illegal, page\n');
    const out: string[] = [];
    expect(await c.request('c', out)).toMatch(/^T04/);
    expect(out.join('')).toMatch(/illegal_instruction at pc 0x[0-9a-f]+ in S mode.*stopped at its handler/);
    expect(b.machine.pc).toBe(Number(b.symbols.get('trap_m')));
    expect(await c.request('c')).toMatch(/^T0b/);
    expect(b.machine.readCsr(0x343)).toBe(0x1000n);
    expect((await mon('catch bogus')).r).toBe('E01');
    expect((await mon('catch none')).text).toBe('stopping on guest traps: none\n');
    expect((await mon('frobnicate')).text).toMatch(/unknown monitor command 'frobnicate'/);
    const phys = await mon(`phys 0x${b.symbols.get('counter')!.toString(16)} 8`);
    expect(phys.text).toMatch(/^ *0x[0-9a-f]+: 03 00 00 00 00 00 00 00 {2,}\|/);
    expect((await mon('phys 0x10000000 4')).r).toBe('E01');
    expect((await mon('cycles')).text).toMatch(/^cycles \d+ {2}instret \d+ {2}\(core test\)/);
    expect((await mon('stats')).text).toMatch(/traps +3 /);
    expect(await c.request('c')).toBe('W03');
    await outcome;

    // No trap vector: the illegal instruction's handler (mtvec = 0) cannot be fetched.
    const u = build('.globl _start\n_start:\n  nop\n  .word 0\n  .section .tohost,"aw"\n  .balign 8\n  .globl tohost\ntohost: .dword 0\n');
    const s2 = await session(u);
    const msg: string[] = [];
    expect(await s2.client.request('c', msg)).toMatch(/^T04/);
    expect(msg.join('')).toMatch(/unhandled trap: illegal_instruction at pc 0x80000002 in M mode.*cannot be fetched/);
    s2.client.send('k');
    expect((await s2.outcome).reason).toBe('killed');
  });

  it('Ctrl-C interrupts a running guest with SIGINT; detach lets it run on to its end', async () => {
    // Loops 3 million times, then exits with code 5.
    const src = `.globl _start
_start:
  li t0, 3000000
1: addi t0, t0, -1
  bnez t0, 1b
  li a0, (5 << 1) | 1
  la t1, tohost
  sd a0, 0(t1)
2: j 2b
  .section .tohost,"aw"
  .balign 8
  .globl tohost
tohost: .dword 0
`;
    const b = build(src);
    const { client: c, outcome } = await session(b);
    c.send('c');
    expect((await c.next())!.kind).toBe('ack');
    await new Promise((r) => setTimeout(r, 30));
    c.sendRaw('\x03');
    expect(await c.packet()).toMatch(/^T02/);
    const at = b.machine.stats.instret;
    expect(at).toBeGreaterThan(0n);
    expect(at).toBeLessThan(9_000_000n);
    // A packet other than Ctrl-C or k while running is refused (all-stop mode).
    c.send('c');
    expect((await c.next())!.kind).toBe('ack');
    c.send('g');
    expect(await c.packet()).toBe('E16');
    c.sendRaw('\x03');
    expect(await c.packet()).toMatch(/^T02/);
    expect(await c.request('D')).toBe('OK');
    c.close();
    expect(await outcome).toEqual({ reason: 'exit', code: 5 });
  });

  it('survives random query packets and garbage without affecting the guest', async () => {
    const ref = build(DEMO, true);
    ref.machine.run(Infinity, ref.observer!);
    const b = build(DEMO, true);
    const { client: c, outcome } = await session(b);
    // Deterministic pseudo-random bodies: read-only commands and unknown ones, with random arguments.
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const heads = ['q', 'qXfer:features:read:target.xml:', 'qRcmd,', 'm', 'p', 'Z0,', 'z0,', 'Z2,', 'z4,', 'H', 'T', 'g', '?', 'Q', 'v', 'vCont?', 'vFile:', 'qSupported:', 'x', 'b', 'A', 'i', 'I', 'F', 'qAttached:', 'qL'];
    const alphabet = '0123456789abcdefABCDEF,:;=.-xyz';
    for (let i = 0; i < 400; i++) {
      let body = heads[rnd(heads.length)];
      const n = rnd(40);
      for (let k = 0; k < n; k++) body += alphabet[rnd(alphabet.length)];
      if (rnd(10) === 0) c.sendRaw('junk' + String.fromCharCode(rnd(32)));
      const r = await c.request(body);
      expect(r).not.toBeNull();
    }
    // Remove any breakpoints and watchpoints the noise may have planted, then run to the end.
    c.send('D');
    expect(await c.packet()).toBe('OK');
    c.close();
    expect(await outcome).toEqual({ reason: 'exit', code: 3 });
    expect(b.machine.stats.cycles).toBe(ref.machine.stats.cycles);
  });

  it('a run that cannot go on stops with SIGABRT and the reason, again on every resume', async () => {
    const b = build('.globl _start\n_start:\n  wfi\n  j _start\n  .section .tohost,"aw"\n  .balign 8\n  .globl tohost\ntohost: .dword 0\n');
    const { client: c, outcome } = await session(b);
    for (let k = 0; k < 2; k++) {
      const out: string[] = [];
      expect(await c.request('c', out)).toMatch(/^T06/);
      expect(out.join('')).toMatch(/wfi at pc 0x80000000 waits for an interrupt that can never arrive/);
    }
    expect(await c.request('g')).toMatch(/^[0-9a-f]+$/);
    c.send('k');
    expect((await outcome).reason).toBe('fatal');
  });

  it('the instruction budget ends the run with SIGXCPU; a second client is refused; a port in use is an error', async () => {
    const b = build('.globl _start\n_start: j _start\n  .section .tohost,"aw"\n  .balign 8\n  .globl tohost\ntohost: .dword 0\n');
    const { client: c, outcome, port } = await session(b, { maxInsns: 1000 });
    const second = await RspClient.connect(port);
    expect(await second.next()).toBeNull(); // closed at once
    await expect(serveGdb({ port, wait: true, machine: b.machine, observer: null, coreName: 'x', announce: () => {} })).rejects.toThrow(GdbServerError);
    const out: string[] = [];
    expect(await c.request('c', out)).toBe('X18');
    expect(out.join('')).toMatch(/--max-insns 1000 reached/);
    expect(await outcome).toEqual({ reason: 'limit' });
    expect(b.machine.stats.instret).toBe(1000n);
  });

  it('a run stopped and resumed under the stub commits the same records with the same model cycles', async () => {
    // Reference: the demo under the rocket model, without the stub.
    const ref = build(DEMO, true);
    const refLog: string[] = [];
    const refCommits: string[] = [];
    const refObs = ref.observer!;
    const refRes = ref.machine.run(Infinity, (rec) => {
      const c = refObs(rec);
      refLog.push(`${spikeCommitLine(rec) ?? 'trap'} ${c}`);
      if (!rec.trapped) refCommits.push(spikeCommitLine(rec)!);
      return c;
    });
    expect(refRes).toEqual({ reason: 'exit', code: 3 });

    // Under the stub: breakpoints, watchpoints, steps, catches, register and memory reads in between.
    const b = build(DEMO, true);
    const log: string[] = [];
    const obs = b.observer!;
    const { client: c, outcome } = await session({
      machine: b.machine,
      observer: (rec) => {
        const cost = obs(rec);
        log.push(`${spikeCommitLine(rec) ?? 'trap'} ${cost}`);
        return cost;
      },
    });
    const sym = (s: string) => b.symbols.get(s)!.toString(16);
    const logFile = join(dir, 'monitor-trace.log');
    const said: string[] = [];
    expect(await c.request('qRcmd,' + Buffer.from(`trace on ${logFile}`).toString('hex'), said)).toBe('OK');
    expect(said.join('')).toContain(`commit log (Spike --log-commits format) to ${logFile}`);
    await c.request('qRcmd,' + Buffer.from('catch all').toString('hex'));
    for (const s of ['s_main', 'add_one', 'xpc_callee', 'after_xcall']) expect(await c.request(`Z0,${sym(s)},2`)).toBe('OK');
    expect(await c.request(`Z4,${sym('counter')},8`)).toBe('OK');
    let stops = 0;
    for (;;) {
      const r = (await c.request(stops % 3 === 0 ? 's' : 'c'))!;
      if (r[0] === 'W') break;
      expect(r).toMatch(/^T/);
      stops++;
      await c.request('g');
      await c.request(`m${sym('counter')},8`);
      await c.request(`p${(65 + 0xc00).toString(16)}`);
    }
    expect(stops).toBeGreaterThan(20);
    expect(await outcome).toEqual({ reason: 'exit', code: 3 });
    expect(log).toEqual(refLog);
    // monitor trace on: the commit log of the whole run, as rvx trace prints it.
    expect(readFileSync(logFile, 'utf8')).toBe(refCommits.join('\n') + '\n');
    expect(b.machine.stats.cycles).toBe(ref.machine.stats.cycles);
    expect(b.machine.stats.instret).toBe(ref.machine.stats.instret);
    // Memory and register reads at every stop left the hart's own TLB counts alone too.
    expect(b.machine.stats.tlbMisses).toBe(ref.machine.stats.tlbMisses);
    expect(b.machine.stats.pageWalks).toBe(ref.machine.stats.pageWalks);
  });
});

describe('timer and software interrupts under the stub', () => {
  for (const name of ['interrupts.s', 'deleg.s']) {
    it(`${name}: stepped record by record, the same records, interrupts and cycles as without the stub`, async () => {
      const asm = assembleProgram(name);
      const make = () => {
        const machine = new Machine({ stdout: () => {} });
        machine.attachXpc(createXpcHook(machine.hart));
        const loaded = loadElfBytes(asm.elf());
        if (!loaded.ok) throw new Error(loaded.error);
        machine.load(loaded.program);
        const model = coreFromOption('rocket', machine).observer!;
        const log: string[] = [];
        const observer = (rec: CommitRecord) => {
          const c = model(rec);
          log.push(`${rec.pc.toString(16)} ${spikeCommitLine(rec) ?? `trap ${rec.trapCause}`} ${c}`);
          return c;
        };
        return { machine, observer, log };
      };
      const ref = make();
      expect(ref.machine.run(1_000_000, ref.observer)).toEqual({ reason: 'exit', code: 0 });
      expect(ref.machine.stats.interrupts).toBeGreaterThan(0);
      const dbg = make();
      const { client: c, outcome } = await session(dbg);
      let steps = 0;
      for (;;) {
        const r = (await c.request('s'))!;
        if (r[0] === 'W') break;
        expect(r).toMatch(/^T05/);
        steps++;
        // One stop per record: interrupts included.
        expect(steps).toBe(dbg.log.length);
      }
      expect(await outcome).toEqual({ reason: 'exit', code: 0 });
      expect(dbg.log).toEqual(ref.log);
      expect(dbg.machine.stats.cycles).toBe(ref.machine.stats.cycles);
      expect(dbg.machine.stats.interrupts).toBe(ref.machine.stats.interrupts);
    });
  }
});

describe('gdb server', () => {
  it('--gdb-nowait: the guest runs until gdb attaches, which stops it where it is', async () => {
    const b = build('.globl _start\n_start:\n  addi t0, t0, 1\n  j _start\n  .section .tohost,"aw"\n  .balign 8\n  .globl tohost\ntohost: .dword 0\n');
    let port = 0;
    const outcome = serveGdb({ port: 0, wait: false, machine: b.machine, observer: null, coreName: 'x', announce: (l) => {
      const m = /:(\d+)/.exec(l);
      if (m && !port) port = Number(m[1]);
    } });
    while (!port) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    const c = await RspClient.connect(port);
    expect(await c.request('?')).toMatch(/^T05/);
    const n = b.machine.stats.instret;
    expect(n).toBeGreaterThan(0n);
    expect(await c.request('s')).toMatch(/^T05/);
    expect(b.machine.stats.instret).toBe(n + 1n);
    expect(b.machine.getReg(5)).toBeGreaterThan(0n);
    c.send('k');
    expect((await outcome).reason).toBe('killed');
  });

  it('listens on 127.0.0.1 only', async () => {
    const b = build('.globl _start\n_start: j _start\n');
    let port = 0;
    const outcome = serveGdb({ port: 0, wait: true, machine: b.machine, observer: null, coreName: 'x', announce: (l) => {
      const m = /:(\d+)/.exec(l);
      if (m && !port) port = Number(m[1]);
    } });
    while (!port) await new Promise((r) => setTimeout(r, 5));
    // The same port is still free on the wildcard address of another interface family check: binding
    // 0.0.0.0 would fail with EADDRINUSE if the stub had bound every interface.
    const probe = createServer();
    const free = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.2', () => resolve(true));
    });
    probe.close();
    expect(free).toBe(true);
    const c = await RspClient.connect(port);
    c.send('k');
    expect((await outcome).reason).toBe('killed');
    void dir;
  });
});
