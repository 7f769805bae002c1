// The WebAssembly translation tier for the fast (unobserved) run loop: hot blocks become WebAssembly
// functions in one shared table, and a dispatcher, itself WebAssembly, chains them: it looks the next pc
// up in a direct-mapped cache in the hart's memory, checks the fetch TLB entry of the current privilege
// still maps pc's page to the page the block was translated from (the inline Sv39 check: a TLB flush for
// sfence.vma, satp, PMP or mstatus changes empties it, so a stale block is never entered), and calls it.
// Everything else runs in the interpreter, which stays the reference: the tier leaves to it at an exact
// instruction boundary (pc and counts precise) for every TLB miss, misaligned or device access, system
// instruction, and whenever fewer instructions are left in the chunk than the next block holds, so
// exceptions, interrupts and mtime happen at the same instruction on both tiers.
//
// Self-modifying code: stores to pages holding code always take the interpreter's slow path (such pages
// never get write-TLB entries), which calls invalidateCode; that drops every block overlapping the bytes.
// HTIF: stores to tohost's page stay in the block through the watched-page entry unless they touch
// tohost (translate.ts, layout.ts WATCH_TLB_OFF); those leave it for the interpreter's slow path.
// Translated code is bounded: at maxBlocks (default MAX_BLOCKS) the whole cache is flushed (`flushes`).

import * as D from '../decode.js';
import * as L from '../layout.js';
import type { Hart } from '../hart.js';
import { execChunk } from '../interp.js';
import { Code, I32, Op, encodeModule } from './wasm.js';
import { EXIT_INTERP, EXIT_MISS, LOG_MAX_PER_INSN, MAX_BLOCK, TRANSLATABLE, emitBlock, scanBlock } from './translate.js';
import { BlockFacts } from './replay.js';

/** The most instructions one logging dispatch may retire: their commit log always fits. */
export const LOG_ROOM = Math.floor((L.JIT_LOG_END - L.JIT_LOG_OFF - 64) / LOG_MAX_PER_INSN);

/** Default cap on translated blocks (table slots 1..max; slot 0 stays empty). */
export const MAX_BLOCKS = 4096;
/** Misses at a pc before its block is translated (default). */
export const DEFAULT_HOT = 16;
/** Instructions the interpreter runs for code it has not decoded yet (no block boundary known). */
const COLD_STRETCH = 32;
const CACHE_MASK = L.JIT_CACHE_ENTRIES - 1;
/** Upper pc word of an empty cache entry: no Number pc has it. */
const EMPTY_HI = 0x40000000;
const TAG_HI = L.TLB_TAG_OFF + 4 * L.TLB_SETS * L.TLB_ENTRIES;
const INV_TWO32 = 1 / 4294967296;

const BLOCK_TYPE = { params: [I32, I32], results: [I32] };

interface Block {
  pc: number;
  /** memPage + offset of pc: where the block's code is in the memory. */
  key: number;
  memPage: number;
  /** Table index, or -1: the first instruction is the interpreter's (remembered so it is not rescanned). */
  idx: number;
  startOff: number;
  endOff: number;
}

/** Cache slot of a pc (the dispatcher computes the same). */
function slotOf(lo: number): number {
  return ((lo >>> 1) ^ (lo >>> 14)) & CACHE_MASK;
}

export interface JitStats {
  /** Instructions retired inside translated blocks, and by the interpreter in jit mode. */
  jitRetired: number;
  interpRetired: number;
  blocksCompiled: number;
  /** Blocks dropped because their code was written. */
  invalidations: number;
  /** Whole-cache flushes at MAX_BLOCKS. */
  flushes: number;
  /** WebAssembly bytes compiled. */
  bytesCompiled: number;
}

