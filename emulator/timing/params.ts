// Parameters of the in-order core timing model (docs/cycle-model.md gives each one's source), the
// built-in Rocket-like defaults, and validation of user-supplied JSON parameter files.

import type { Replacement } from './cache.js';
import { XPC_TIMING_DEFAULTS, type XpcTimingParams } from './xpc.js';
import { MECH_TIMING_DEFAULTS, type MechTimingParams } from './mech.js';

export interface CacheParams {
  /** Total capacity in bytes. */
  sizeBytes: number;
  ways: number;
  lineBytes: number;
  /** Victim choice: 'random' (Rocket's LFSR, seeded) or 'lru'. */
  replacement: Replacement;
}

export interface TlbParams {
  /** Fully associative entries for 4 KiB pages. */
  entries: number;
  /** Fully associative entries for 2 MiB / 1 GiB superpages. */
  superpageEntries: number;
  /** Consecutive 4 KiB pages one entry covers (rocket-chip nTLBBasePageSectors); 1 = unsectored. */
  sectors: number;
}

/**
 * The XPC engine: the parameters of its cost model (emulator/timing/xpc.ts, docs/xpc.md §7), plus fixed
 * extra cycles per instruction on top of that model (0 by default).
 */
export interface XpcParams extends XpcTimingParams {
  xcall: number;
  xret: number;
  swapseg: number;
  xprefetch: number;
}

