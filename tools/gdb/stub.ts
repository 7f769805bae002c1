// The gdb stub proper: interprets remote-protocol packets (gdb manual, "Remote Protocol" appendix) against
// a Machine and drives it. Transport-free: bytes in through onData, bytes out through the send function
// given to attach(); tools/gdb/server.ts puts it on a TCP socket and calls runSlice while it runs.
//
// Run control never changes what the guest sees. Breakpoints and watchpoints are checked by an observer
// after each committed record (nothing is written into guest memory), and a stop ends Machine.run between
// two records (Machine.stopRequested), where a longer run would simply have gone on: resumed, the run
// retires, traps and counts model cycles exactly as a run without gdb does.

import type { Machine } from '../../emulator/machine.js';
import type { CoreStats } from '../../emulator/timing/index.js';
import { MEM_AMO, MEM_LOAD, MEM_NONE, MEM_STORE, type CommitObserver, type CommitRecord, type RunResult } from '../../emulator/types.js';
import { spikeCommitLine, trapName } from '../trace/format.js';
import { BufferedWriter } from '../trace/writer.js';
import { closeSync, openSync } from 'node:fs';
import { DebugMemory } from './memory.js';
import { MonitorError, runMonitor, type MonitorContext } from './monitor.js';
import { PACKET_MAX, PacketDecoder, frame, fromHex, parseHexNumber, parseRegHex, regHex, toHex } from './protocol.js';
import { PC_REGNUM, RegisterFile } from './registers.js';
import { SIGABRT, SIGINT, SIGTRAP, SIGXCPU, trapClass, trapSignal, type CatchClass } from './traps.js';

export interface DebugTargetOptions {
  machine: Machine;
  /**
   * The observer the run uses without gdb (the core model, or rvx trace's model + printer); null for
   * the ideal core (each retired instruction one cycle, a trap none, as the machine's fast loop counts).
   */
  observer: CommitObserver | null;
  coreName: string;
  coreStats?: () => CoreStats | null;
  /** Instruction budget (--max-insns); Infinity for none. */
  maxInsns?: number;
  /** The command's own end condition besides the guest's (rvx trace --max): checked between slices. */
  finished?: () => boolean;
}

/** How a debugged run ended: the guest's own result, or gdb killed it. */
export type GdbOutcome = RunResult | { reason: 'killed' } | { reason: 'finished' };

interface Stop {
  signal: number;
  /** Stop reason field of the T packet (gdb manual, "Stop Reply Packets"). */
  reason?: 'swbreak' | 'hwbreak' | 'watch' | 'rwatch' | 'awatch';
  addr?: bigint;
  /** Printed on gdb's console (an O packet) before the stop reply. */
  message?: string;
}

interface Watchpoint {
  // (type 2 write, 3 read, 4 access; [start, end) in the hart's sign-extended virtual addresses)
  type: 2 | 3 | 4;
  start: number;
  end: number;
  addr: bigint;
}

/** Instructions per slice while running: the socket is polled between slices (Ctrl-C latency). */
const SLICE = 1 << 15;
/** Watchpoints and breakpoints accepted (each watchpoint costs a compare per memory access). */
const MAX_WATCHPOINTS = 64;
const MAX_BREAKPOINTS = 4096;

/** A 64-bit address as the sign-extended Number the hart uses for pcs and virtual addresses. */
function addrNumber(a: bigint): number {
  return Number(BigInt.asIntN(64, a));
}

export class GdbStub {
  readonly machine: Machine;
  private readonly regs: RegisterFile;
  private readonly memory: DebugMemory;
  private decoder = new PacketDecoder();
  private readonly base: CommitObserver | null;
  private readonly observer: CommitObserver;
  private readonly maxInsns: number;
  private readonly opts: DebugTargetOptions;
  private xml: string | null = null;

  private send: ((b: Buffer) => void) | null = null;
  private noAck = false;
  private lastSent: Buffer | null = null;
  private peerSwbreak = false;
  private peerHwbreak = false;