/**
 * Exact instruction and trap counts per code region (the functions of `rvx profile`) and privilege, kept
 * while the tier runs: translated blocks never cross a region boundary (scanBlock's sameRegion) and add
 * what they retire to their counter in the hart's memory (layout.ts JIT_PROF_OFF), which is read back
 * when a block is dropped or flushed and by collect(); the interpreter's instructions are counted one
 * by one, as are traps and interrupts (at the pc and privilege they interrupted, as the observed loop
 * reports them). Region r's counts are at index r * 4 + privilege.
 */
export class JitProfile {
  readonly retired: Float64Array;
  readonly traps: Float64Array;
  /** The tier that feeds this profile (set when it is created). */
  jit: Jit | null = null;

  /** regionOf(pc): 0..regions - 1, or -1 outside every region (counted as region `regions`). */
  constructor(
    private readonly regionIndex: (pc: number) => number,
    readonly regions: number,
  ) {
    this.retired = new Float64Array((regions + 1) * 4);
    this.traps = new Float64Array((regions + 1) * 4);
  }

  regionOf(pc: number): number {
    const r = this.regionIndex(pc);
    return r < 0 || r >= this.regions ? this.regions : r;
  }

  /** A trap or interrupt taken at pc in privilege priv. */
  trap(pc: number, priv: number): void {
    this.traps[this.regionOf(pc) * 4 + (priv & 3)]++;
  }

  /** Bring the counts of the blocks still translated in (call before reading the arrays). */
  collect(): void {
    this.jit?.harvestAll();
  }
}

export class Jit {
  readonly table: WebAssembly.Table;
  private readonly run: (fb: number, rb: number, wb: number) => number;
  private readonly blocks = new Map<number, Block>();
  private readonly byPage = new Map<number, Set<Block>>();
  private readonly heat = new Map<number, number>();
  private readonly free: number[] = [];
  private nextIdx = 1;
  private readonly pages: number;
  /**
   * Blocks write the commit log (a cycle model observes the run: Machine.runModelled); the facts the
   * log's reader needs, by table index.
   */
  private logging = false;
  private readonly facts: (BlockFacts | undefined)[] = [];
  /** Instructions the last dispatch() retired. */
  lastRan = 0;
  readonly stats: JitStats = { jitRetired: 0, interpRetired: 0, blocksCompiled: 0, invalidations: 0, flushes: 0, bytesCompiled: 0 };

  /** hot: how many times the dispatcher must miss at a pc before its block is translated (1: at once). */
  /** The region of each table index's block (profiling). */
  private readonly blockRegion: Int32Array | null;
  private readonly sameRegion: ((a: number, b: number) => boolean) | undefined;

