// The trace's record ring (docs/trace-format.md, "Cost"): each printed instruction is copied into a
// fixed-size slot of typed arrays (pc, raw bits, rd value, memory address and value, cycles, stalls);
// when the ring is full, or the run pauses, the slots are formatted in one pass straight into the
// ByteWriter's large buffer, which goes out in few large writes. Disassembly and symbol text is cached
// as bytes per instruction word (per pc for the pc-relative ones) and per pc.
//
// The common records (an integer register write, one memory access) are formatted here byte by byte;
// the rare ones (CSR or F/D register writes, traps) keep the string formatters of format.ts, whose
// output the ring stores as the slot's line. Both produce exactly the text format.ts defines (the tests
// compare them record by record).

import { disassemble } from '../../isa/disasm.js';
import { INSTRUCTIONS } from '../../isa/index.js';
import { STALL_NAMES } from '../../emulator/timing/index.js';
import { MEM_AMO, MEM_LOAD, MEM_NONE, MEM_STORE, type CommitRecord } from '../../emulator/types.js';
import { ByteWriter, bytesOf } from './bytes.js';
import { extraColumns, hex64, jsonRecord, rawHex, spikeCommitLine, spikeTrapLines, type ExtraColumns } from './format.js';

/** Records per ring: formatted 4096 at a time. */
const RING = 4096;

// Float64 fields of a slot.
const F_PC = 0;
const F_STEP = 1;
const F_VA = 2;
const F_PA = 3;
const F_NEXT = 4;
const F_CYCLES = 5;
const F_STRIDE = 6;
// Int32 fields of a slot.
const I_RAW = 0;
const I_SIZE = 1;
const I_PRIV = 2;
const I_RD = 3;
const I_RD_LO = 4;
const I_RD_HI = 5;
const I_MEM_KIND = 6;
const I_MEM_SIZE = 7;
const I_MEM_LO = 8;
const I_MEM_HI = 9;
const I_FLAGS = 10;
/** Index of the slot's preformatted line in `lines`, or -1: format the fields. */
const I_LINE = 11;
const I_STRIDE = 12;

const FLAG_TAKEN = 1;
const FLAG_SC = 2;

const N_STALLS = STALL_NAMES.length;
const SC_IDS = new Uint8Array(INSTRUCTIONS.length);
for (const d of INSTRUCTIONS) if (/^sc\./.test(d.name)) SC_IDS[d.id] = 1;

/** The register and memory values of a machine record as 32-bit halves (emulator/hart-state.ts ObservedRecord). */
interface Halves {
  rdLo?: number;
  rdHi?: number;
  memLo?: number;
  memHi?: number;
}

const B = (s: string) => bytesOf(s);
const SP_0X = B(' 0x');
const SP_MEM_0X = B(' mem 0x');
const COL_MARK = B('  #');
const OPEN_CYCLES = B('  [');
const CYCLE = B(' cycle');
const STALL_NAME_BYTES = STALL_NAMES.map((n) => B(n));
const STALL_SEP_FIRST = B(': ');
const STALL_SEP = B(', ');
const J_STEP = B('{"step":');
const J_SYMBOL = B(',"symbol":');
const J_REGS_END_MEM = B('"}],"csrs":[],"mem":[');
const J_READ = B('{"op":"read","va":"0x');
const J_WRITE = B('{"op":"write","va":"0x');
const J_PA = B('","pa":"0x');
const J_SIZE = B('","size":');
const J_VALUE = B(',"value":"0x');
const J_VALUE_NULL = B(',"value":null}');
const J_TAKEN = B('],"taken":true,"next":"0x');
const J_NEXT = B('],"next":"0x');
const J_CYCLES = B('","cycles":');
const J_STALLS = B(',"stalls":{');
const J_STALL_NAMES = STALL_NAMES.map((n) => B(`"${n}":`));
const J_NULL = B('null');

