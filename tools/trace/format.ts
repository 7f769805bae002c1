// Trace line formats (docs/trace-format.md): Spike's `--log-commits` text, line for line, with optional
// extra columns after `  #`, and one JSON object per line (`--format jsonl`).

import { csrByNumber } from '../../isa/index.js';
import { disassemble } from '../../isa/disasm.js';
import { MEM_AMO, MEM_LOAD, MEM_NONE, MEM_STORE, type CommitRecord } from '../../emulator/types.js';
import { STALL_NAMES } from '../../emulator/timing/index.js';
import { INSTRUCTIONS } from '../../isa/index.js';

const HEX16 = '0000000000000000';

/** 64-bit two's complement hex of a (possibly negative, sign-extended) JS number, 16 digits. */
export function hex64(n: number): string {
  if (n >= 0 && n <= Number.MAX_SAFE_INTEGER) {
    const s = n.toString(16);
    return s.length >= 16 ? s : HEX16.slice(s.length) + s;
  }
  return BigInt.asUintN(64, BigInt(n)).toString(16).padStart(16, '0');
}

/** Low `digits * 4` bits of v as exactly `digits` hex digits. */
export function hexBig(v: bigint, digits: number): string {
  const s = BigInt.asUintN(digits * 4, v).toString(16);
  return s.length >= digits ? s : HEX16.slice(16 - (digits - s.length)) + s;
}

/** Instruction bits as Spike prints them: 4 hex digits for a 16-bit instruction, else 8. */
export function rawHex(raw: number, size: number): string {
  const s = (size === 2 ? raw & 0xffff : raw >>> 0).toString(16);
  const w = size === 2 ? 4 : 8;
  return s.length >= w ? s : HEX16.slice(16 - (w - s.length)) + s;
}

/** Spike's name for a CSR number (`c773_mtvec` uses the decimal number and this name). */
export function csrLogName(num: number): string {
  return csrByNumber(num)?.name ?? `csr${num}`;
}

const SC_IDS = new Uint8Array(INSTRUCTIONS.length);
for (const d of INSTRUCTIONS) if (/^sc\./.test(d.name)) SC_IDS[d.id] = 1;

/** Privilege letter for 0/1/3. */
export function privName(p: number): string {
  return p === 3 ? 'M' : p === 1 ? 'S' : p === 0 ? 'U' : String(p);
}

/**
 * Spike's commit-log line for a retired instruction, without the newline (null for a trapped record,
 * which Spike does not log). Order as Spike prints it: the destination register, the CSRs written
 * (latest first), memory reads, memory writes.
 */
export function spikeCommitLine(rec: CommitRecord): string | null {
  if (rec.trapped) return null;
  let s = `core   0: ${rec.priv} 0x${hex64(rec.pc)} (0x${rawHex(rec.raw, rec.size)})`;
  const frd = rec.frd ?? -1;
  if (frd >= 0 || (rec.csrWriteCount > 0 && rec.csrWriteNum[0] <= 3)) {
    // Spike logs register writes in the order of the key reg << 4 | type (x 0, f 1, CSR 4): the FP
    // CSRs (1..3) fall between the registers, the others after them.
    s += fpOrderedWrites(rec, frd);
  } else if (rec.rd > 0) s += ` x${rec.rd < 10 ? `${rec.rd} ` : rec.rd} 0x${hexBig(rec.rdValue, 16)}`;
  for (let i = rec.csrWriteCount - 1; i >= 0; i--) {
    const num = rec.csrWriteNum[i];
    if (num <= 3 && (frd >= 0 || rec.csrWriteNum[0] <= 3)) continue;
    s += ` c${num}_${csrLogName(num)} 0x${hexBig(rec.csrWriteValue[i], 16)}`;
  }
  const kind = rec.memKind;
  if (kind !== MEM_NONE) {
    const addr = hex64(rec.memVaddr);
    const isSc = SC_IDS[rec.opId] === 1;
    if ((kind === MEM_LOAD || kind === MEM_AMO) && !isSc) s += ` mem 0x${addr}`;
    if (kind === MEM_STORE || kind === MEM_AMO) {
      // A failed SC (rd = 1) stores nothing; Spike logs the store only when it happened.
      const failedSc = isSc && rec.rd > 0 && rec.rdValue !== 0n;
      if (!failedSc) s += ` mem 0x${addr} 0x${hexBig(rec.memValue, rec.memSize * 2)}`;
    }
  }
  return s;
}

