// `monitor ...` commands (qRcmd): machine facts gdb has no command for — model cycles, statistics, the
// commit log, the XPC engine's structures decoded, physical memory, and which guest traps stop the run.
// Each returns the text gdb prints, or throws MonitorError with the message.

import type { Machine } from '../../emulator/machine.js';
import type { CoreStats } from '../../emulator/timing/index.js';
import { LINKAGE_BYTES, SEGLIST_ENTRY_BYTES, XENTRY_BYTES, type XpcEngine } from '../../emulator/xpc/engine.js';
import { DebugMemory, xpcEngineOf } from './memory.js';
import { CATCH_CLASSES, type CatchClass } from './traps.js';

export class MonitorError extends Error {}

/** What monitor commands need from the stub. */
export interface MonitorContext {
  machine: Machine;
  memory: DebugMemory;
  coreName: string;
  coreStats: (() => CoreStats | null) | null;
  /** Start the commit log to file (null: stop it). Returns a line describing what happened. */
  setTrace(file: string | null): string;
  catches: Set<CatchClass>;
}

const HELP = `rvx monitor commands:
  monitor cycles            model cycles (mcycle) and instructions retired (minstret)
  monitor stats             machine and timing-model statistics
  monitor trace on [FILE]   write the commit log (Spike --log-commits format) to FILE (default rvx-trace.log)
  monitor trace off         stop writing it
  monitor xpc               XPC engine: CSRs, x-entry table, link stack, relay segment, seg-mask, seg-list
  monitor phys ADDR [LEN]   physical memory (RAM/ROM) bytes at ADDR, LEN bytes (default 64, at most 4096)
  monitor catch [CLASSES]   show or set which guest traps stop the run (default: unhandled):
                            ${CATCH_CLASSES.join(', ')}, all, none
`;

function hex(v: bigint | number): string {
  return '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);
}

function parseNumber(s: string | undefined, what: string): bigint {
  if (s === undefined) throw new MonitorError(`${what} missing`);
  const t = s.replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new MonitorError(`${what}: '${s}' is not a number`);
  const v = BigInt(t);
  if (v >= 1n << 64n) throw new MonitorError(`${what}: '${s}' is out of range`);
  return v;
}

export function runMonitor(ctx: MonitorContext, line: string): string {
  const words = line.trim().split(/\s+/).filter((w) => w !== '');
  const [cmd, ...args] = words;
  switch (cmd) {
    case undefined:
    case 'help':
      return HELP;
    case 'cycles': {
      const s = ctx.machine.stats;
      return `cycles ${s.cycles}  instret ${s.instret}  (core ${ctx.coreName})\n`;
    }
    case 'stats':
      return stats(ctx);
    case 'trace':
      if (args[0] === 'on') return ctx.setTrace(args[1] ?? 'rvx-trace.log') + '\n';
      if (args[0] === 'off') return ctx.setTrace(null) + '\n';
      throw new MonitorError('usage: monitor trace on [FILE] | monitor trace off');
    case 'xpc':
      return xpcReport(ctx);
    case 'phys':
      return physDump(ctx, args);
    case 'catch':
      return setCatch(ctx, args);
    default:
      throw new MonitorError(`unknown monitor command '${cmd}' (monitor help lists them)`);
  }
}

function stats(ctx: MonitorContext): string {
  const s = ctx.machine.stats;
  const lines = [
    `instructions  ${s.instret}`,
    `cycles        ${s.cycles} (core ${ctx.coreName})`,
    `traps         ${s.traps} (interrupts ${s.interrupts})`,
    `TLB           ${s.tlbMisses} misses, ${s.tlbFlushes} flushes, ${s.pageWalks} page walks (rvx's software TLB)`,
    `wfi idle      ${s.idleSteps} instruction slots`,
  ];
  const c = ctx.coreStats?.();
  if (c) {
    const stalls = Object.entries(c.stalls)
      .filter(([, v]) => v !== 0)
      .map(([k, v]) => `${k} ${v}`);
    lines.push(`model stalls  ${stalls.length ? stalls.join(', ') : 'none'}`);
    lines.push(`model events  ${Object.entries(c.events).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

function physDump(ctx: MonitorContext, args: string[]): string {
  const addr = parseNumber(args[0], 'ADDR');
  const len = args[1] === undefined ? 64 : Number(parseNumber(args[1], 'LEN'));
  if (len < 1 || len > 4096) throw new MonitorError('LEN must be 1..4096');
  const bytes = ctx.memory.readPhys(addr, len);
  if (bytes === null) throw new MonitorError(`physical range ${hex(addr)}+${len} is not RAM or boot ROM`);
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16);
    const hx = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const asc = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${hex(addr + BigInt(i)).padStart(12)}: ${hx.padEnd(47)}  |${asc}|`);
  }
  return lines.join('\n') + '\n';
}

