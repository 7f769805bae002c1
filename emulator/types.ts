// Types shared by the hart, the machine around it, the timing model and the tracer.

/** What `Machine.load` needs from a program (the ELF reader in tools/ produces it). */
export interface LoadableProgram {
  /** Physical placement of each PT_LOAD segment (paddr), its file bytes and its size in memory. */
  segments: { paddr: number; data: Uint8Array; memsz: number }[];
  entry: number;
  /** Physical addresses of the HTIF words, when the ELF defines `tohost`/`fromhost`. */
  tohost?: number;
  fromhost?: number;
}

/** Why `Machine.run` returned. */
export type RunResult =
  /** The program wrote (code << 1) | 1 to tohost (or asked for exit through the syscall proxy). */
  | { reason: 'exit'; code: number }
  /** The instruction limit was reached. */
  | { reason: 'limit' }
  /** The hart is stuck: the same trap taken repeatedly with no progress (message says which). */
  | { reason: 'trap-loop'; message: string }
  /** The hart cannot go on (no trap vector, ...): message names pc, raw bits and disassembly. */
  | { reason: 'fatal'; message: string };

/** Memory access kinds in a commit record. */
export const MEM_NONE = 0;
export const MEM_LOAD = 1;
export const MEM_STORE = 2;
/** AMO / SC: a load and a store of the same address. */
export const MEM_AMO = 3;

/**
 * XPC engine activity in a commit record (`xpcEvent` bits, docs/xpc.md §7). The first four say which XPC
 * instruction it was; the others say what the engine did, so a timing model can charge each step. A
 * faulting xcall/xret/swapseg reports the steps it performed before the fault.
 */
export const XPC_EV_XCALL = 1 << 0;
export const XPC_EV_XRET = 1 << 1;
export const XPC_EV_SWAPSEG = 1 << 2;
export const XPC_EV_PREFETCH = 1 << 3;
/** The capability-bitmap byte at `xpcCapPa` was read. */
export const XPC_EV_CAP_READ = 1 << 4;
/** The x-entry at `xpcEntryPa` was read (xcall) or named for the engine cache (xprefetch). */
export const XPC_EV_ENTRY_READ = 1 << 5;
/** A linkage record was written at `xpcLinkPa` (xcall). */
export const XPC_EV_LINK_PUSH = 1 << 6;
/** The linkage record at `xpcLinkPa` was read and its valid bit cleared (xret). */
export const XPC_EV_LINK_POP = 1 << 7;
/** satp was switched (the new value is also in the record's CSR writes). */
export const XPC_EV_SATP_SWITCH = 1 << 8;
/** The seg-list entry at `xpcSegListPa` was read and written (swapseg). */
export const XPC_EV_SEGLIST = 1 << 9;
/** A CSR read of xcaller read the linkage record at `xpcLinkPa` (its flags word, then its caller word). */
export const XPC_EV_LINK_READ = 1 << 10;

/**
 * One retired (or trapping) instruction as seen by an observer (tracer, timing model). The hart reuses
 * a single record object and overwrites it for every instruction: observers copy what they keep.
 */