/** The register writes and FP CSR writes of a record, in Spike's key order. */
function fpOrderedWrites(rec: CommitRecord, frd: number): string {
  const parts: [key: number, text: string][] = [];
  if (rec.rd > 0) parts.push([rec.rd << 4, ` x${rec.rd < 10 ? `${rec.rd} ` : rec.rd} 0x${hexBig(rec.rdValue, 16)}`]);
  if (frd >= 0) parts.push([(frd << 4) | 1, ` f${frd < 10 ? `${frd} ` : frd} 0x${hexBig(rec.frdValue ?? 0n, 16)}`]);
  for (let i = 0; i < rec.csrWriteCount; i++) {
    const num = rec.csrWriteNum[i];
    if (num > 3 || parts.some((p) => p[0] === ((num << 4) | 4))) continue;
    // The last value written is the one logged (Spike's map keeps one entry per CSR).
    let v = rec.csrWriteValue[i];
    for (let j = i + 1; j < rec.csrWriteCount; j++) if (rec.csrWriteNum[j] === num) v = rec.csrWriteValue[j];
    parts.push([(num << 4) | 4, ` c${num}_${csrLogName(num)} 0x${hexBig(v, 16)}`]);
  }
  parts.sort((a, b) => a[0] - b[0]);
  return parts.map((p) => p[1]).join('');
}

/** An exception of the instruction fetch itself (privileged spec table 3.6: causes 0, 1, 12). */
function isFetchFault(cause: bigint): boolean {
  const c = BigInt.asUintN(64, cause);
  return c === 0n || c === 1n || c === 12n;
}

/** Spike's names of exception causes (its trap_t::name()), for `--traps` lines. */
const TRAP_NAMES: Record<number, string> = {
  0: 'trap_instruction_address_misaligned',
  1: 'trap_instruction_access_fault',
  2: 'trap_illegal_instruction',
  3: 'trap_breakpoint',
  4: 'trap_load_address_misaligned',
  5: 'trap_load_access_fault',
  6: 'trap_store_address_misaligned',
  7: 'trap_store_access_fault',
  8: 'trap_user_ecall',
  9: 'trap_supervisor_ecall',
  11: 'trap_machine_ecall',
  12: 'trap_instruction_page_fault',
  13: 'trap_load_page_fault',
  15: 'trap_store_page_fault',
};

export function trapName(cause: bigint): string {
  const c = BigInt.asUintN(64, cause);
  if (c >> 63n) return `interrupt #${Number(c & 0xffffn)}`;
  return TRAP_NAMES[Number(c)] ?? `trap_cause_${c}`;
}

/**
 * The lines Spike's `-l` prints when a trap is taken (no final newline): the exception line, then a tval
 * line for the causes whose trap carries a tval in Spike (not ecalls, not interrupts).
 */
export function spikeTrapLines(rec: CommitRecord): string {
  const head = `core   0: exception ${trapName(rec.trapCause)}, epc 0x${hex64(rec.pc)}`;
  const c = BigInt.asUintN(64, rec.trapCause);
  if (c >> 63n || (c >= 8n && c <= 11n)) return head;
  return `${head}\ncore   0:           tval 0x${hexBig(rec.trapTval, 16)}`;
}

export interface ExtraColumns {
  disasm: boolean;
  symbol: ((pc: number) => string | undefined) | null;
  cycles: boolean;
  stalls: boolean;
}