  constructor(
    private readonly h: Hart,
    private readonly hot = DEFAULT_HOT,
    private maxBlocks = MAX_BLOCKS,
    private readonly profile: JitProfile | null = null,
  ) {
    if (profile !== null) {
      // Counters exist for the first JIT_PROF_BLOCKS table indexes.
      if (maxBlocks > L.JIT_PROF_BLOCKS) this.maxBlocks = maxBlocks = L.JIT_PROF_BLOCKS;
      this.blockRegion = new Int32Array(maxBlocks + 1);
      this.sameRegion = (a, b) => profile.regionOf(a) === profile.regionOf(b);
      profile.jit = this;
      h.m8.fill(0, L.JIT_PROF_OFF, L.JIT_PROF_END);
    } else {
      this.blockRegion = null;
      this.sameRegion = undefined;
    }
    this.pages = h.memory.buffer.byteLength / 65536;
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: maxBlocks + 1 });
    const key = `${this.pages}/${maxBlocks + 1}`;
    let mod = dispatchers.get(key);
    if (mod === undefined) dispatchers.set(key, (mod = new WebAssembly.Module(dispatcherModule(this.pages, maxBlocks + 1))));
    const inst = new WebAssembly.Instance(mod, {
      env: { mem: h.memory, tab: this.table },
    });
    this.run = inst.exports.run as (fb: number, rb: number, wb: number) => number;
    this.clearCache();
    h.codeObserver = this;
  }

  private clearCache(): void {
    const m32 = this.h.m32;
    for (let e = 0; e < L.JIT_CACHE_ENTRIES; e++) {
      const w = (L.JIT_CACHE_OFF >> 2) + 4 * e;
      m32[w] = 0;
      m32[w + 1] = EMPTY_HI;
      m32[w + 2] = 0;
      m32[w + 3] = 0;
    }
  }

  /**
   * Run up to n instructions (n a small positive integer), in translated blocks where there are some,
   * else in the interpreter; returns how many retired. Same contract as interp.ts execChunk: the chunk
   * ends early exactly where the interpreter's would (a trap, or anything that sets breakChunk).
   */
  execChunk(n: number): number {
    const h = this.h;
    const m32 = h.m32;
    const st = this.stats;
    let done = 0;
    h.breakChunk = false;
    while (done < n) {
      const room = n - done;
      const pc = h.pc;
      m32[L.JIT_PC_OFF >> 2] = pc | 0;
      m32[(L.JIT_PC_OFF >> 2) + 1] = ((pc - (pc >>> 0)) * INV_TWO32) | 0;
      m32[L.JIT_LEFT_OFF >> 2] = room;
      m32[L.JIT_PRIV_OFF >> 2] = h.priv;
      const r = this.run(h.fBase, h.rBase, h.wBase);
      const ran = room - m32[L.JIT_LEFT_OFF >> 2];
      if (ran > 0) {
        h.pc = m32[(L.JIT_PC_OFF >> 2) + 1] * 4294967296 + (m32[L.JIT_PC_OFF >> 2] >>> 0);
        h.instret += ran;
        h.cyc += ran;
        st.jitRetired += ran;
        done += ran;
        if (done >= n) break;
      }
      let want: number;
      if (r === EXIT_MISS) {
        want = this.miss();
        if (want === 0) continue; // a block is in the cache now
      } else if (r === EXIT_INTERP) want = this.stretchAt(h.pc);
      else want = n - done; // EXIT_BUDGET: the rest of the chunk is shorter than the next block
      if (want > n - done) want = n - done;
      const k = this.profile !== null ? this.interpretCounted(want) : execChunk(h, want);
      st.interpRetired += k;
      done += k;
      if (h.breakChunk || k < want) break;
    }
    return done;
  }

  /**
   * Translate logging blocks (on) or plain ones (off) from now on; switching drops every translation
   * (the two kinds never mix in the cache).
   */
  setLogging(on: boolean): void {
    if (on === this.logging) return;
    this.dropAll();
    this.logging = on;
  }

  /** The facts of logging block idx (for the log's reader). */
  factsOf(idx: number): BlockFacts {
    return this.facts[idx]!;
  }

  /**
   * One dispatch from h.pc with room for `room` instructions (at most LOG_ROOM when logging): runs
   * translated blocks until one exits to JS. Updates pc, instret and cycles (1 per instruction) like
   * execChunk; lastRan says how many retired; returns the exit code (EXIT_MISS, EXIT_INTERP, EXIT_BUDGET).
   * The commit log then holds their records from L.JIT_LOG_OFF on.
   */
  dispatch(room: number): number {
    const h = this.h;
    const m32 = h.m32;
    const pc = h.pc;
    m32[L.JIT_PC_OFF >> 2] = pc | 0;
    m32[(L.JIT_PC_OFF >> 2) + 1] = ((pc - (pc >>> 0)) * INV_TWO32) | 0;
    m32[L.JIT_LEFT_OFF >> 2] = room;
    m32[L.JIT_LOG_PTR_OFF >> 2] = L.JIT_LOG_OFF;
    const r = this.run(h.fBase, h.rBase, h.wBase);
    const ran = room - m32[L.JIT_LEFT_OFF >> 2];
    this.lastRan = ran;
    if (ran > 0) {
      h.pc = m32[(L.JIT_PC_OFF >> 2) + 1] * 4294967296 + (m32[L.JIT_PC_OFF >> 2] >>> 0);
      h.instret += ran;
      h.cyc += ran;
      this.stats.jitRetired += ran;
    }
    return r;
  }

  /**
   * Profiling: the interpreter's stretch one instruction at a time, each counted at its pc and
   * privilege; ends where execChunk(h, n) would (a trap, or anything that sets breakChunk).
   */
  private interpretCounted(n: number): number {
    const h = this.h;
    const p = this.profile!;
    let k = 0;
    while (k < n) {
      const pc = h.pc;
      const priv = h.priv;
      if (execChunk(h, 1) === 1) {
        p.retired[p.regionOf(pc) * 4 + (priv & 3)]++;
        k++;
      } else {
        p.trap(pc, priv);
        break;
      }
      if (h.breakChunk) break;
    }
    return k;
  }

  /** Profiling: add table index idx's counters to its region's counts and clear them. */
  private harvest(idx: number): void {
    const p = this.profile;
    if (p === null || idx <= 0) return;
    const m32 = this.h.m32;
    const w = (L.JIT_PROF_OFF >> 2) + 8 * idx;
    const r = this.blockRegion![idx];
    for (let priv = 0; priv < 4; priv++) {
      const lo = m32[w + 2 * priv] >>> 0;
      const hi = m32[w + 2 * priv + 1] >>> 0;
      if (lo === 0 && hi === 0) continue;
      p.retired[r * 4 + priv] += hi * 4294967296 + lo;
      m32[w + 2 * priv] = 0;
      m32[w + 2 * priv + 1] = 0;
    }
  }

  /** Profiling: harvest every block's counters. */
  harvestAll(): void {
    for (let i = 1; i < this.nextIdx; i++) this.harvest(i);
  }

  /** Memory page offset pc's fetch TLB entry maps, or -1 when the entry is not there. */
  private fetchPage(pc: number): number {
    const h = this.h;
    const lo = pc | 0;
    const hi = ((pc - (pc >>> 0)) * INV_TWO32) | 0;
    const vpl = lo >>> 12;
    const t = h.fBase + (vpl & (L.TLB_ENTRIES - 1));
    if (h.tlbTagLo[t] !== vpl || h.tlbTagHi[t] !== hi) return -1;
    return h.tlbData[t];
  }

  /** The dispatcher found no block for h.pc: reinstall, translate if hot, or say how far to interpret. */
  miss(): number {
    const h = this.h;
    const pc = h.pc;
    const memPage = this.fetchPage(pc);
    if (memPage < 0) return COLD_STRETCH; // the interpreter's fetch fills the TLB
    const key = memPage + (pc & 4095);
    const b = this.blocks.get(key);
    if (b !== undefined && b.pc === pc) {
      if (b.idx < 0) return this.stretch(memPage, pc & 4095);
      this.install(b);
      return 0;
    }
    const heat = (this.heat.get(key) ?? 0) + 1;
    if (heat < this.hot) {
      this.heat.set(key, heat);
      return this.stretch(memPage, pc & 4095);
    }
    this.heat.delete(key);
    const nb = this.compile(pc, memPage);
    if (nb.idx < 0) return this.stretch(memPage, pc & 4095);
    this.install(nb);
    return 0;
  }

  stretchAt(pc: number): number {
    const memPage = this.fetchPage(pc);
    return memPage < 0 ? COLD_STRETCH : this.stretch(memPage, pc & 4095);
  }

  /**
   * Instructions from offset off of the page to the end of its block, from the interpreter's decoded
   * words (so the interpreter hands back to the tier at a block boundary); COLD_STRETCH where the code
   * has not been decoded yet.
   */
  private stretch(memPage: number, off: number): number {
    const page = this.h.decodedPageAt(memPage >>> 12);
    if (page === undefined) return COLD_STRETCH;
    const w = page.w;
    let n = 0;
    while (off < 4096 && n < MAX_BLOCK) {
      const word = w[off];
      if (word === D.OP_UNDECODED) return n > 0 ? n : COLD_STRETCH;
      n++;
      const op = word & 127;
      if (!TRANSLATABLE[op] || (op >= D.OP_JAL && op <= D.OP_BGEU)) return n;
      off += word >>> 27;
    }
    return n;
  }

  private install(b: Block): void {
    const m32 = this.h.m32;
    const lo = b.pc | 0;
    const w = (L.JIT_CACHE_OFF >> 2) + 4 * slotOf(lo);
    m32[w] = lo;
    m32[w + 1] = ((b.pc - (b.pc >>> 0)) * INV_TWO32) | 0;
    m32[w + 2] = b.memPage;
    m32[w + 3] = b.idx;
  }

  private compile(pc: number, memPage: number): Block {
    const h = this.h;
    const m16 = h.m16;
    h.watchCode(memPage >>> 12); // stores to the page must reach invalidate() from now on
    const scanned = scanBlock(pc, (off) => m16[(memPage + off) >> 1], h.isa, this.sameRegion);
    const off = pc & 4095;
    let b: Block;
    if (scanned.insns.length === 0) {
      b = { pc, key: memPage + off, memPage, idx: -1, startOff: off, endOff: off + 2 };
    } else {
      const idx = this.allocIndex();
      // Profiling blocks count into their table index's counters (harvested into the index's region).
      if (this.profile !== null) this.blockRegion![idx] = this.profile.regionOf(pc);
      const code = emitBlock(scanned, h.isa, this.logging ? idx : -1, this.profile !== null ? idx : -1);
      const bytes = encodeModule({
        types: [BLOCK_TYPE],
        memoryPages: this.pages,
        tableSize: 0,
        funcs: [{ type: 0, locals: code.locals, body: code.body, export: 'b' }],
      });
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: h.memory } });
      this.table.set(idx, inst.exports.b as () => number);
      this.facts[idx] = this.logging ? new BlockFacts(scanned.insns, h.physOf(memPage)) : undefined;
      // A model's pass code for the block that had this index is not this block's (layout.ts MODEL_PLAN_*).
      if (idx <= L.MODEL_PLAN_BLOCKS) h.m32[(L.MODEL_PLAN_INDEX_OFF >> 2) + idx] = 0;
      this.stats.blocksCompiled++;
      this.stats.bytesCompiled += bytes.length;
      b = { pc, key: memPage + off, memPage, idx, startOff: code.startOff, endOff: code.endOff };
    }
    this.blocks.set(b.key, b);
    const p = memPage >>> 12;
    let set = this.byPage.get(p);
    if (set === undefined) this.byPage.set(p, (set = new Set()));
    set.add(b);
    return b;
  }

  private allocIndex(): number {
    if (this.free.length > 0) return this.free.pop()!;
    if (this.nextIdx > this.maxBlocks) this.flush();
    return this.nextIdx++;
  }

  /** Drop every translation (the cap on translated code). */
  flush(): void {
    this.dropAll();
    this.stats.flushes++;
  }

  private dropAll(): void {
    this.harvestAll();
    for (let i = 1; i < this.nextIdx; i++) this.table.set(i, null);
    this.facts.length = 0;
    this.blocks.clear();
    this.byPage.clear();
    this.heat.clear();
    this.free.length = 0;
    this.nextIdx = 1;
    this.clearCache();
    const m32 = this.h.m32;
    m32.fill(0, L.MODEL_PLAN_INDEX_OFF >> 2, (L.MODEL_PLAN_INDEX_OFF >> 2) + L.MODEL_PLAN_BLOCKS + 1);
  }

  /** Memory bytes [idx, idx+len) were written: drop the blocks holding any of them (hart.invalidateCode). */
  invalidate(idx: number, len: number): void {
    if (this.blocks.size === 0) return;
    const from = idx - 2; // a 4-byte instruction starting just before
    const to = idx + len;
    for (let p = from >>> 12; p <= (to - 1) >>> 12; p++) {
      const set = this.byPage.get(p);
      if (set === undefined) continue;
      for (const b of set) {
        const s = b.memPage + b.startOff;
        const e = b.memPage + b.endOff;
        if (e <= from || s >= to) continue;
        this.drop(b);
        set.delete(b);
      }
    }
  }

  private drop(b: Block): void {
    if (this.blocks.get(b.key) === b) this.blocks.delete(b.key);
    if (b.idx < 0) return;
    const m32 = this.h.m32;
    const w = (L.JIT_CACHE_OFF >> 2) + 4 * slotOf(b.pc | 0);
    if (m32[w + 3] === b.idx) {
      m32[w + 1] = EMPTY_HI;
      m32[w + 3] = 0;
    }
    this.harvest(b.idx);
    this.table.set(b.idx, null);
    this.free.push(b.idx);
    this.stats.invalidations++;
  }
}

