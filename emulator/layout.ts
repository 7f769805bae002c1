// Where the hart's state lives inside its one WebAssembly.Memory (docs/machine.md, "State layout").
// The interpreter views these bytes as typed arrays; a later WebAssembly translator reads the same
// bytes as i64 loads, so both tiers share registers, TLBs and guest RAM without copying.

/** x0..x31: 8-byte little-endian slots at 8·i. */
export const REGS_OFF = 0x0;
/** Slot 32 (byte 0x100) absorbs writes to x0: the decoder maps rd = x0 here, so x0 always reads 0. */
export const X0_SINK = 32;
/** pc as a signed 64-bit integer (written back when run() returns; the interpreter keeps it in a local). */
export const PC_OFF = 0x108;
/** Retired instructions and cycles (f64, synced when run() returns). */
export const INSTRET_OFF = 0x110;
export const CYCLE_OFF = 0x118;

/**
 * Hot CSRs as 8-byte slots (two i32 halves), read and written without BigInt by CSR instructions,
 * traps and xRET: slot k at CSR_OFF + 8·k.
 */
export const CSR_OFF = 0x200;
export const CSR_MSCRATCH = 0;
export const CSR_SSCRATCH = 1;
export const CSR_MEPC = 2;
export const CSR_SEPC = 3;
export const CSR_MCAUSE = 4;
export const CSR_SCAUSE = 5;
export const CSR_MTVAL = 6;
export const CSR_STVAL = 7;
export const CSR_MTVEC = 8;
export const CSR_STVEC = 9;

/** f0..f31 (F and D): 8-byte little-endian slots at FREGS_OFF + 8·i (binary32 values NaN-boxed). */
export const FREGS_OFF = 0x400;

/** Direct-mapped TLBs: kind (read, write, fetch) × privilege (0 U, 1 S, 2 never filled, 3 M) × entries. */
export const TLB_ENTRIES = 256;
export const TLB_KINDS = 3;
export const TLB_SETS = TLB_KINDS * 4;
/**
 * Tags: i32 bits 31:12 of the virtual address per entry, then i32 bits 63:32 per entry (0x40000000 =
 * empty: no TLB entry ever has that upper word).
 */
export const TLB_TAG_OFF = 0x1000;
/** Data: i32 per entry, byte offset in this memory of the guest page the entry maps. */
export const TLB_DATA_OFF = TLB_TAG_OFF + TLB_SETS * TLB_ENTRIES * 8;
export const TLB_END = TLB_DATA_OFF + TLB_SETS * TLB_ENTRIES * 4;

/** The boot ROM's 4 KiB page (guest physical 0x1000) and guest RAM. */
export const ROM_OFF = 0x80000;
export const RAM_OFF = 0x100000;

export const KIND_READ = 0;
export const KIND_WRITE = 1;
export const KIND_FETCH = 2;

/**
 * The WebAssembly translation tier (emulator/jit/): its control words and its lookup cache, in the free
 * space between the TLBs and the boot ROM. JIT_PC: the pc a translated block leaves (i64); JIT_LEFT:
 * instructions the tier may still retire in this chunk (i32). The cache is direct-mapped by pc: entries
 * of 16 bytes {pc low word, pc high word, memory offset of the code's page, table index of the block}.
 */
export const JIT_PC_OFF = 0xa000;
export const JIT_LEFT_OFF = 0xa008;
/**
 * The commit log of logging blocks (a cycle model observes the run; emulator/jit/translate.ts gives the
 * record format): JIT_LOG_PTR is the i32 offset of its next free byte, the log itself fills
 * [JIT_LOG_OFF, JIT_LOG_END), the free space between the lookup cache and the boot ROM.
 */
export const JIT_LOG_PTR_OFF = 0xa00c;
export const JIT_CACHE_OFF = 0x10000;
export const JIT_CACHE_ENTRIES = 8192;
export const JIT_CACHE_END = JIT_CACHE_OFF + 16 * JIT_CACHE_ENTRIES;
export const JIT_LOG_OFF = JIT_CACHE_END;
export const JIT_LOG_END = ROM_OFF;
/** The privilege the tier runs in (i32, written before each dispatch; only read by profiling blocks). */
export const JIT_PRIV_OFF = 0xa010;

/**
 * The watched-page write entries: one per data privilege p (0 U, 1 S, 3 M) at WATCH_TLB_OFF + 16·p, the
 * words { tag bits 31:12, tag bits 63:32 (0x40000000 = empty), memory offset of the page | offset of the
 * watched doubleword in it, unused }. The page holding HTIF's `tohost` gets no write-TLB entry (a store
 * to tohost must reach HTIF at once), but one here: a store that misses the write TLB, hits this entry,
 * is naturally aligned and does not touch the watched doubleword goes straight to memory (interpreter
 * and translated blocks alike), so data that shares tohost's page is stored at full speed. Emptied with
 * the TLB (HartState.flushTlb); filled by the MMU (mmu.ts translate).
 */
export const WATCH_TLB_OFF = 0xa040;
export const WATCH_TLB_END = WATCH_TLB_OFF + 16 * 4;

/**
 * Profiling counters of the tier (`rvx profile` on the ideal core, emulator/jit/tier.ts JitProfile): an
 * i64 per table index (1..JIT_PROF_BLOCKS) and privilege (0..3) at JIT_PROF_OFF + 32·index + 8·priv,
 * the instructions the block retired in that mode. They sit in the free space after the boot ROM's page
 * (the commit log owns everything between the lookup cache and the ROM).
 */
export const JIT_PROF_OFF = 0xc0000;
export const JIT_PROF_BLOCKS = 4095;
export const JIT_PROF_END = JIT_PROF_OFF + 32 * (JIT_PROF_BLOCKS + 1);

/**
 * A cycle model's replay of the commit log in WebAssembly (emulator/timing/rocket-wasm.ts). Its state
 * (caches, TLBs, predictor, scoreboard, counters: emulator/timing/state.ts) sits in
 * [MODEL_STATE_OFF, MODEL_STATE_END), the free space after the profiling counters. An i32 per table
 * index of the translation tier (1..MODEL_PLAN_BLOCKS) at MODEL_PLAN_INDEX_OFF + 4·index says whether
 * the model has pass code for that index's block (1) or not yet (0 or below: minus the passes it replayed
 * in JavaScript). The tier clears an index's word when it gives the index to a new block, and all of
 * them when it drops every block.
 */
export const MODEL_PLAN_INDEX_OFF = 0x81000;
export const MODEL_PLAN_BLOCKS = 4096;
/**
 * Per table index with pass code, two f64 for a profiler's replay (rocket-wasm.ts replayRange): the start
 * of the function the block's first pc is in, and how many of its first instructions lie in that function
 * (NaN and 0 until the profiler has looked: rocket-replay.ts replayLogByPass).
 */
export const MODEL_PLAN_RANGE_OFF = 0x86000;
export const MODEL_PLAN_RANGE_END = MODEL_PLAN_RANGE_OFF + 16 * (MODEL_PLAN_BLOCKS + 1);
if (MODEL_PLAN_RANGE_OFF < MODEL_PLAN_INDEX_OFF + 4 * (MODEL_PLAN_BLOCKS + 1) || MODEL_PLAN_RANGE_END > JIT_PROF_OFF) throw new Error('layout: MODEL_PLAN_RANGE overlaps');
export const MODEL_STATE_OFF = JIT_PROF_END;
export const MODEL_STATE_END = RAM_OFF;