/** `  # <sym+off>  disasm  [N cycles: cat n, ...]` — the optional columns after a Spike line. */
export function extraColumns(rec: CommitRecord, cols: ExtraColumns, cycles: number, stalls: Float64Array): string {
  let s = '';
  if (cols.symbol) s += `  <${cols.symbol(rec.pc) ?? '?'}>`;
  if (cols.disasm) s += `  ${disassemble(rec.raw, rec.pc).text.replace('\t', ' ')}`;
  if (cols.cycles || cols.stalls) {
    s += `  [${cycles} cycle${cycles === 1 ? '' : 's'}`;
    if (cols.stalls) {
      let first = true;
      for (let i = 0; i < stalls.length; i++) {
        if (stalls[i] === 0) continue;
        s += `${first ? ': ' : ', '}${STALL_NAMES[i]} ${stalls[i]}`;
        first = false;
      }
    }
    s += ']';
  }
  return s === '' ? '' : `  #${s}`;
}

/** One JSONL trace object (docs/trace-format.md lists every key). */
export function jsonRecord(
  rec: CommitRecord,
  cycles: number,
  stalls: Float64Array,
  symbol: ((pc: number) => string | undefined) | null,
): string {
  const o: Record<string, unknown> = {
    step: rec.step,
    priv: privName(rec.priv),
    pc: `0x${hex64(rec.pc)}`,
    raw: `0x${rawHex(rec.raw, rec.size)}`,
    disasm: disassemble(rec.raw, rec.pc).text.replace('\t', ' '),
  };
  if (rec.trapped && isFetchFault(rec.trapCause)) {
    // Nothing was fetched: there are no instruction bits to show.
    o.raw = null;
    o.disasm = null;
  }
  if (symbol) o.symbol = symbol(rec.pc) ?? null;
  if (rec.trapped) {
    const c = BigInt.asUintN(64, rec.trapCause);
    o.trap = { cause: `0x${c.toString(16)}`, interrupt: c >> 63n === 1n, name: trapName(rec.trapCause), tval: `0x${hexBig(rec.trapTval, 16)}`, vector: `0x${hex64(rec.nextPc)}` };
  } else {
    const regs: { reg: string; value: string }[] = [];
    if (rec.rd > 0) regs.push({ reg: `x${rec.rd}`, value: `0x${hexBig(rec.rdValue, 16)}` });
    if ((rec.frd ?? -1) >= 0) regs.push({ reg: `f${rec.frd}`, value: `0x${hexBig(rec.frdValue ?? 0n, 16)}` });
    o.regs = regs;
    const csrs: { csr: string; num: number; value: string }[] = [];
    for (let i = 0; i < rec.csrWriteCount; i++) {
      csrs.push({ csr: csrLogName(rec.csrWriteNum[i]), num: rec.csrWriteNum[i], value: `0x${hexBig(rec.csrWriteValue[i], 16)}` });
    }
    o.csrs = csrs;
    const mem: { op: string; va: string; pa: string; size: number; value: string | null }[] = [];
    const k = rec.memKind;
    if (k !== MEM_NONE) {
      const base = { va: `0x${hex64(rec.memVaddr)}`, pa: `0x${hex64(rec.memPaddr)}`, size: rec.memSize };
      const v = `0x${hexBig(rec.memValue, rec.memSize * 2)}`;
      if (k === MEM_LOAD) mem.push({ op: 'read', ...base, value: v });
      else if (k === MEM_STORE) mem.push({ op: 'write', ...base, value: v });
      else if (SC_IDS[rec.opId]) {
        if (!(rec.rd > 0 && rec.rdValue !== 0n)) mem.push({ op: 'write', ...base, value: v });
      } else {
        // AMO: the old value (what rd receives) is read, the result is written.
        mem.push({ op: 'read', ...base, value: rec.rd > 0 ? `0x${hexBig(rec.rdValue, rec.memSize * 2)}` : null });
        mem.push({ op: 'write', ...base, value: v });
      }
    }
    o.mem = mem;
    if (rec.taken) o.taken = true;
    o.next = `0x${hex64(rec.nextPc)}`;
  }
  o.cycles = cycles;
  const st: Record<string, number> = {};
  for (let i = 0; i < stalls.length; i++) if (stalls[i] !== 0) st[STALL_NAMES[i]] = stalls[i];
  o.stalls = st;
  return JSON.stringify(o);
}