  /** Software (Z0) and hardware (Z1) breakpoints by sign-extended address. */
  private readonly breakpoints = new Map<number, 0 | 1>();
  private watchpoints: Watchpoint[] = [];
  readonly catches = new Set<CatchClass>(['unhandled']);
  private stepping = false;
  /** Whether the observer checks anything (a debugger is attached). */
  private checking = false;
  private pendingStop: Stop | null = null;
  private lastStop: Stop = { signal: SIGTRAP };
  private trace: { writer: BufferedWriter; fd: number; file: string } | null = null;
  /** The watchpoint of the last stop, while gdb has not resumed since (see resume). */
  private watchStop: Watchpoint | null = null;

  /** The guest is executing (slices are being run). */
  running = false;
  /** Set when the debugged run is over; the server then closes. */
  ended: GdbOutcome | null = null;
  /** The guest ended in a state it cannot go on from (fatal, trap loop): every resume reports it again. */
  private deadEnd: RunResult | null = null;

  constructor(opts: DebugTargetOptions) {
    this.opts = opts;
    this.machine = opts.machine;
    this.regs = new RegisterFile(opts.machine);
    this.memory = new DebugMemory(opts.machine);
    this.base = opts.observer;
    this.maxInsns = opts.maxInsns ?? Infinity;
    const base = this.base;
    this.observer = (rec: CommitRecord): number => {
      const c = base !== null ? base(rec) : rec.trapped ? 0 : 1;
      if (this.trace !== null && !rec.trapped) this.trace.writer.write(spikeCommitLine(rec)! + '\n');
      if (this.checking) this.check(rec);
      return c;
    };
  }

  // ---- connection ---------------------------------------------------------------------------------------

  /** A debugger connected: the guest stops where it is (as QEMU's gdbstub does on attach). */
  attach(send: (b: Buffer) => void): void {
    this.send = send;
    this.decoder = new PacketDecoder(); // nothing of an earlier connection's bytes carries over
    this.noAck = false;
    this.lastSent = null;
    this.watchStop = null;
    this.checking = true;
    if (this.running) {
      this.running = false;
      this.lastStop = { signal: SIGTRAP };
    }
  }

  /** The debugger detached or went away: forget its breakpoints and let the guest run on. */
  detach(): void {
    this.send = null;
    this.breakpoints.clear();
    this.watchpoints = [];
    this.stepping = false;
    this.checking = false;
    this.watchStop = null;
    if (this.ended === null) this.running = true;
  }

  get attached(): boolean {
    return this.send !== null;
  }

  onData(data: Buffer): void {
    for (const ev of this.decoder.push(data)) {
      switch (ev.kind) {
        case 'packet':
          if (!this.noAck) this.raw(Buffer.from('+'));
          this.packet(ev.body);
          break;
        case 'bad-checksum':
          // Ask for it again; without acknowledgements (no-ack mode) there is no retransmission, so
          // the packet gets an error reply instead. Either way it is not executed.
          if (!this.noAck) this.raw(Buffer.from('-'));
          else this.reply('E01');
          break;
        case 'overlong':
          if (!this.noAck) this.raw(Buffer.from('+'));
          this.reply('E01');
          break;
        case 'interrupt':
          if (this.running && this.attached) this.stopNow({ signal: SIGINT });
          break;
        case 'nack':
          if (!this.noAck && this.lastSent) this.raw(this.lastSent);
          break;
        case 'ack':
          break;
      }
      if (this.ended !== null) return;
    }
  }

  private raw(b: Buffer): void {
    this.send?.(b);
  }

  private reply(body: string | Buffer, binary = false): void {
    const f = frame(body, binary);
    this.lastSent = f;
    this.raw(f);
  }

  private console(text: string): void {
    for (let i = 0; i < text.length; i += 1024) this.reply('O' + Buffer.from(text.slice(i, i + 1024), 'utf8').toString('hex'));
  }

  // ---- running ------------------------------------------------------------------------------------------