export interface CoreParams {
  /** Name shown in reports ('rocket', or the JSON file's `name`). */
  name: string;
  /** Result latency of ld/lw/lwu (and LR, AMO, SC): a dependent instruction issues this many cycles later. */
  loadLatencyWord: number;
  /** Result latency of lb/lbu/lh/lhu (Rocket aligns sub-word loads in an extra stage). */
  loadLatencySubword: number;
  /** Bits the iterative multiplier retires per cycle (rocket-chip MulDivParams.mulUnroll); 0 = a pipelined multiplier of mulLatency. */
  mulUnroll: number;
  /** The iterative multiplier stops once the remaining multiplier bits are zero (MulDivParams.mulEarlyOut). */
  mulEarlyOut: boolean;
  /** The divider skips the quotient bits the operands' magnitudes rule out (MulDivParams.divEarlyOut). */
  divEarlyOut: boolean;
  /** Result latency of a pipelined multiplier (used only when mulUnroll is 0). */
  mulLatency: number;
  /** Result latency of a CSR read: CSR results are not bypassed, the consumer waits until writeback. */
  csrLatency: number;
  /**
   * FPU result latencies (docs/cycle-model.md, "F and D"): the FMA pipes (single, double), the
   * sign-injection/min-max/format-conversion unit, integer-to-FP, FP-to-integer (to an x register),
   * FP loads (to an f register), and the iterative divide/square-root unit (not pipelined: it is
   * busy for its whole latency), single and double.
   */
  fmaLatencyS: number;
  fmaLatencyD: number;
  fpMiscLatency: number;
  fpFromIntLatency: number;
  fpToIntLatency: number;
  fpLoadLatency: number;
  fdivLatencyS: number;
  fdivLatencyD: number;
  /** Branch predictor. */
  bhtEntries: number;
  /** Bits per BHT counter (Rocket: 1). */
  bhtCounterBits: number;
  /** Global history outcomes kept, and how many hashed bits of it enter the BHT index. */
  bhtHistoryLength: number;
  bhtHistoryBits: number;
  btbEntries: number;
  rasEntries: number;
  mispredictPenalty: number;
  /** Bubbles when the fetch stage's predecoder redirects a BTB miss (a jal, a return, a branch the BHT says taken). */
  decodeRedirectPenalty: number;
  /** Dead cycles after a trap is taken (redirect from writeback). */
  trapPenalty: number;
  /** Dead cycles after mret/sret. */
  xretPenalty: number;
  /** Dead cycles after a CSR write that flushes the pipeline (everything but the scratch/epc/cause/tval CSRs). */
  csrFlushPenalty: number;
  /** Dead cycles after sfence.vma (besides flushing the TLBs and the PTE cache). */
  sfencePenalty: number;
  /** Dead cycles after fence.i (besides invalidating the I-cache). */
  fenceIPenalty: number;
  itlb: TlbParams;
  dtlb: TlbParams;
  /** Tag TLB entries with satp.ASID; when false, a satp write flushes both TLBs. */
  asidTagging: boolean;
  /** Non-leaf PTEs kept by the page-table walker (0 disables the PTE cache). */
  pteCacheEntries: number;
  /** Cycles of one PTE read that hits the D-cache: the walker's s_req, s_wait1, s_wait2 (a miss adds the refill). */
  walkAccessCycles: number;
  /** Cycles of a walk step whose non-leaf PTE hits the PTE cache. */
  pteCacheHitCycles: number;
  /** Cycles to hand a walk's result to the TLB and restart the access (refill write, response). */
  walkFinishCycles: number;
  /** Cycles a nacked memory instruction loses to its replay from writeback (D-TLB miss, D-cache miss, store-load hazard). */
  replayPenalty: number;
  /** A load within this many cycles of a store to the same 8-byte word is nacked and replayed (0: no hazard). */
  storeLoadWindow: number;
  icache: CacheParams;
  dcache: CacheParams;
  /** Cycles from an L1 refill request to the first beat of data (the memory system behind the core). */
  missLatency: number;
  /** Width of the refill/write-back path in bytes: a line moves in lineBytes / busBytes beats. */
  busBytes: number;
  /** Extra cycles of an I-cache refill beyond request + beats (the fetch restarts after the refill). */
  icacheRefillExtra: number;
  /** Bytes the front end fetches per cycle (I-cache fetch packet). */
  fetchBytes: number;
  /** Bytes the fetch queue can hold ahead of decode; their instructions hide part of a later I-cache/I-TLB miss. */
  fetchQueueBytes: number;
  /** Extra cycles of a store miss beyond a load miss (the store data is merged after the refill). */
  storeMissExtra: number;
  /** Cycles a dirty victim's write-back adds beyond its beats (the release's acknowledgement). */
  writebackExtra: number;
  /** Physical ranges the L1 caches hold; other addresses (devices) cost uncachedLatency per access. */
  cacheable: { base: number; size: number }[];
  uncachedLatency: number;
  xpc: XpcParams;
  /** The call-gate and address-space-list cost model (emulator/timing/mech.ts, docs/mechanisms.md §1.6, §3.4). */
  mech: MechTimingParams;
}

/** rocket-chip DefaultConfig core with its RTL emulator's memory (docs/cycle-model.md gives each source). */
export const ROCKET_PARAMS: Readonly<CoreParams> = Object.freeze({
  name: 'rocket',
  loadLatencyWord: 2,
  loadLatencySubword: 3,
  mulUnroll: 8,
  mulEarlyOut: true,
  divEarlyOut: true,
  mulLatency: 4,
  csrLatency: 3,
  fmaLatencyS: 3,
  fmaLatencyD: 4,
  fpMiscLatency: 2,
  fpFromIntLatency: 2,
  fpToIntLatency: 2,
  fpLoadLatency: 3,
  fdivLatencyS: 27,
  fdivLatencyD: 56,
  bhtEntries: 512,
  bhtCounterBits: 1,
  bhtHistoryLength: 8,
  bhtHistoryBits: 3,
  btbEntries: 28,
  rasEntries: 6,
  mispredictPenalty: 4,
  decodeRedirectPenalty: 2,
  trapPenalty: 4,
  xretPenalty: 4,
  csrFlushPenalty: 4,
  sfencePenalty: 6,
  fenceIPenalty: 4,
  itlb: Object.freeze({ entries: 32, superpageEntries: 4, sectors: 4 }),
  dtlb: Object.freeze({ entries: 32, superpageEntries: 4, sectors: 4 }),
  asidTagging: false,
  pteCacheEntries: 8,
  walkAccessCycles: 3,
  pteCacheHitCycles: 1,
  walkFinishCycles: 2,
  replayPenalty: 5,
  storeLoadWindow: 2,
  icache: Object.freeze({ sizeBytes: 16384, ways: 4, lineBytes: 64, replacement: 'random' as Replacement }),
  dcache: Object.freeze({ sizeBytes: 16384, ways: 4, lineBytes: 64, replacement: 'random' as Replacement }),
  missLatency: 5,
  busBytes: 8,
  icacheRefillExtra: 10,
  fetchBytes: 4,
  fetchQueueBytes: 16,
  storeMissExtra: 2,
  writebackExtra: 6,
  cacheable: Object.freeze([Object.freeze({ base: 0x80000000, size: 0x80000000 })]) as unknown as { base: number; size: number }[],
  uncachedLatency: 30,
  xpc: Object.freeze({ ...XPC_TIMING_DEFAULTS, xcall: 0, xret: 0, swapseg: 0, xprefetch: 0 }),
  mech: Object.freeze({ ...MECH_TIMING_DEFAULTS }),
}) as CoreParams;