export interface CommitRecord {
  /** Sequence number (instret before this instruction). */
  step: number;
  /** Privilege mode the instruction executed in: 0 U, 1 S, 3 M. */
  priv: number;
  /** Sign-extended virtual pc (a JS number: below 2^53 in magnitude). */
  pc: number;
  /** Instruction bits (low 16 bits for compressed instructions). */
  raw: number;
  size: 2 | 4;
  /** InstrDef.id of the instruction as encoded (compressed rows keep their own id). */
  opId: number;
  /** Register written (1..31), or -1 when none (writes to x0 are not reported). */
  rd: number;
  rdValue: bigint;
  /**
   * Floating-point register written (0..31; F/D loads and computational instructions), or -1 / absent
   * when none; its whole 64-bit value (binary32 results NaN-boxed) in frdValue.
   */
  frd?: number;
  frdValue?: bigint;
  /** CSR writes performed, in order (numbers and new values); count in csrWriteCount. */
  csrWriteCount: number;
  csrWriteNum: number[];
  csrWriteValue: bigint[];
  /** Memory access (MEM_*), virtual and physical address, size in bytes, value stored or loaded. */
  memKind: number;
  memVaddr: number;
  memPaddr: number;
  memSize: number;
  memValue: bigint;
  /** For branches and jumps: whether control went elsewhere than pc + size. */
  taken: boolean;
  /** pc of the next instruction (the trap vector when trapped). */
  nextPc: number;
  /** The instruction raised an exception (it did not retire) or an interrupt was taken before it. */
  trapped: boolean;
  trapCause: bigint;
  trapTval: bigint;
  /** Translation events during this instruction, for the timing model: page-table levels walked. */
  walkLevels: number;
  /**
   * Values of rs1 and rs2 as the instruction read them (0n when it has no such operand). The timing
   * model needs them for the divider's early out (operand magnitudes) and sfence.vma's address/ASID.
   */
  rs1Value: bigint;
  rs2Value: bigint;
  /** Physical address of the instruction's first byte (equals pc when fetch is not translated). */
  fetchPaddr: number;
  /** Which accesses of this instruction went through Sv39 translation: XLATE_FETCH | XLATE_DATA bits. */
  xlate: number;
  /**
   * XPC engine steps of this instruction (XPC_EV_* bits; 0 for every non-XPC instruction) and the
   * physical addresses they touched, each valid only with its bit. Filled by emulator/xpc/.
   */
  xpcEvent: number;
  xpcCapPa: number;
  xpcEntryPa: number;
  xpcLinkPa: number;
  xpcSegListPa: number;
  /**
   * Set by a timing observer for a read of cycle/mcycle: the cycles of this instruction that precede its
   * read (its own fetch and operand stalls), which the observer has also added to `rdValue`; the machine
   * then writes `rdValue` to rd, so a counter read includes the reading instruction's stalls
   * (docs/cycle-model.md, "Counter reads") and observers after it see the value the register gets.
   * 0 otherwise.
   */
  counterReadOffset?: number;
  /**
   * The other IPC mechanisms' steps (docs/mechanisms.md; bits of emulator/mech/events.ts, 0 for every
   * other instruction) and the physical address of the record or list entry they touched.
   */
  mechEvent: number;
  mechPa: number;
}

/** CommitRecord.xlate bits. */
export const XLATE_FETCH = 1;
export const XLATE_DATA = 2;
/**
 * The data access was translated by the XPC relay segment (docs/xpc.md §4), not by the page tables:
 * no TLB is looked up or walked for it.
 */
export const XLATE_RELAY = 4;

/**
 * What the timing model may read from the machine to walk page tables the way the hardware walker would
 * (its TLBs are its own, so it walks on its own misses): the current satp and 8-byte physical reads,
 * without side effects (no A/D updates). `undefined` for an address that is not memory.
 */
export interface PageTableReader {
  satp(): bigint;
  readPhys64(paddr: number): bigint | undefined;
}

/**
 * An observer of retired instructions. Returns the cycles the instruction costs (>= 1); the hart adds
 * them to mcycle, so `cycle` reads modelled time. With no observer, every instruction costs 1 cycle.
 */
export type CommitObserver = ((rec: CommitRecord) => number) & {
  /**
   * The observer reads only what translated blocks reproduce from their commit log (docs/machine.md,
   * "Translated blocks under a cycle model"): for an instruction that retires inside a block it gets
   * step, priv, pc, raw, size, opId, rd (not its value), the memory access without its value, taken,
   * nextPc, fetchPaddr, xlate, and rs1Value/rs2Value of multiplies and divides only. Such an observer
   * (the timing model) lets the machine run hot code translated on the 'jit' tier; any other observer
   * gets every instruction from the interpreter.
   */
  blockReplay?: boolean;
  /**
   * Optional, for an observer with blockReplay: replays one pass over a translated block straight from
   * its commit log, with the same effect as calling the observer with each of the pass's records in
   * order (jit/replay.ts; tests/jit-rocket-lockstep.test.ts). Returns the cycles beyond one per
   * instruction. Used when nothing else wants the records (not under a trace sink; the profiler reads
   * whole passes instead: tools/commands/program.ts RunControl.passSink).
   */
  replayPass?: (facts: ReplayFacts, k: number, cursor: ReplayCursor) => number;
  /**
   * Optional, for an observer with replayPass: replays the whole commit log of a dispatch at once (the
   * rocket model does it in WebAssembly over its state in the machine's memory: timing/rocket-wasm.ts),
   * with the same effect as replayPass on each of its passes in order. Returns the cycles beyond one per
   * instruction, or -1 when it cannot (nothing done: the caller goes pass by pass).
   */
  replayLog?: (cursor: LogCursor) => number;
};