/** A line's instruction part (TraceRing.head). */
interface LineHead {
  raw: number;
  size: number;
  priv: number;
  rd: number;
  bytes: Uint8Array;
  /** Text: the columns after `  #` that depend on the instruction alone (symbol, disassembly). */
  cols: Uint8Array | null;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Longest line the byte formatter writes besides the cached pieces and the numbers. */
const FIXED_ROOM = 512;

export interface RingOptions {
  json: boolean;
  /** Text: the optional columns. */
  cols: ExtraColumns;
  /** JSONL: the `symbol` key (null: no such key). */
  symbol: ((pc: number) => string | undefined) | null;
}

/** Text bytes per instruction word, and per pc for those whose text names an address (branches, jumps). */
class DisasmBytes {
  private readonly byRaw = new Map<number, Uint8Array | null>();
  private readonly byPc = new Map<number, { raw: number; bytes: Uint8Array }>();

  constructor(private readonly render: (text: string) => Uint8Array) {}

  get(raw: number, pc: number): Uint8Array {
    const hit = this.byRaw.get(raw);
    if (hit) return hit;
    if (hit === null) {
      const p = this.byPc.get(pc);
      if (p !== undefined && p.raw === raw) return p.bytes;
      const bytes = this.render(disassemble(raw, pc).text.replace('\t', ' '));
      this.byPc.set(pc, { raw, bytes });
      return bytes;
    }
    const text = disassemble(raw, pc).text.replace('\t', ' ');
    // The same word elsewhere: if its text changes, it depends on pc.
    const pcDependent = disassemble(raw, pc + 0x1000).text.replace('\t', ' ') !== text;
    const bytes = this.render(text);
    if (pcDependent) {
      this.byRaw.set(raw, null);
      this.byPc.set(pc, { raw, bytes });
    } else this.byRaw.set(raw, bytes);
    return bytes;
  }
}

export class TraceRing {
  private readonly f = new Float64Array(RING * F_STRIDE);
  private readonly i = new Int32Array(RING * I_STRIDE);
  private readonly stalls: Float64Array | null;
  private readonly lines: string[] = [];
  private n = 0;
  private readonly json: boolean;
  private readonly cols: ExtraColumns;
  private readonly anyColumn: boolean;
  private readonly disasm: DisasmBytes | null;
  private readonly symbolBytes = new Map<number, Uint8Array>();
  private readonly heads = new Map<number, LineHead>();
  private readonly symbolOf: ((pc: number) => string | undefined) | null;

  constructor(private readonly w: ByteWriter, o: RingOptions) {
    this.json = o.json;
    this.cols = o.cols;
    const wantStalls = o.json || o.cols.stalls;
    this.stalls = wantStalls ? new Float64Array(RING * N_STALLS) : null;
    this.anyColumn = !o.json && (o.cols.disasm || o.cols.symbol !== null || o.cols.cycles || o.cols.stalls);
    if (o.json) this.disasm = new DisasmBytes((t) => B(JSON.stringify(t)));
    else this.disasm = o.cols.disasm ? new DisasmBytes((t) => B(`  ${t}`)) : null;
    this.symbolOf = o.json ? o.symbol : o.cols.symbol;
  }

  /**
   * Is this record one the text format prints? (Trapped records only with `traps`, as Spike's -l lines;
   * JSONL prints every record.)
   */
  static prints(rec: CommitRecord, json: boolean, traps: boolean): boolean {
    return json || !rec.trapped || traps;
  }