function setCatch(ctx: MonitorContext, args: string[]): string {
  if (args.length > 0) {
    const next = new Set<CatchClass>();
    for (const w of args.join(',').split(',').filter((x) => x !== '')) {
      if (w === 'all') for (const c of CATCH_CLASSES) next.add(c);
      else if (w === 'none') next.clear();
      else if ((CATCH_CLASSES as readonly string[]).includes(w)) next.add(w as CatchClass);
      else throw new MonitorError(`unknown trap class '${w}' (${CATCH_CLASSES.join(', ')}, all, none)`);
    }
    ctx.catches.clear();
    for (const c of next) ctx.catches.add(c);
  }
  const on = CATCH_CLASSES.filter((c) => ctx.catches.has(c));
  return `stopping on guest traps: ${on.length ? on.join(', ') : 'none'}\n`;
}

// ---- XPC ------------------------------------------------------------------------------------------------

/** At most this many x-entries / link records / seg-list entries are listed. */
const LIST_MAX = 64;

function u64(b: Uint8Array, off: number): bigint {
  let v = 0n;
  for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(b[off + k]);
  return v;
}

function segText(va: bigint, pa: bigint, len: bigint, perm: bigint): string {
  if (len === 0n) return 'none';
  const p = `${perm & 1n ? 'r' : '-'}${perm & 2n ? 'w' : '-'}`;
  return `va ${hex(va)} pa ${hex(pa)} len ${hex(len)} ${p}`;
}

function xpcReport(ctx: MonitorContext): string {
  const e: XpcEngine | null = xpcEngineOf(ctx.machine);
  if (e === null) throw new MonitorError('this machine has no XPC engine (run without --no-xpc)');
  const mem = ctx.memory;
  const out: string[] = [];
  const phys = (pa: bigint, len: number): Uint8Array | null => mem.readPhys(pa, len);
  out.push(`x-entry table  base ${hex(e.entryBase)}  entries ${e.entrySize}`);
  const nEntries = e.entrySize > BigInt(LIST_MAX) ? LIST_MAX : Number(e.entrySize);
  const capBytes = phys(e.cap, Math.max(1, Math.ceil(nEntries / 8)));
  for (let i = 0; i < nEntries; i++) {
    const b = phys(e.entryBase + BigInt(i * XENTRY_BYTES), XENTRY_BYTES);
    if (b === null) {
      out.push(`  [${i}] not in memory (${hex(e.entryBase + BigInt(i * XENTRY_BYTES))})`);
      break;
    }
    const valid = (u64(b, 40) & 1n) !== 0n;
    if (!valid) continue;
    const callable = capBytes !== null && ((capBytes[i >> 3] >> (i & 7)) & 1) !== 0;
    out.push(
      `  [${i}] pc ${hex(u64(b, 8))}  satp ${hex(u64(b, 0))}  xcap ${hex(u64(b, 16))}  seglist ${hex(u64(b, 24))}/${u64(b, 32)}` +
        (callable ? '  (callable by this thread)' : ''),
    );
  }
  if (e.entrySize > BigInt(LIST_MAX)) out.push(`  ... (${e.entrySize - BigInt(LIST_MAX)} more not shown)`);
  out.push(`thread         xcap ${hex(e.cap)}  xcaller ${hex(e.caller())}`);
  const depth = e.linkTop > e.linkBase ? (e.linkTop - e.linkBase) / BigInt(LINKAGE_BYTES) : 0n;
  out.push(`link stack     base ${hex(e.linkBase)}  top ${hex(e.linkTop)}  limit ${hex(e.linkLimit)}  depth ${depth}`);
  for (let k = 0; k < LIST_MAX && BigInt(k) < depth; k++) {
    const at = e.linkTop - BigInt((k + 1) * LINKAGE_BYTES);
    const b = phys(at, LINKAGE_BYTES);
    if (b === null) {
      out.push(`  #${k} ${hex(at)}: not in memory`);
      break;
    }
    const valid = (u64(b, 104) & 1n) !== 0n;
    out.push(
      `  #${k} ${hex(at)}: ${valid ? 'valid' : 'INVALID'}  return pc ${hex(u64(b, 8))}  caller satp ${hex(u64(b, 0))}  caller xcap ${hex(u64(b, 16))}  seglist ${hex(u64(b, 24))}/${u64(b, 32)}`,
    );
    out.push(`      caller segment ${segText(u64(b, 40), u64(b, 48), u64(b, 56), u64(b, 64))}; handed over ${segText(u64(b, 72), u64(b, 80), u64(b, 88), u64(b, 96))}`);
  }
  out.push(`relay segment  ${segText(e.segVa, e.segPa, e.segLen, e.segPerm)}`);
  out.push(`seg-mask       ${e.maskLen === 0n ? 'none (the whole segment is handed on xcall)' : `off ${hex(e.maskOff)} len ${hex(e.maskLen)}`}`);
  const nSeg = e.segListSize > BigInt(LIST_MAX) ? LIST_MAX : Number(e.segListSize);
  out.push(`seg-list       base ${hex(e.segList)}  entries ${e.segListSize}`);
  for (let j = 0; j < nSeg; j++) {
    const b = phys(e.segList + BigInt(j * SEGLIST_ENTRY_BYTES), SEGLIST_ENTRY_BYTES);
    if (b === null) {
      out.push(`  [${j}] not in memory`);
      break;
    }
    const flags = u64(b, 24);
    out.push(`  [${j}] ${flags & 4n ? segText(u64(b, 0), u64(b, 8), u64(b, 16), flags) : 'empty'}`);
  }
  return out.join('\n') + '\n';
}