/** ReplayFacts.ev: what an instruction's commit-log event is. */
export const LOG_EV_NONE = 0;
export const LOG_EV_LOAD = 1;
export const LOG_EV_STORE = 2;
export const LOG_EV_MULDIV = 3;

/**
 * The static facts of a translated block's instructions, in block order (jit/replay.ts BlockFacts), as
 * CommitObserver.replayPass reads them: what a record would carry, plus where each instruction's event
 * sits in a pass's part of the commit log, in bytes from the pass's first event (evOff; evEnd: just past
 * it; both equal for an instruction without one). Events (jit/translate.ts): a load or store
 * { i64 virtual address, i32 memory offset of the bytes, ... }, a multiply or divide { i64 rs1, i64 rs2 }.
 */
export interface ReplayFacts {
  readonly pc: Float64Array;
  readonly fetchPa: Float64Array;
  readonly raw: Uint32Array;
  readonly id: Int32Array;
  readonly size: Uint8Array;
  /** Register written (1..31), -1 when none (as CommitRecord.rd). */
  readonly rd: Int8Array;
  readonly ev: Uint8Array;
  readonly memSize: Uint8Array;
  readonly evOff: Int32Array;
  readonly evEnd: Int32Array;
  /** What the observer derived from these facts for itself (null until it does): kept with the block. */
  plan: object | null;
}

/**
 * Where a replayPass reads the log, and how far it got: before anything that reads memory through the
 * machine (the model's page walker) it sets p (byte offset in m32's memory just past the event of the
 * instruction being replayed) and j (instructions of the pass replayed so far, that one included), so
 * the machine can tell what memory held at that instruction (page tables as they were); at the end, p
 * is past the pass's events and j = k. A memory offset m of an event is the physical
 * address m + ramBias at or above ramSplit, m + romBias below. xlateFetch/xlateData: the batch's
 * CommitRecord.xlate bits for fetches and for data accesses. passNext: the pc after the pass's last
 * instruction (its record's nextPc).
 */
export interface ReplayCursor {
  readonly m32: Int32Array;
  readonly passNext: number;
  p: number;
  j: number;
  readonly ramSplit: number;
  readonly ramBias: number;
  readonly romBias: number;
  readonly xlateFetch: number;
  readonly xlateData: number;
  /** The privilege the batch ran in (a batch of translated code never changes it). */
  readonly priv: number;
}

/**
 * The commit log of a dispatch as CommitObserver.replayLog reads it: the log is [jit LOG_OFF, end) of
 * `memory`; pass headers are byte offsets in it.
 */
export interface LogCursor extends ReplayCursor {
  readonly memory: WebAssembly.Memory;
  readonly end: number;
  /** The facts of the block of the pass whose header is at `header`. */
  factsAt(header: number): ReplayFacts;
  /**
   * Make the pass at `header` the current one for replayPass: returns its facts; passLength, passNext
   * set, p just past the header, j = 0.
   */
  enterPass(header: number): ReplayFacts;
  readonly passLength: number;
  /**
   * Before a page walk: the instruction being replayed is the j-th (from 1) of the pass at `header` and
   * its event ends at p (what ReplayCursor p and j say, for the machine's storedBefore).
   */
  seek(header: number, j: number, p: number): void;
}