  /** Add a printed record (the ring formats it later). */
  push(rec: CommitRecord, cycles: number, stalls: Float64Array): void {
    if (this.n === RING) this.drain();
    const k = this.n++;
    const fo = k * F_STRIDE;
    const io = k * I_STRIDE;
    const f = this.f;
    const i = this.i;
    f[fo + F_CYCLES] = cycles;
    if (this.stalls !== null) {
      const so = k * N_STALLS;
      if (stalls.length === N_STALLS) this.stalls.set(stalls, so);
      else for (let s = 0; s < N_STALLS; s++) this.stalls[so + s] = s < stalls.length ? stalls[s] : 0;
    }
    const h = rec as CommitRecord & Halves;
    const memSize = rec.memSize;
    const complex =
      rec.trapped || rec.csrWriteCount > 0 || (rec.frd ?? -1) >= 0 || h.rdLo === undefined || h.memLo === undefined ||
      (rec.memKind !== MEM_NONE && memSize !== 1 && memSize !== 2 && memSize !== 4 && memSize !== 8);
    if (complex) {
      // Rare records: the string formatters, now (the record object is reused for the next instruction).
      i[io + I_LINE] = this.lines.length;
      this.lines.push(this.lineOf(rec, cycles, stalls));
      return;
    }
    i[io + I_LINE] = -1;
    f[fo + F_PC] = rec.pc;
    f[fo + F_STEP] = rec.step;
    f[fo + F_NEXT] = rec.nextPc;
    i[io + I_RAW] = rec.raw;
    i[io + I_SIZE] = rec.size;
    i[io + I_PRIV] = rec.priv;
    i[io + I_RD] = rec.rd;
    i[io + I_RD_LO] = h.rdLo!;
    i[io + I_RD_HI] = h.rdHi!;
    const kind = rec.memKind;
    i[io + I_MEM_KIND] = kind;
    i[io + I_FLAGS] = (rec.taken ? FLAG_TAKEN : 0) | (SC_IDS[rec.opId] === 1 ? FLAG_SC : 0);
    if (kind !== MEM_NONE) {
      f[fo + F_VA] = rec.memVaddr;
      f[fo + F_PA] = rec.memPaddr;
      i[io + I_MEM_SIZE] = memSize;
      i[io + I_MEM_LO] = h.memLo!;
      i[io + I_MEM_HI] = h.memHi!;
    }
  }

  private lineOf(rec: CommitRecord, cycles: number, stalls: Float64Array): string {
    if (this.json) return jsonRecord(rec, cycles, stalls, this.symbolOf);
    if (rec.trapped) return spikeTrapLines(rec);
    return spikeCommitLine(rec)! + extraColumns(rec, this.cols, cycles, stalls);
  }

  /** Format every pending record into the writer (which flushes as its buffer fills). */
  drain(): void {
    const n = this.n;
    this.n = 0;
    for (let k = 0; k < n; k++) {
      const line = this.i[k * I_STRIDE + I_LINE];
      if (line >= 0) {
        this.w.text(this.lines[line]);
        this.w.room(1);
        this.w.byte(10);
      } else if (this.json) this.jsonLine(k);
      else this.textLine(k);
    }
    this.lines.length = 0;
  }

  /** Format what is pending and write it out. */
  flush(): void {
    this.drain();
    this.w.flush();
  }

  private symbol(pc: number): Uint8Array {
    let b = this.symbolBytes.get(pc);
    if (b === undefined) {
      const name = this.symbolOf!(pc);
      b = this.json ? (name === undefined ? J_NULL : B(JSON.stringify(name))) : B(`  <${name ?? '?'}>`);
      this.symbolBytes.set(pc, b);
    }
    return b;
  }