/** A bad parameter file: the message names the file and the offending key. */
export class CoreParamsError extends Error {}

const INT_KEYS = [
  'loadLatencyWord', 'loadLatencySubword', 'mulUnroll', 'mulLatency', 'csrLatency', 'fmaLatencyS', 'fmaLatencyD', 'fpMiscLatency',
  'fpFromIntLatency', 'fpToIntLatency', 'fpLoadLatency', 'fdivLatencyS', 'fdivLatencyD', 'bhtEntries', 'bhtCounterBits',
  'bhtHistoryLength', 'bhtHistoryBits', 'btbEntries', 'rasEntries',
  'mispredictPenalty', 'decodeRedirectPenalty', 'trapPenalty', 'xretPenalty', 'csrFlushPenalty', 'sfencePenalty', 'fenceIPenalty',
  'pteCacheEntries', 'walkAccessCycles', 'pteCacheHitCycles', 'walkFinishCycles', 'replayPenalty', 'storeLoadWindow',
  'missLatency', 'busBytes', 'icacheRefillExtra', 'fetchBytes', 'fetchQueueBytes', 'storeMissExtra', 'writebackExtra', 'uncachedLatency',
] as const;
const BOOL_KEYS = ['asidTagging', 'mulEarlyOut', 'divEarlyOut'] as const;

/** Keys whose value must be at least 1 (latencies of results; sizes of predictor tables may be 0). */
const MIN_ONE = new Set<string>(['loadLatencyWord', 'loadLatencySubword', 'mulLatency', 'csrLatency', 'walkAccessCycles', 'busBytes', 'bhtCounterBits', 'fetchBytes']);

function isPow2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function cloneParams(p: CoreParams): CoreParams {
  return {
    ...p,
    itlb: { ...p.itlb },
    dtlb: { ...p.dtlb },
    icache: { ...p.icache },
    dcache: { ...p.dcache },
    cacheable: p.cacheable.map((r) => ({ ...r })),
    xpc: { ...p.xpc },
    mech: { ...MECH_TIMING_DEFAULTS, ...p.mech },
  };
}

/**
 * Parameters from a JSON value: every key optional, starting from the Rocket defaults (or from `base`
 * when the JSON says `"base": "rocket"`, the only base there is). Unknown keys and bad values are
 * errors, reported with `source` (the file name) and the key path.
 */