  /** Run one slice of the guest; called by the server while `running`. */
  runSlice(): void {
    const m = this.machine;
    if (this.deadEnd !== null) {
      this.guestEnded(this.deadEnd);
      return;
    }
    const left = this.maxInsns - Number(m.stats.instret);
    if (left <= 0) {
      this.guestEnded({ reason: 'limit' });
      return;
    }
    this.pendingStop = null;
    // Nobody watching and the ideal core: the machine's fast loop counts the same cycles (one per retired
    // instruction) much faster. Otherwise every record goes through the observer.
    const fast = !this.checking && this.base === null && this.trace === null;
    const r = fast ? m.run(Math.min(SLICE * 32, left)) : m.run(Math.min(SLICE, left), this.observer);
    this.trace?.writer.flush();
    const stop = this.pendingStop as Stop | null;
    if (stop !== null) {
      this.pendingStop = null;
      this.stopNow(stop);
      return;
    }
    if (r.reason !== 'limit') this.guestEnded(r);
    else if (this.opts.finished?.()) {
      // The command's own end (rvx trace --max): to gdb the program is over.
      if (this.attached) this.reply('W00');
      this.finish({ reason: 'finished' });
    }
  }

  /** The observer's checks after one record (only while a debugger is attached). */
  private check(rec: CommitRecord): void {
    let stop: Stop | null = null;
    if (rec.trapped) {
      const cls = trapClass(rec.trapCause);
      const unhandled = this.catches.has('unhandled') && this.machine.hart.peekRaw(rec.nextPc) === undefined;
      if (this.catches.has(cls) || unhandled) {
        stop = { signal: trapSignal(rec.trapCause), message: this.trapMessage(rec, unhandled) };
      }
    } else if (rec.memKind !== MEM_NONE && this.watchpoints.length !== 0) {
      stop = this.watchHit(rec);
    }
    if (stop === null) {
      const bp = this.breakpoints.get(rec.nextPc);
      if (bp !== undefined) stop = { signal: SIGTRAP, reason: bp === 0 ? 'swbreak' : 'hwbreak' };
      else if (this.stepping) stop = { signal: SIGTRAP };
    }
    if (stop !== null) {
      this.pendingStop = stop;
      this.machine.stopRequested = true;
    }
  }

  private watchHit(rec: CommitRecord): Stop | null {
    const a = rec.memVaddr;
    const b = a + rec.memSize;
    const kind = rec.memKind;
    for (const w of this.watchpoints) {
      if (a >= w.end || b <= w.start) continue;
      const hit =
        w.type === 4 ||
        (w.type === 2 && (kind === MEM_STORE || kind === MEM_AMO)) ||
        (w.type === 3 && (kind === MEM_LOAD || kind === MEM_AMO));
      if (!hit) continue;
      // Report an address inside the watched range: gdb matches it against its watchpoints.
      const at = a > w.start ? a : w.start;
      this.watchStop = w;
      return { signal: SIGTRAP, reason: w.type === 2 ? 'watch' : w.type === 3 ? 'rwatch' : 'awatch', addr: BigInt.asUintN(64, BigInt(at)) };
    }
    return null;
  }