  /**
   * The part of a line that depends only on the instruction (pc, bits, privilege, rd), cached per pc:
   * text `core   0: P 0x<pc> (0x<bits>)[ xN 0x]`, with its columns `  #  <sym>  disasm` apart;
   * JSONL from `,"priv"` to the rd value (or to the empty `"regs"`, `"csrs"` and the opening of `"mem"`).
   */
  private head(pc: number, raw: number, size: number, priv: number, rd: number): LineHead {
    const e = this.heads.get(pc);
    if (e !== undefined && e.raw === raw && e.size === size && e.priv === priv && e.rd === rd) return e;
    const privText = String(priv);
    let head: string;
    let cols: Uint8Array | null = null;
    const bits = rawHex(raw, size);
    if (this.json) {
      const privName = priv === 3 ? 'M' : priv === 1 ? 'S' : priv === 0 ? 'U' : privText;
      head = `,"priv":${JSON.stringify(privName)},"pc":"0x${hex64(pc)}","raw":"0x${bits}","disasm":`;
      const parts = [B(head), this.disasm!.get(raw, pc)];
      if (this.symbolOf !== null) parts.push(J_SYMBOL, this.symbol(pc));
      parts.push(rd > 0 ? B(`,"regs":[{"reg":"x${rd}","value":"0x`) : B(',"regs":[],"csrs":[],"mem":['));
      const bytes = concat(parts);
      const ne: LineHead = { raw, size, priv, rd, bytes, cols };
      this.heads.set(pc, ne);
      return ne;
    }
    head = `core   0: ${privText} 0x${hex64(pc)} (0x${bits})`;
    if (rd > 0) head += ` x${rd < 10 ? `${rd} ` : rd} 0x`;
    if (this.anyColumn) {
      const parts = [COL_MARK];
      if (this.cols.symbol !== null) parts.push(this.symbol(pc));
      if (this.disasm !== null) parts.push(this.disasm.get(raw, pc));
      cols = concat(parts);
    }
    const ne: LineHead = { raw, size, priv, rd, bytes: B(head), cols };
    this.heads.set(pc, ne);
    return ne;
  }

  /** A decimal number as the string formatters print it (template literal text, JSON for JSONL). */
  private number(v: number): void {
    if (this.json || (v >= 0 && v <= 9007199254740991 && Math.floor(v) === v)) this.w.num(v);
    else this.w.text(String(v));
  }

  private textLine(k: number): void {
    const w = this.w;
    const f = this.f;
    const i = this.i;
    const fo = k * F_STRIDE;
    const io = k * I_STRIDE;
    const pc = f[fo + F_PC];
    const raw = i[io + I_RAW] >>> 0;
    const rd = i[io + I_RD];
    const e = this.head(pc, raw, i[io + I_SIZE], i[io + I_PRIV], rd);
    w.room(e.bytes.length + (e.cols === null ? 0 : e.cols.length) + FIXED_ROOM);
    w.put(e.bytes);
    const rdLo = i[io + I_RD_LO];
    const rdHi = i[io + I_RD_HI];
    if (rd > 0) w.hex64(rdLo, rdHi);
    const kind = i[io + I_MEM_KIND];
    if (kind !== MEM_NONE) {
      const isSc = (i[io + I_FLAGS] & FLAG_SC) !== 0;
      const va = f[fo + F_VA];
      if ((kind === MEM_LOAD || kind === MEM_AMO) && !isSc) {
        w.put(SP_MEM_0X);
        w.hexNum(va);
      }
      if (kind === MEM_STORE || kind === MEM_AMO) {
        // A failed SC (rd = 1) stores nothing; Spike logs the store only when it happened.
        const failedSc = isSc && rd > 0 && (rdLo | rdHi) !== 0;
        if (!failedSc) {
          w.put(SP_MEM_0X);
          w.hexNum(va);
          w.put(SP_0X);
          w.hexSized(i[io + I_MEM_LO], i[io + I_MEM_HI], i[io + I_MEM_SIZE]);
        }
      }
    }
    if (e.cols !== null) {
      w.put(e.cols);
      if (this.cols.cycles || this.cols.stalls) this.cyclesColumn(k);
    }
    w.byte(10);
  }