/** Compiled dispatchers by memory size and table size (machines of one size share the code). */
const dispatchers = new Map<string, WebAssembly.Module>();

/**
 * The dispatcher: run(fb, rb, wb) loops { pc ← JIT_PC; look pc up in the cache; check the fetch TLB
 * (set fb) still maps pc's page to the block's page; call the block } until a block returns non-zero
 * (its exit code) or the lookup fails (EXIT_MISS).
 */
function dispatcherModule(pages: number, tableSize: number): Uint8Array<ArrayBuffer> {
  const P_FB = 0, P_RB = 1, P_WB = 2, LO = 3, HI = 4, E = 5, T = 6, R = 7;
  const c = new Code();
  c.open(Op.loop);
  c.i32(0).mem(Op.i32_load, 2, L.JIT_PC_OFF).set(LO);
  c.i32(0).mem(Op.i32_load, 2, L.JIT_PC_OFF + 4).set(HI);
  // e = slotOf(lo) * 16
  c.get(LO).i32(1).op(Op.i32_shr_u).get(LO).i32(14).op(Op.i32_shr_u).op(Op.i32_xor).i32(CACHE_MASK).op(Op.i32_and).i32(4).op(Op.i32_shl).set(E);
  c.get(E).mem(Op.i32_load, 2, L.JIT_CACHE_OFF).get(LO).op(Op.i32_ne);
  c.get(E).mem(Op.i32_load, 2, L.JIT_CACHE_OFF + 4).get(HI).op(Op.i32_ne).op(Op.i32_or);
  c.open(Op.if).i32(EXIT_MISS).op(Op.return).end();
  // t = (fb + (vpl & (TLB_ENTRIES - 1))) * 4
  c.get(P_FB).get(LO).i32(12).op(Op.i32_shr_u).i32(L.TLB_ENTRIES - 1).op(Op.i32_and).op(Op.i32_add).i32(2).op(Op.i32_shl).set(T);
  c.get(T).mem(Op.i32_load, 2, L.TLB_TAG_OFF).get(LO).i32(12).op(Op.i32_shr_u).op(Op.i32_ne);
  c.get(T).mem(Op.i32_load, 2, TAG_HI).get(HI).op(Op.i32_ne).op(Op.i32_or);
  c.get(T).mem(Op.i32_load, 2, L.TLB_DATA_OFF).get(E).mem(Op.i32_load, 2, L.JIT_CACHE_OFF + 8).op(Op.i32_ne).op(Op.i32_or);
  c.open(Op.if).i32(EXIT_MISS).op(Op.return).end();
  c.get(P_RB).get(P_WB).get(E).mem(Op.i32_load, 2, L.JIT_CACHE_OFF + 12);
  c.op(Op.call_indirect);
  c.u32(0); // type 0 (a block)
  c.u32(0); // table 0
  c.tee(R).op(Op.i32_eqz).brIf(0);
  c.get(R).op(Op.return);
  c.end();
  c.op(Op.unreachable);
  return encodeModule({
    types: [BLOCK_TYPE, { params: [I32, I32, I32], results: [I32] }],
    memoryPages: pages,
    tableSize,
    funcs: [{ type: 1, locals: [[5, I32]], body: c, export: 'run' }],
  });
}