  private trapMessage(rec: CommitRecord, unhandled: boolean): string {
    const m = this.machine;
    const mode = 'USHM'[rec.priv] ?? '?';
    const hex = (v: number | bigint) => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);
    const what = `${trapName(rec.trapCause).replace(/^trap_/, '')} at pc ${hex(rec.pc)} in ${mode} mode, tval ${hex(rec.trapTval)}`;
    const handler = `${hex(rec.nextPc)} in ${'USHM'[m.priv]} mode`;
    return unhandled ? `rvx: unhandled trap: ${what}; its handler ${handler} cannot be fetched\n` : `rvx: trap: ${what}; stopped at its handler ${handler}\n`;
  }

  private stopNow(stop: Stop): void {
    this.running = false;
    this.stepping = false;
    this.lastStop = stop;
    if (stop.message) this.console(stop.message);
    this.reply(this.stopReply(stop));
  }

  private stopReply(stop: Stop): string {
    let s = 'T' + stop.signal.toString(16).padStart(2, '0');
    if (stop.reason === 'swbreak' && this.peerSwbreak) s += 'swbreak:;';
    else if (stop.reason === 'hwbreak' && this.peerHwbreak) s += 'hwbreak:;';
    else if (stop.reason === 'watch' || stop.reason === 'rwatch' || stop.reason === 'awatch') s += `${stop.reason}:${stop.addr!.toString(16)};`;
    s += `${PC_REGNUM.toString(16)}:${regHex(BigInt.asUintN(64, BigInt(this.machine.pc)))};`;
    return s;
  }

  /** The guest's run ended (exit, budget, or a state it cannot go on from). */
  private guestEnded(r: RunResult): void {
    if (r.reason === 'exit') {
      // An exit status has 8 bits: codes above 255 show as 255, as rvx run's own exit status does.
      if (this.attached) this.reply('W' + Math.min(r.code, 255).toString(16).padStart(2, '0'));
      this.finish(r);
    } else if (r.reason === 'limit') {
      if (this.attached) {
        this.console(`rvx: --max-insns ${this.maxInsns} reached\n`);
        this.reply('X' + SIGXCPU.toString(16).padStart(2, '0'));
      }
      this.finish(r);
    } else if (this.attached) {
      // Let the user look at the wreck: a stop, repeated on every resume, until gdb kills or detaches.
      this.deadEnd = r;
      this.stopNow({ signal: SIGABRT, message: `rvx: ${r.reason === 'trap-loop' ? 'hart stuck in a trap loop: ' : ''}${r.message}\n` });
    } else this.finish(r);
  }

  private finish(r: GdbOutcome): void {
    this.running = false;
    this.ended = r;
    this.setTrace(null);
  }

  private resume(step: boolean, addr?: string): void {
    const watched = this.watchStop;
    this.watchStop = null;
    if (addr !== undefined && addr !== '') {
      const a = parseHexNumber(addr);
      if (a === null) return this.reply('E01');
      this.machine.pc = addrNumber(a);
    } else if (step && watched !== null && !this.watchpoints.includes(watched)) {
      // gdb's RISC-V support takes watchpoints to fire before the access, as the Debug Specification's
      // triggers do (riscv-tdep.c: have_nonsteppable_watchpoint), so after a watchpoint stop it removes
      // the watchpoint and single-steps to let the access happen. rvx stops after the access: that step
      // has nothing left to do, and taking one more instruction would put gdb one instruction past the
      // access. So a single step right after a watchpoint stop, with that watchpoint removed, completes
      // at once (docs/debugging.md).
      this.lastStop = { signal: SIGTRAP };
      return this.reply(this.stopReply(this.lastStop));
    }
    this.stepping = step;
    this.running = true;
  }

  // ---- packets ------------------------------------------------------------------------------------------

  private packet(body: Buffer): void {
    const p = body.toString('latin1');
    if (this.running) {
      // All-stop mode: while the guest runs gdb sends nothing but Ctrl-C; a kill is honoured anyway.
      if (p === 'k' || p.startsWith('vKill')) this.kill();
      else this.reply('E16');
      return;
    }
    try {
      this.dispatch(p, body);
    } catch (e) {
      // A bug here must not take the session (or the guest) down.
      this.reply('E01');
      process.stderr.write(`rvx gdb stub: internal error on packet '${p.slice(0, 40)}': ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }

  private dispatch(p: string, body: Buffer): void {
    switch (p[0]) {
      case '?':
        return this.reply(this.stopReply(this.lastStop));
      case 'q':
        return this.query(p);
      case 'Q':
        if (p === 'QStartNoAckMode') {
          this.reply('OK');
          this.noAck = true;
          return;
        }
        return this.reply('');
      case 'H':
        return this.reply('OK');
      case 'T':
        return this.reply(p === 'T1' || p === 'Tp1.1' || p === 'T01' ? 'OK' : 'E01');
      case 'g':
        return this.reply(this.regs.general.map((r) => regHex(r.read(), r.bits / 8)).join(''));
      case 'G':
        return this.writeAllRegs(p.slice(1));
      case 'p':
        return this.readReg(p.slice(1));
      case 'P':
        return this.writeReg(p.slice(1));
      case 'm':
        return this.readMem(p.slice(1));
      case 'M':
        return this.writeMem(p.slice(1), false, body);
      case 'X':
        return this.writeMem(p.slice(1), true, body);
      case 'Z':
      case 'z':
        return this.breakWatch(p);
      case 'c':
        return this.resume(false, p.slice(1));
      case 's':
        return this.resume(true, p.slice(1));
      case 'C':
      case 'S': {
        // Signals cannot be delivered to a bare-metal hart: resume without one (as QEMU does).
        const semi = p.indexOf(';');
        return this.resume(p[0] === 'S', semi < 0 ? undefined : p.slice(semi + 1));
      }
      case 'v':
        return this.vPacket(p);
      case 'D':
        this.reply('OK');
        this.detach();
        return;
      case 'k':
        return this.kill();
      default:
        return this.reply('');
    }
  }

  private kill(): void {
    this.finish(this.deadEnd ?? { reason: 'killed' });
  }

  private query(p: string): void {
    if (p.startsWith('qSupported')) {
      const features = p.slice('qSupported:'.length).split(';');
      this.peerSwbreak = features.includes('swbreak+');
      this.peerHwbreak = features.includes('hwbreak+');
      return this.reply(`PacketSize=${PACKET_MAX.toString(16)};qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+`);
    }
    if (p.startsWith('qXfer:features:read:')) {
      const m = /^qXfer:features:read:([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
      if (!m) return this.reply('E01');
      if (m[1] !== 'target.xml') return this.reply('E00');
      this.xml ??= this.regs.targetXml();
      const data = Buffer.from(this.xml, 'utf8');
      const off = Number.parseInt(m[2], 16);
      const len = Math.min(Number.parseInt(m[3], 16), PACKET_MAX / 2);
      if (off > data.length) return this.reply('E01');
      const part = data.subarray(off, off + len);
      return this.reply(Buffer.concat([Buffer.from(off + len >= data.length ? 'l' : 'm'), part]), true);
    }
    if (p.startsWith('qRcmd,')) return this.monitor(p.slice(6));
    switch (p) {
      case 'qAttached':
        return this.reply('1');
      case 'qC':
        return this.reply('QC1');
      case 'qfThreadInfo':
        return this.reply('m1');
      case 'qsThreadInfo':
        return this.reply('l');
      case 'qSymbol::':
        return this.reply('OK');
      default:
        return this.reply('');
    }
  }

  private vPacket(p: string): void {
    if (p === 'vCont?') return this.reply('vCont;c;C;s;S');
    if (p.startsWith('vCont;')) {
      // One hart: the first action applies to it (gdb lists the default action last).
      const action = p.slice(6).split(';')[0].split(':')[0];
      if (action === 'c' || action[0] === 'C') return this.resume(false);
      if (action === 's' || action[0] === 'S') return this.resume(true);
      return this.reply('E01');
    }
    if (p.startsWith('vKill')) {
      this.reply('OK');
      return this.kill();
    }
    return this.reply('');
  }

  // ---- registers ----------------------------------------------------------------------------------------

  private readReg(arg: string): void {
    const n = parseHexNumber(arg);
    const r = n === null ? undefined : this.regs.get(Number(n));
    if (!r) return this.reply('E01');
    this.reply(regHex(r.read(), r.bits / 8));
  }

  private writeReg(arg: string): void {
    const eq = arg.indexOf('=');
    const n = eq < 0 ? null : parseHexNumber(arg.slice(0, eq));
    const r = n === null ? undefined : this.regs.get(Number(n));
    const v = r ? parseRegHex(arg.slice(eq + 1), r.bits / 8) : null;
    if (!r || v === null) return this.reply('E01');
    this.reply(r.write(v) ? 'OK' : 'E01');
  }

  private writeAllRegs(hex: string): void {
    const regs = this.regs.general;
    if (hex.length < regs.length * 16) return this.reply('E01');
    const values: bigint[] = [];
    for (let i = 0; i < regs.length; i++) {
      const v = parseRegHex(hex.slice(16 * i, 16 * i + 16));
      if (v === null) return this.reply('E01');
      values.push(v);
    }
    regs.forEach((r, i) => r.write(values[i]));
    this.reply('OK');
  }

  // ---- memory -------------------------------------------------------------------------------------------

  private readMem(arg: string): void {
    const m = /^([0-9a-fA-F]{1,16}),([0-9a-fA-F]{1,16})$/.exec(arg);
    if (!m) return this.reply('E01');
    const addr = BigInt('0x' + m[1]);
    const len = Math.min(Number(BigInt('0x' + m[2])), (PACKET_MAX - 4) >> 1);
    if (len === 0) return this.reply('');
    const bytes = this.memory.read(addr, len);
    this.reply(bytes.length === 0 ? 'E0e' : toHex(bytes));
  }

  private writeMem(arg: string, binary: boolean, body: Buffer): void {
    const colon = arg.indexOf(':');
    const m = colon < 0 ? null : /^([0-9a-fA-F]{1,16}),([0-9a-fA-F]{1,16})$/.exec(arg.slice(0, colon));
    if (!m) return this.reply('E01');
    const addr = BigInt('0x' + m[1]);
    const len = BigInt('0x' + m[2]);
    let data: Uint8Array | null;
    if (binary) data = Uint8Array.from(body.subarray(1 + colon + 1));
    else data = fromHex(arg.slice(colon + 1));
    if (data === null || BigInt(data.length) !== len) return this.reply('E01');
    if (data.length === 0) return this.reply('OK');
    this.reply(this.memory.write(addr, data) ? 'OK' : 'E0e');
  }

  // ---- breakpoints and watchpoints ----------------------------------------------------------------------

  private breakWatch(p: string): void {
    const m = /^([Zz])([0-4]),([0-9a-fA-F]{1,16}),([0-9a-fA-F]{1,8})(;.*)?$/.exec(p);
    if (!m) return this.reply('E01');
    const insert = m[1] === 'Z';
    const type = Number(m[2]) as 0 | 1 | 2 | 3 | 4;
    const addr = BigInt('0x' + m[3]);
    const kind = Number.parseInt(m[4], 16);
    const a = addrNumber(addr);
    if (type <= 1) {
      if (insert) {
        if (!this.breakpoints.has(a) && this.breakpoints.size >= MAX_BREAKPOINTS) return this.reply('E01');
        this.breakpoints.set(a, type as 0 | 1);
      } else this.breakpoints.delete(a);
      return this.reply('OK');
    }
    if (kind < 1 || kind > 4096) return this.reply('E01');
    const t = type as 2 | 3 | 4;
    if (insert) {
      if (this.watchpoints.length >= MAX_WATCHPOINTS) return this.reply('E01');
      this.watchpoints.push({ type: t, start: a, end: a + kind, addr });
    } else {
      const i = this.watchpoints.findIndex((w) => w.type === t && w.addr === addr && w.end - w.start === kind);
      if (i >= 0) this.watchpoints.splice(i, 1);
    }
    this.reply('OK');
  }

  // ---- monitor ------------------------------------------------------------------------------------------

  private monitor(hexCmd: string): void {
    const bytes = fromHex(hexCmd);
    if (bytes === null) return this.reply('E01');
    const ctx: MonitorContext = {
      machine: this.machine,
      memory: this.memory,
      coreName: this.opts.coreName,
      coreStats: this.opts.coreStats ?? null,
      setTrace: (file) => this.setTrace(file),
      catches: this.catches,
    };
    let text: string;
    try {
      text = runMonitor(ctx, Buffer.from(bytes).toString('utf8'));
    } catch (e) {
      if (!(e instanceof MonitorError)) throw e;
      this.console(`error: ${e.message}\n`);
      return this.reply('E01');
    }
    this.console(text);
    this.reply('OK');
  }

  /** Start (file) or stop (null) the commit log; returns what happened. */
  setTrace(file: string | null): string {
    const old = this.trace;
    if (old !== null) {
      this.trace = null;
      old.writer.flush();
      closeSync(old.fd);
    }
    if (file === null) return old ? `commit log to ${old.file} stopped` : 'no commit log was being written';
    let fd: number;
    try {
      fd = openSync(file, 'w');
    } catch (e) {
      throw new MonitorError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    this.trace = { writer: new BufferedWriter(fd), fd, file };
    return `commit log (Spike --log-commits format) to ${file}`;
  }
}
