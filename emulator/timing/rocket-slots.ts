// Numbering shared by the Rocket model (rocket.ts) and its WebAssembly replay (rocket-replay.ts,
// rocket-wasm.ts): stall categories and the slots of the model's scalar array.

/** Stall categories, in the order of CoreModel.lastStalls and CoreStats.stalls. */
export const STALL_NAMES = [
  'icache', 'itlb', 'dcache', 'dtlb', 'uncached', 'load-use', 'muldiv', 'mispredict', 'flush', 'trap', 'xpc',
] as const;
export type StallName = (typeof STALL_NAMES)[number];
export const S_ICACHE = 0;
export const S_ITLB = 1;
export const S_DCACHE = 2;
export const S_DTLB = 3;
export const S_UNCACHED = 4;
export const S_LOAD_USE = 5;
export const S_MULDIV = 6;
export const S_MISPREDICT = 7;
export const S_FLUSH = 8;
export const S_TRAP = 9;
export const S_XPC = 10;
export const N_STALLS = STALL_NAMES.length;

/**
 * The model's scalars, slots of RocketModel.sv (a Float64Array in its state region, state.ts), where the
 * WebAssembly replay (rocket-wasm.ts) reads and writes them too. Times are cycles, line and page numbers
 * integers or NaN (none), fencePending 0 or 1.
 */
export const SV_NOW = 0;
export const SV_FETCH_AHEAD_BYTES = 1;
export const SV_MD_FREE = 2;
export const SV_LAST_FETCH_LINE = 3;
export const SV_LAST_FETCH_PAGE = 4;
export const SV_LAST_CACHEABLE_LINE = 5;
export const SV_LAST_STORE_WORD = 6;
export const SV_LAST_STORE_ISSUE = 7;
export const SV_DCACHE_IDLE_ISSUE = 8;
export const SV_PENDING_FETCH_LINE = 9;
export const SV_PENDING_FETCH_READY = 10;
export const SV_PORT_BUSY_UNTIL = 11;
export const SV_FENCE_PENDING = 12;
export const SV_ASID = 13;
export const SV_INSTRUCTIONS = 14;
export const SV_EV_ICACHE_MISSES = 15;
export const SV_EV_DCACHE_MISSES = 16;
export const SV_EV_ITLB_MISSES = 17;
export const SV_EV_DTLB_MISSES = 18;
export const SV_EV_BRANCHES = 19;
export const SV_EV_MISPREDICTS = 20;
export const SV_EV_FLUSHES = 21;
/** The replay's scalars (rocket-wasm.ts): translation flags, asid tag, where it stopped, the last instruction's cycles and stall mask. */
export const SV_XLATE_FETCH = 22;
export const SV_XLATE_DATA = 23;
export const SV_ASID_TAG = 24;
export const SV_CURSOR = 25;
export const SV_LAST_CYCLES = 26;
export const SV_TOUCHED = 27;
export const SV_COUNT = 28;

/**
 * Per instruction of the pass replayPass last replayed (index j in its block): the cycles it cost, whether
 * any stall category was touched, and then its stall cycles at stalls[j * N_STALLS + category].
 */
export interface PassRecord {
  cycles: Float64Array;
  stalled: Uint8Array;
  stalls: Float64Array;
}

/**
 * A profiler's reader of replayed passes that may take a whole pass as one sum (RocketModel.summarizePasses):
 * a pass over a translated block whose instructions all count towards one entry of its report (one
 * function) is modelled by the WebAssembly replay and reported by its totals; any other pass is modelled
 * by replayPass and reported instruction by instruction.
 */
export interface PassSummarySink {
  /**
   * Whether the pass's k instructions (pcs, in order; retired in mode priv) may be reported as one sum;
   * the entry they count towards becomes the current one.
   */
  summable(pcs: Float64Array, k: number, priv: number): boolean;
  /**
   * The pc range [runStart, runEnd) of the entry summable just made current: a later pass of the same
   * mode whose pcs all lie in it counts towards the same entry, so such passes may be summed together.
   */
  runStart(): number;
  runEnd(): number;
  /** Passes summable allowed (with those in its range): their k instructions' cycles and stall cycles by category (STALL_NAMES). */
  summed(k: number, cycles: number, stalls: Float64Array): void;
  /** A pass modelled instruction by instruction: each one's cycles and stalls in out (recordPasses). */
  each(pcs: Float64Array, k: number, priv: number, out: PassRecord): void;
}