  /** `  [N cycles: icache 30, ...]` */
  private cyclesColumn(k: number): void {
    const w = this.w;
    const cycles = this.f[k * F_STRIDE + F_CYCLES];
    w.put(OPEN_CYCLES);
    this.number(cycles);
    w.put(CYCLE);
    if (cycles !== 1) w.byte(115); // 's'
    if (this.cols.stalls) {
      const st = this.stalls!;
      const so = k * N_STALLS;
      let first = true;
      for (let s = 0; s < N_STALLS; s++) {
        const v = st[so + s];
        if (v === 0) continue;
        w.room(FIXED_ROOM);
        w.put(first ? STALL_SEP_FIRST : STALL_SEP);
        w.put(STALL_NAME_BYTES[s]);
        w.byte(32);
        this.number(v);
        first = false;
      }
    }
    w.byte(93); // ']'
  }

  private jsonLine(k: number): void {
    const w = this.w;
    const f = this.f;
    const i = this.i;
    const fo = k * F_STRIDE;
    const io = k * I_STRIDE;
    const pc = f[fo + F_PC];
    const raw = i[io + I_RAW] >>> 0;
    const rd = i[io + I_RD];
    const e = this.head(pc, raw, i[io + I_SIZE], i[io + I_PRIV], rd);
    w.room(e.bytes.length + FIXED_ROOM);
    w.put(J_STEP);
    w.num(f[fo + F_STEP]);
    w.put(e.bytes);
    const rdLo = i[io + I_RD_LO];
    const rdHi = i[io + I_RD_HI];
    if (rd > 0) {
      w.hex64(rdLo, rdHi);
      w.put(J_REGS_END_MEM);
    }
    const kind = i[io + I_MEM_KIND];
    if (kind !== MEM_NONE) {
      const size = i[io + I_MEM_SIZE];
      const lo = i[io + I_MEM_LO];
      const hi = i[io + I_MEM_HI];
      if (kind === MEM_LOAD) this.jsonAccess(J_READ, fo, size, lo, hi);
      else if (kind === MEM_STORE) this.jsonAccess(J_WRITE, fo, size, lo, hi);
      else if ((i[io + I_FLAGS] & FLAG_SC) !== 0) {
        if (!(rd > 0 && (rdLo | rdHi) !== 0)) this.jsonAccess(J_WRITE, fo, size, lo, hi);
      } else {
        // AMO: the old value (what rd receives) is read, the result is written.
        this.jsonAccessHead(J_READ, fo, size);
        if (rd > 0) {
          w.put(J_VALUE);
          w.hexSized(rdLo, rdHi, size);
          w.byte(34); // '"'
          w.byte(125); // '}'
        } else w.put(J_VALUE_NULL);
        w.byte(44); // ','
        this.jsonAccess(J_WRITE, fo, size, lo, hi);
      }
    }
    w.put((i[io + I_FLAGS] & FLAG_TAKEN) !== 0 ? J_TAKEN : J_NEXT);
    w.hexNum(f[fo + F_NEXT]);
    w.put(J_CYCLES);
    w.num(f[fo + F_CYCLES]);
    w.put(J_STALLS);
    const st = this.stalls!;
    const so = k * N_STALLS;
    let first = true;
    for (let s = 0; s < N_STALLS; s++) {
      const v = st[so + s];
      if (v === 0) continue;
      w.room(FIXED_ROOM);
      if (!first) w.byte(44);
      w.put(J_STALL_NAMES[s]);
      w.num(v);
      first = false;
    }
    w.byte(125);
    w.byte(125);
    w.byte(10);
  }

  /** `{"op":...,"va":"0x..","pa":"0x..","size":N` */
  private jsonAccessHead(op: Uint8Array, fo: number, size: number): void {
    const w = this.w;
    w.put(op);
    w.hexNum(this.f[fo + F_VA]);
    w.put(J_PA);
    w.hexNum(this.f[fo + F_PA]);
    w.put(J_SIZE);
    w.num(size);
  }

  private jsonAccess(op: Uint8Array, fo: number, size: number, lo: number, hi: number): void {
    const w = this.w;
    this.jsonAccessHead(op, fo, size);
    w.put(J_VALUE);
    w.hexSized(lo, hi, size);
    w.byte(34);
    w.byte(125);
  }
}