export function parseCoreParams(json: unknown, source = 'core parameters'): CoreParams {
  const fail = (path: string, msg: string): never => {
    throw new CoreParamsError(`${source}: ${path ? `'${path}' ` : ''}${msg}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('', 'must be a JSON object');
  const obj = json as Record<string, unknown>;
  const out = cloneParams(ROCKET_PARAMS);
  out.name = source;
  const int = (path: string, v: unknown, min: number, max = 1e9): number => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return fail(path, `must be an integer (got ${JSON.stringify(v)})`);
    if (v < min || v > max) return fail(path, `must be between ${min} and ${max} (got ${v})`);
    return v;
  };
  const sub = (path: string, v: unknown, keys: string[]): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(path, 'must be a JSON object');
    for (const k of Object.keys(v)) if (!keys.includes(k)) fail(`${path}.${k}`, `is not a parameter (expected one of ${keys.join(', ')})`);
    return v as Record<string, unknown>;
  };
  const known = new Set<string>([...INT_KEYS, ...BOOL_KEYS, 'name', 'base', 'itlb', 'dtlb', 'icache', 'dcache', 'cacheable', 'xpc', 'mech', '$comment']);
  for (const k of Object.keys(obj)) if (!known.has(k)) fail(k, `is not a parameter (known: ${[...known].filter((x) => x !== '$comment').join(', ')})`);
  if ('base' in obj && obj.base !== 'rocket') fail('base', `must be "rocket" (got ${JSON.stringify(obj.base)})`);
  if ('name' in obj) {
    if (typeof obj.name !== 'string' || obj.name === '') fail('name', 'must be a non-empty string');
    out.name = obj.name as string;
  }
  for (const k of INT_KEYS) if (k in obj) out[k] = int(k, obj[k], MIN_ONE.has(k) ? 1 : 0, 100000);
  if (out.bhtEntries > 0 && !isPow2(out.bhtEntries)) fail('bhtEntries', `must be 0 or a power of two (got ${out.bhtEntries})`);
  if (out.bhtCounterBits > 2) fail('bhtCounterBits', `must be 1 or 2 (got ${out.bhtCounterBits})`);
  if (out.bhtHistoryLength > 16) fail('bhtHistoryLength', `must be at most 16 (got ${out.bhtHistoryLength})`);
  if (out.bhtHistoryBits > out.bhtHistoryLength || (out.bhtEntries > 0 && 2 ** out.bhtHistoryBits > out.bhtEntries)) {
    fail('bhtHistoryBits', `must be at most bhtHistoryLength and log2(bhtEntries) (got ${out.bhtHistoryBits})`);
  }
  if (out.mulUnroll !== 0 && (!isPow2(out.mulUnroll) || out.mulUnroll > 64)) fail('mulUnroll', `must be 0 or a power of two up to 64 (got ${out.mulUnroll})`);
  if (!isPow2(out.busBytes)) fail('busBytes', `must be a power of two (got ${out.busBytes})`);
  for (const k of BOOL_KEYS) {
    if (!(k in obj)) continue;
    if (typeof obj[k] !== 'boolean') fail(k, 'must be true or false');
    out[k] = obj[k] as boolean;
  }
  for (const t of ['itlb', 'dtlb'] as const) {
    if (!(t in obj)) continue;
    const o = sub(t, obj[t], ['entries', 'superpageEntries', 'sectors']);
    if ('entries' in o) out[t].entries = int(`${t}.entries`, o.entries, 1, 4096);
    if ('superpageEntries' in o) out[t].superpageEntries = int(`${t}.superpageEntries`, o.superpageEntries, 0, 4096);
    if ('sectors' in o) out[t].sectors = int(`${t}.sectors`, o.sectors, 1, 8);
  }
  for (const c of ['icache', 'dcache'] as const) {
    if (!(c in obj)) continue;
    const o = sub(c, obj[c], ['sizeBytes', 'ways', 'lineBytes', 'replacement']);
    if ('replacement' in o) {
      if (o.replacement !== 'random' && o.replacement !== 'lru') fail(`${c}.replacement`, `must be "random" or "lru" (got ${JSON.stringify(o.replacement)})`);
      out[c].replacement = o.replacement as Replacement;
    }
    if ('sizeBytes' in o) out[c].sizeBytes = int(`${c}.sizeBytes`, o.sizeBytes, 64, 1 << 30);
    if ('ways' in o) out[c].ways = int(`${c}.ways`, o.ways, 1, 1024);
    if ('lineBytes' in o) out[c].lineBytes = int(`${c}.lineBytes`, o.lineBytes, 4, 4096);
    const { sizeBytes, ways, lineBytes } = out[c];
    if (!isPow2(lineBytes)) fail(`${c}.lineBytes`, `must be a power of two (got ${lineBytes})`);
    if (sizeBytes % (ways * lineBytes) !== 0 || !isPow2(sizeBytes / (ways * lineBytes))) {
      fail(c, `sizeBytes / (ways * lineBytes) must be a power-of-two number of sets (got ${sizeBytes} / (${ways} * ${lineBytes}))`);
    }
  }
  if ('cacheable' in obj) {
    const v = obj.cacheable;
    if (!Array.isArray(v)) fail('cacheable', 'must be an array of {"base", "size"} ranges');
    out.cacheable = (v as unknown[]).map((r, i) => {
      const o = sub(`cacheable[${i}]`, r, ['base', 'size']);
      const num = (k: string): number => {
        const x = o[k];
        const n = typeof x === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(x) ? Number(x) : x;
        if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return fail(`cacheable[${i}].${k}`, 'must be a non-negative integer or a "0x..." string');
        return n;
      };
      return { base: num('base'), size: num('size') };
    });
  }
  if ('xpc' in obj) {
    const o = sub('xpc', obj.xpc, ['xcall', 'xret', 'swapseg', 'xprefetch', 'entryCacheEntries', 'linkPushBlocking', 'portBytes',
      'linkRecordBytes', 'segMaskFlush']);
    for (const k of ['xcall', 'xret', 'swapseg', 'xprefetch'] as const) if (k in o) out.xpc[k] = int(`xpc.${k}`, o[k], 0, 100000);
    if ('entryCacheEntries' in o) out.xpc.entryCacheEntries = int('xpc.entryCacheEntries', o.entryCacheEntries, 0, 4096);
    if ('portBytes' in o) out.xpc.portBytes = int('xpc.portBytes', o.portBytes, 1, 4096);
    if ('linkRecordBytes' in o) out.xpc.linkRecordBytes = int('xpc.linkRecordBytes', o.linkRecordBytes, 8, 4096);
    for (const k of ['linkPushBlocking', 'segMaskFlush'] as const) {
      if (!(k in o)) continue;
      if (typeof o[k] !== 'boolean') fail(`xpc.${k}`, 'must be true or false');
      out.xpc[k] = o[k] as boolean;
    }
  }
  if ('mech' in obj) {
    const o = sub('mech', obj.mech, ['gateLookup', 'gatePushBlocking', 'portBytes', 'gateRecordBytes', 'aslEntryBytes']);
    if ('gateLookup' in o) out.mech.gateLookup = int('mech.gateLookup', o.gateLookup, 0, 100000);
    if ('portBytes' in o) out.mech.portBytes = int('mech.portBytes', o.portBytes, 1, 4096);
    if ('gateRecordBytes' in o) out.mech.gateRecordBytes = int('mech.gateRecordBytes', o.gateRecordBytes, 8, 4096);
    if ('aslEntryBytes' in o) out.mech.aslEntryBytes = int('mech.aslEntryBytes', o.aslEntryBytes, 8, 4096);
    if ('gatePushBlocking' in o) {
      if (typeof o.gatePushBlocking !== 'boolean') fail('mech.gatePushBlocking', 'must be true or false');
      out.mech.gatePushBlocking = o.gatePushBlocking as boolean;
    }
  }
  return out;
}

/** A mutable copy of the Rocket defaults. */
export function rocketParams(): CoreParams {
  return cloneParams(ROCKET_PARAMS);
}
