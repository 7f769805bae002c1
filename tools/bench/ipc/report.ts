// The IPC benchmark's result: turning the runs into the report object (what bench/results/ipc.json
// keeps) and the terminal table. Every number in the report comes from the runs; the published
// figures it is compared with live in PUBLISHED and are printed beside the measurements, never mixed
// into the JSON.

import type { Mech, Workload } from '../../../kernel-images/bench/index.js';
import { STALL_NAMES, type CoreParams } from '../../../emulator/timing/index.js';
import { EVENT_NAMES, PHASES, type ImageRun, type Pass, type Sample } from './run.js';

/**
 * What is compared: each mechanism in two variants. `kernel`: rvx's minimal fastpath; `kernel-sel4`: the
 * sel4 kernel flavour (seL4's RISC-V fastpath check by check, kernel/fastpath-sel4.ts); `xpc`: callers
 * that trust the callee with their registers; `xpc-isolated`: callers that save and scrub them.
 */
export const SERIES = {
  kernel: { mech: 'kernel', flavour: 'minimal', isolated: false, label: 'kernel, minimal fastpath' },
  'kernel-sel4': { mech: 'kernel', flavour: 'sel4', isolated: false, label: 'kernel, seL4 fastpath' },
  xpc: { mech: 'xpc', flavour: undefined, isolated: false, label: 'XPC, trusting caller' },
  'xpc-isolated': { mech: 'xpc', flavour: undefined, isolated: true, label: 'XPC, isolated caller' },
  gate: { mech: 'gate', flavour: undefined, isolated: false, label: 'call gates, trusting caller' },
  'gate-isolated': { mech: 'gate', flavour: undefined, isolated: true, label: 'call gates, isolated caller' },
  asl: { mech: 'asl', flavour: undefined, isolated: false, label: 'address-space lists, trusting caller' },
  'asl-isolated': { mech: 'asl', flavour: undefined, isolated: true, label: 'address-space lists, isolated caller' },
  pkey: { mech: 'pkey', flavour: undefined, isolated: false, label: 'protection-key domains in one process' },
} as const satisfies Record<string, { mech: Mech; flavour: 'minimal' | 'sel4' | undefined; isolated: boolean; label: string }>;
export type SeriesName = keyof typeof SERIES;

/**
 * XPC with one of its parts taken away: parameters of the XPC cost model (docs/xpc.md §7), or, for
 * `relay-by-copy`, the round-trip server copying the message instead of using the segment it is handed.
 */
export const ABLATIONS: { name: string; description: string; core: (c: CoreParams) => CoreParams; copyRelay?: boolean }[] = [
  { name: 'no-engine-cache', description: 'every xcall reads its x-entry from memory (xpc.entryCacheEntries 0)',
    core: (c) => ({ ...c, xpc: { ...c.xpc, entryCacheEntries: 0 } }) },
  { name: 'blocking-push', description: 'the linkage-record push stalls until written (xpc.linkPushBlocking)',
    core: (c) => ({ ...c, xpc: { ...c.xpc, linkPushBlocking: true } }) },
  { name: 'narrow-port', description: 'the engine moves 4 bytes per cycle instead of 8 (xpc.portBytes 4)',
    core: (c) => ({ ...c, xpc: { ...c.xpc, portBytes: 4 } }) },
  { name: 'record-256', description: 'a linkage record twice as large, 256 bytes (xpc.linkRecordBytes)',
    core: (c) => ({ ...c, xpc: { ...c.xpc, linkRecordBytes: 256 } }) },
  { name: 'record-64', description: 'a 64-byte linkage record: no room for the relay-segment state (xpc.linkRecordBytes)',
    core: (c) => ({ ...c, xpc: { ...c.xpc, linkRecordBytes: 64 } }) },
  { name: 'relay-by-copy', description: 'the server copies the message out of the relay segment and its reply back in',
    core: (c) => c, copyRelay: true },
  { name: 'seg-mask-no-flush', description: 'a seg-mask CSR write does not flush the pipeline (xpc.segMaskFlush false)',
    core: (c) => ({ ...c, xpc: { ...c.xpc, segMaskFlush: false } }) },
];

/** One sweep or ablation point: the one-way calls and round trips of one image. */
export interface PointResult {
  name: string;
  bytes: number;
  median: number;
  instructions: number;
}

export interface SweepResult {
  param: string;
  values: (number | boolean | string)[];
  /** Per series, per value (in the order of `values`): its one-way calls and round trips. */
  series: Partial<Record<SeriesName, PointResult[][]>>;
}

/**
 * The XPC paper's categories for the cost of an IPC (Du et al., "XPC: Architectural Support for Secure
 * and Efficient Cross Process Call", ISCA 2019, section 2: its breakdown of seL4's IPC on a Rocket core;
 * the paper names the last two "process switch" and "message transfer"), as sums of rvx's phases. The XPC instructions' engine steps (capability, x-entry, linkage record, satp) are
 * its "IPC logic".
 */
export const PAPER_CATEGORIES: Record<string, string[]> = {
  'trap + restore': ['trap entry', 'restore'],
  'IPC logic': ['kernel logic', 'xcall', 'xret', 'gcall', 'gret', 'aslswitch', 'trampoline'],
  'address-space switch': ['address-space switch', 'tlb refill'],
  'message copy': ['copy'],
  'user code': ['client', 'handler'],
  interrupt: ['interrupt'],
};
export const PAPER_BREAKDOWN = 'XPC paper (Du et al., ISCA 2019), seL4 on Rocket: trap + restore ~300, IPC logic ~200, ' +
  'address-space switch 150-200, copying 4 KiB ~4010 cycles';

export function paperCategories(phases: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cat, list] of Object.entries(PAPER_CATEGORIES)) {
    const v = list.reduce((a, p) => a + (phases[p] ?? 0), 0);
    if (v !== 0) out[cat] = v;
  }
  return out;
}

export interface WorkloadResult {
  name: string;
  mech: Mech;
  /** Which variant of the mechanism (SERIES). */
  series: SeriesName;
  /** The first run after boot (the first warm-up iteration, traced): cycles. */
  cold?: number;
  /** `phases` summed into the XPC paper's categories (PAPER_CATEGORIES). */
  paper?: Record<string, number>;
  bytes: number;
  cycles: { median: number; min: number; max: number };
  instructions: number;
  /** Phases of the traced iteration (the median run), cycles. */
  phases?: Record<string, number>;
  /** Cycles of the traced iteration (sum of the phases). */
  total?: number;
  /** Instructions retired in the traced iteration. */
  totalInstructions?: number;
  /** Of those, the trusted path's: kernel code, the mechanism's instructions, the ASL trampoline, the pkey gates. */
  trustedInstructions?: number;
  /** TLB and cache effects in the traced iteration: misses and page walks (the core model's counters). */
  events?: Record<(typeof EVENT_NAMES)[number], number>;
  /** Stall cycles inside the phases of the traced iteration, by phase and category (docs/cycle-model.md). */
  stalls?: Record<string, Record<string, number>>;
  requests?: number;
  requestsPerMcycle?: number;
  /** Every measured run (cycles, overhead subtracted). */
  runs: number[];
}

export interface IpcReport {
  benchmark: 'ipc';
  revision: string;
  dirty: boolean;
  date: string;
  core: Record<string, unknown>;
  method: {
    warmup: number;
    runs: number;
    /** Counter overhead per image (minimum over its runs), subtracted from every sample. */
    overhead: Record<string, { cycles: number; instructions: number }>;
  };
  workloads: WorkloadResult[];
  /** Total instructions and cycles the machine ran, per image (boot and everything). */
  images: Record<string, { instructions: number; cycles: number; seconds: number }>;
  sweep?: SweepResult;
  ablations?: { name: string; description: string; results: PointResult[] }[];
  /** The mechanisms measured: what each changes in the kernel and what isolation it gives up (MECHANISMS). */
  mechanisms?: Partial<Record<Mech, MechanismInfo>>;
}

/** Published figures, each with its public source, for the notes and the report page only. */
export const PUBLISHED = {
  sel4Call: 'seL4 call 474-694, reply 654-740 cycles (SiFive U54, sel4bench; sel4.systems/About/Performance)',
  xpcCall: 'XPC one-way call 664 -> 21 cycles (seL4 vs xcall, Rocket on FPGA; Du et al., ISCA 2019, abstract)',
  breakdown: PAPER_BREAKDOWN,
  apps: 'XPC: Sqlite3 1.6x, HTTP server 10x (Du et al., ISCA 2019, abstract)',
};

/** The lower median: an actual run (the traced one), so its trace total can equal it. */
function lowerMedianIndex(values: number[]): number {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return order[(order.length - 1) >> 1][1];
}

export class BenchError extends Error {}

/** Results of one image's workloads. `rename` relabels them (roundtrip -> roundtrip-asid). */
export function summarise(run: ImageRun, workloads: Workload[], warmup: number, series: SeriesName, rename?: (w: Workload) => string): { results: WorkloadResult[]; overhead: { cycles: number; instructions: number } } {
  const ov = run.samples.get(0);
  if (!ov || ov.length === 0) throw new BenchError('no counter-overhead samples');
  const overhead = { cycles: Math.min(...ov.map((s) => s.cycles)), instructions: Math.min(...ov.map((s) => s.instructions)) };
  const results: WorkloadResult[] = [];
  for (const w of workloads) {
    if (w.id === 0) continue;
    const s: Sample[] = run.samples.get(w.id) ?? [];
    if (s.length === 0) throw new BenchError(`workload ${w.name} (${w.mech}, ${w.bytes} bytes): no samples`);
    const cycles = s.map((x) => x.cycles - overhead.cycles);
    const insns = s.map((x) => x.instructions - overhead.instructions);
    const mi = lowerMedianIndex(cycles);
    const r: WorkloadResult = {
      name: rename ? rename(w) : w.name,
      mech: w.mech,
      series,
      bytes: w.bytes,
      cycles: { median: cycles[mi], min: Math.min(...cycles), max: Math.max(...cycles) },
      instructions: insns[mi],
      runs: cycles,
    };
    const passes: Pass[] | undefined = run.passes.get(w.id);
    if (passes) {
      if (passes.length !== warmup + s.length) throw new BenchError(`workload ${w.name} (${w.mech}): ${passes.length} traced passes for ${warmup} warm-up + ${s.length} runs`);
      const p = passes[warmup + mi];
      const phases: Record<string, number> = {};
      PHASES.forEach((name, i) => {
        if (p.phases[i] !== 0) phases[name] = p.phases[i];
      });
      r.phases = phases;
      r.paper = paperCategories(phases);
      r.cold = passes[0].cycles;
      const stalls: Record<string, Record<string, number>> = {};
      PHASES.forEach((name, i) => {
        STALL_NAMES.forEach((cat, k) => {
          const v = p.phaseStalls[i * STALL_NAMES.length + k];
          if (v !== 0) (stalls[name] ??= {})[cat] = v;
        });
      });
      r.stalls = stalls;
      r.total = p.cycles;
      r.totalInstructions = p.instructions;
      r.trustedInstructions = p.trusted;
      r.events = Object.fromEntries(EVENT_NAMES.map((n, k) => [n, p.events[k]])) as WorkloadResult['events'];
    }
    if (w.requests) {
      r.requests = w.requests;
      r.requestsPerMcycle = Math.round((w.requests / r.cycles.median) * 1e6 * 10) / 10;
    }
    results.push(r);
  }
  return { results, overhead };
}

// ---------------------------------------------------------------------------------------------------
// Terminal output

function fmtRatio(a: number, b: number): string {
  if (!(a > 0 && b > 0)) return '-';
  const r = a / b;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}x`;
}

export function find(rep: IpcReport, name: string, series: string, bytes?: number): WorkloadResult | undefined {
  return rep.workloads.find((w) => w.name === name && (w.series ?? w.mech) === series && (bytes === undefined || w.bytes === bytes));
}

/** Words of `text` in lines of at most `width` columns, the first starting with `first`, the rest with `rest`. */
export function wrap(text: string, width = 100, first = '', rest = '  '): string[] {
  const out: string[] = [];
  let line = first;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const pre = line === first || line === rest ? line : line + ' ';
    if (pre.length + word.length > width && line !== first && line !== rest) {
      out.push(line);
      line = rest + word;
    } else line = pre + word;
  }
  if (line.trim() !== '') out.push(line);
  return out;
}

const SHORT: Record<SeriesName, string> = {
  kernel: 'kernel', 'kernel-sel4': 'sel4', xpc: 'xpc', 'xpc-isolated': 'xpc-iso', gate: 'gate', 'gate-isolated': 'gate-iso', asl: 'asl', 'asl-isolated': 'asl-iso', pkey: 'pkey',
};

/** The median table of one group of series (with the like-for-like ratio column when it fits). */
function mainTable(rep: IpcReport, present: SeriesName[], out: string[]): void {
  const keys: { name: string; bytes: number }[] = [];
  for (const w of rep.workloads) {
    if (present.includes(w.series) && !keys.some((k) => k.name === w.name && k.bytes === w.bytes)) keys.push({ name: w.name, bytes: w.bytes });
  }
  const cell = (w: WorkloadResult | undefined) => (w ? `${w.cycles.median}${w.cycles.min === w.cycles.max ? ' ' : '*'}` : '- ');
  // The like-for-like ratio column (kernel-sel4 / xpc-isolated); left out when the series fill the width.
  const ratioOf = present.length > 6 ? [undefined, undefined] as const
    : present.includes('kernel-sel4') && present.includes('xpc-isolated') ? ['kernel-sel4', 'xpc-isolated'] as const
    : [present.find((s) => SERIES[s].mech === 'kernel'), present.find((s) => SERIES[s].mech === 'xpc')] as const;
  const ratio = !!(ratioOf[0] && ratioOf[1]);
  const head = ['workload', 'bytes', ...present.map((s) => SHORT[s]), ...(ratio ? [`${SHORT[ratioOf[0]!]}/${SHORT[ratioOf[1]!]}`] : [])];
  const rows: string[][] = [];
  for (const k of keys) {
    const ws = present.map((s) => rep.workloads.find((w) => w.name === k.name && w.bytes === k.bytes && w.series === s));
    const a = ratioOf[0] && find(rep, k.name, ratioOf[0], k.bytes);
    const b = ratioOf[1] && find(rep, k.name, ratioOf[1], k.bytes);
    rows.push([k.name, String(k.bytes), ...ws.map(cell), ...(ratio ? [a && b ? fmtRatio(a.cycles.median, b.cycles.median) : '-'] : [])]);
    if (ws.some((w) => w?.requestsPerMcycle !== undefined)) {
      rows.push(['  requests/Mcycle', '', ...ws.map((w) => (w?.requestsPerMcycle !== undefined ? `${w.requestsPerMcycle.toFixed(1)} ` : '- ')),
        ...(ratio ? [a?.requestsPerMcycle && b?.requestsPerMcycle ? fmtRatio(b.requestsPerMcycle, a.requestsPerMcycle) : '-'] : [])]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ').trimEnd();
  out.push(line(head));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) out.push(line(r));
}

/** The terminal table: every line fits 100 columns; min/max, instructions and stalls are in the JSON/HTML. */
export function table(rep: IpcReport): string {
  const out: string[] = [];
  const c = rep.core as { name?: string };
  const present = (Object.keys(SERIES) as SeriesName[]).filter((s) => rep.workloads.some((w) => w.series === s));
  out.push(...wrap(`rvx bench ipc (revision ${rep.revision}${rep.dirty ? ', uncommitted changes' : ''}): core ${c.name ?? 'ideal'}; ` +
    `${rep.method.runs} runs after ${rep.method.warmup} warm-up iterations; median cycles between the client's counter reads, ` +
    `counter overhead subtracted; * = the runs differ (min and max in the report). ` +
    present.map((s) => `${SHORT[s]} = ${SERIES[s].label}`).join('; ') + '.', 100, '', ''));
  out.push('');
  // More than six series do not fit 100 columns in one table: kernel IPC and XPC first, the other
  // mechanisms (with XPC again for reference) second.
  const groups = present.length > 6
    ? [present.filter((s) => SERIES[s].mech === 'kernel' || SERIES[s].mech === 'xpc'), present.filter((s) => SERIES[s].mech !== 'kernel')]
    : [present];
  groups.forEach((g, gi) => {
    if (gi > 0) out.push('');
    mainTable(rep, g, out);
  });



  // Hot, first run and polluted.
  const hot = present.map((s) => find(rep, 'roundtrip', s, 0));
  const pol = present.map((s) => find(rep, 'roundtrip-polluted', s, 0));
  if (hot.some((w) => w?.cold !== undefined)) {
    out.push('');
    out.push('0-byte round trip: hot (median), first run after boot, after a cache/TLB-polluting loop:');
    const r3 = [['', ...present.map((s) => SHORT[s])], ['hot', ...hot.map((w) => String(w?.cycles.median ?? '-'))],
      ['first run', ...hot.map((w) => String(w?.cold ?? '-'))], ['polluted', ...pol.map((w) => String(w?.cycles.median ?? '-'))]];
    const hw = present.length > 6 ? 8 : 10;
    for (const r of r3) out.push('  ' + r.map((v, i) => (i === 0 ? v.padEnd(10) : v.padStart(hw))).join(present.length > 6 ? ' ' : '  ').trimEnd());
  }

  // The XPC paper's categories for one 0-byte round trip.
  const traced = present.map((s) => find(rep, 'roundtrip', s, 0)).filter((w): w is WorkloadResult => w?.paper !== undefined);
  if (traced.length > 0) {
    out.push('');
    out.push('One 0-byte round trip in the XPC paper\'s categories (the median run, traced; cycles):');
    const cats = Object.keys(PAPER_CATEGORIES).filter((k) => traced.some((w) => (w.paper![k] ?? 0) !== 0));
    const cw = Math.max(...cats.map((k) => k.length), 'instructions'.length);
    const tw = (w: WorkloadResult) => (traced.length > 6 ? Math.max(7, SHORT[w.series].length + 1) : 10);
    out.push(`  ${''.padEnd(cw)}${traced.map((w) => SHORT[w.series].padStart(tw(w))).join('')}`);
    for (const k of cats) out.push(`  ${k.padEnd(cw)}${traced.map((w) => String(w.paper![k] ?? 0).padStart(tw(w))).join('')}`);
    out.push(`  ${'total'.padEnd(cw)}${traced.map((w) => String(w.total).padStart(tw(w))).join('')}`);
    out.push(`  ${'instructions'.padEnd(cw)}${traced.map((w) => String(w.totalInstructions).padStart(tw(w))).join('')}`);
  }
  // The trusted path and the memory system: the same traced round trips.
  const withEv = traced.filter((w) => w.events !== undefined && w.trustedInstructions !== undefined);
  if (withEv.length > 0) {
    out.push('');
    out.push('The same round trip: trusted-path instructions (kernel, mechanism, trampolines, gates), misses:');
    // Each column one wider than its heading (at least 7 with many series, 8 otherwise), so headings never touch.
    const ew = (w: WorkloadResult) => Math.max(withEv.length > 6 ? 7 : 8, SHORT[w.series].length + 1);
    const rowsE: [string, (w: WorkloadResult) => number][] = [
      ['trusted instructions', (w) => w.trustedInstructions!], ['I-cache misses', (w) => w.events!.icacheMisses], ['D-cache misses', (w) => w.events!.dcacheMisses],
      ['I-TLB misses', (w) => w.events!.itlbMisses], ['D-TLB misses', (w) => w.events!.dtlbMisses], ['page walks', (w) => w.events!.pageWalks],
    ];
    out.push(`  ${''.padEnd(20)}${withEv.map((w) => SHORT[w.series].padStart(ew(w))).join('')}`);
    for (const [n, f] of rowsE) out.push(`  ${n.padEnd(20)}${withEv.map((w) => String(f(w)).padStart(ew(w))).join('')}`);
  }
  if (rep.mechanisms && Object.keys(rep.mechanisms).length > 1) {
    out.push('');
    out.push(...wrap('What each mechanism changes in the kernel and what isolation it gives up, each claim with the test that ' +
      'attacks it: the report page (ipc.html) and docs/mechanisms.md.', 100, '', ''));
  }
  if (rep.sweep) {
    out.push('');
    out.push(`Sweep of ${rep.sweep.param}: 0-byte round trip, median cycles hot / first run after boot`);
    const sw = rep.sweep;
    const ss = Object.keys(sw.series) as SeriesName[];
    const at = (s: SeriesName, i: number, n: string) => String(sw.series[s]![i].find((p) => p.name === n && p.bytes === 0)?.median ?? '-');
    if (ss.length <= 6) {
      out.push(`  ${'value'.padEnd(10)}${ss.map((s) => SHORT[s].padStart(13)).join('')}`);
      sw.values.forEach((v, i) => out.push(`  ${String(v).padEnd(10)}${ss.map((s) => `${at(s, i, 'roundtrip')}/${at(s, i, 'roundtrip-first')}`.padStart(13)).join('')}`));
    } else {
      // many series: one row per series, one column per value
      out.push(`  ${'series'.padEnd(10)}${sw.values.map((v) => String(v).padStart(13)).join('')}`);
      for (const s of ss) out.push(`  ${SHORT[s].padEnd(10)}${sw.values.map((_, i) => `${at(s, i, 'roundtrip')}/${at(s, i, 'roundtrip-first')}`.padStart(13)).join('')}`);
    }
  }
  if (rep.ablations) {
    out.push('');
    out.push('XPC ablations (trusting caller): median cycles of call, 0-byte and 4 KiB round trip');
    const pick = (l: { name: string; bytes: number; median: number }[], n: string, b: number) => String(l.find((p) => p.name === n && p.bytes === b)?.median ?? '-');
    const rowsA = rep.ablations.map((a) => [a.name, a.results] as const);
    for (const [n, l] of rowsA) out.push(`  ${n.padEnd(18)}${[pick(l, 'call', 0), pick(l, 'roundtrip', 0), pick(l, 'roundtrip', 4096)].map((v) => v.padStart(10)).join('')}`);
  }
  out.push('');
  for (const n of notes(rep)) out.push(...wrap(n, 100, 'note: ', '  '));
  return out.join('\n') + '\n';
}

/** Where the measurements differ from the published figures, and why (numbers from this run). */
export function notes(rep: IpcReport): string[] {
  const n: string[] = [];
  const kc = find(rep, 'call', 'kernel');
  const kr = find(rep, 'reply', 'kernel');
  const sc = find(rep, 'call', 'kernel-sel4');
  const sr = find(rep, 'reply', 'kernel-sel4');
  const xc = find(rep, 'call', 'xpc');
  const ic = find(rep, 'call', 'xpc-isolated');
  const krt = find(rep, 'roundtrip', 'kernel', 0);
  const srt = find(rep, 'roundtrip', 'kernel-sel4', 0);
  const xrt = find(rep, 'roundtrip', 'xpc', 0);
  const irt = find(rep, 'roundtrip', 'xpc-isolated', 0);
  if (sc && sr) {
    n.push(`seL4 fastpath: call ${sc.cycles.median} / reply ${sr.cycles.median} cycles, ${sc.instructions} / ${sr.instructions} instructions ` +
      `(${PUBLISHED.sel4Call}); other core, other caches.` +
      (kc && kr ? ` The minimal fastpath skips most of seL4's checks: ${kc.cycles.median} / ${kr.cycles.median} cycles, ${kc.instructions} / ${kr.instructions} instructions.` : ''));
  } else if (kc && kr) {
    n.push(`minimal fastpath: call ${kc.cycles.median} / reply ${kr.cycles.median} cycles (${kc.instructions} / ${kr.instructions} instructions) ` +
      `without most of seL4's checks; --flavour sel4 runs seL4's (${PUBLISHED.sel4Call}).`);
  }
  if (xc) {
    n.push(`XPC call: ${xc.cycles.median} cycles (${PUBLISHED.xpcCall}); rvx's window runs to the handler's first instruction, so it ` +
      `includes the trampoline (${xc.phases?.trampoline ?? 0}) and, with no ASIDs, TLB refills (${xc.phases?.['tlb refill'] ?? 0}); ` +
      `the xcall itself costs ${xc.phases?.xcall ?? 0}.` + (ic ? ` An isolated caller (registers saved and scrubbed) pays ${ic.cycles.median}.` : ''));
  }
  const fair = srt && irt ? [srt, irt] : krt && xrt ? [krt, xrt] : null;
  if (fair) n.push(`round trip, 0 bytes: ${fair[0].series} ${fair[0].cycles.median} vs ${fair[1].series} ${fair[1].cycles.median} cycles ` +
    `(${fmtRatio(fair[0].cycles.median, fair[1].cycles.median)})` + (krt && xrt && fair[0] !== krt ? `; kernel ${krt.cycles.median} vs xpc ${xrt.cycles.median} (${fmtRatio(krt.cycles.median, xrt.cycles.median)}).` : '.'));
  const k4 = find(rep, 'roundtrip', 'kernel', 4096) ?? find(rep, 'roundtrip', 'kernel-sel4', 4096);
  const x4 = find(rep, 'roundtrip', 'xpc', 4096) ?? find(rep, 'roundtrip', 'xpc-isolated', 4096);
  if (k4 && x4) {
    n.push(`4 KiB: the kernel copies the message twice per round trip (${k4.phases?.copy ?? '?'} cycles of copy); the relay segment ` +
      `copies nothing (${x4.cycles.median} cycles, the server reading every word included). ${PUBLISHED.breakdown}.`);
  }
  const ka = find(rep, 'kv-app', 'kernel-sel4') ?? find(rep, 'kv-app', 'kernel');
  const xa = find(rep, 'kv-app', 'xpc-isolated') ?? find(rep, 'kv-app', 'xpc');
  const kh = find(rep, 'http-app', ka?.series ?? 'kernel');
  const xh = find(rep, 'http-app', xa?.series ?? 'xpc');
  if (ka?.requestsPerMcycle && xa?.requestsPerMcycle && kh?.requestsPerMcycle && xh?.requestsPerMcycle) {
    n.push(`applications (${xa.series} vs ${ka.series}): kv ${fmtRatio(xa.requestsPerMcycle, ka.requestsPerMcycle)} and http ` +
      `${fmtRatio(xh.requestsPerMcycle, kh.requestsPerMcycle)} requests per cycle (${PUBLISHED.apps}); the gain is the share of IPC ` +
      `and copying in each request, which these small servers set.`);
  }
  const mrt = (['xpc', 'gate', 'asl', 'pkey'] as const).map((s) => find(rep, 'roundtrip', s, 0)).filter((w): w is WorkloadResult => !!w);
  if (mrt.length > 1) {
    n.push(`mechanisms, 0-byte round trip with a trusting caller: ${mrt.map((w) => `${w.series} ${w.cycles.median}`).join(', ')} cycles; ` +
      `instructions in the trusted path ${mrt.map((w) => `${w.series} ${w.trustedInstructions ?? '?'}`).join(', ')}; page walks ` +
      `${mrt.map((w) => `${w.series} ${w.events?.pageWalks ?? '?'}`).join(', ')} (no ASIDs: every satp switch empties the TLBs; ` +
      `protection-key domains switch no address space). Long messages: gates and lists use a shared frame, domains a shared buffer.`);
  }
  n.push('published figures are other hardware and software; docs/bench-ipc.md section 5 explains each difference.');
  return n;
}

// ---------------------------------------------------------------------------------------------------
// The mechanisms side by side: what each changes in the kernel, and what isolation it gives up. Every
// claim names the test program that attacks it (tests/bench-ipc.test.ts checks each named test exists).

export interface IsolationClaim {
  claim: string;
  /** `file: test name` of the tests that attack the claim (run in CI). */
  tests: string[];
}

export interface MechanismInfo {
  label: string;
  /** After which published design. */
  after: string;
  kernel: string;
  isolation: { addressSpace: IsolationClaim; forgeEntry: IsolationClaim; keys: IsolationClaim; maliciousCallee: IsolationClaim };
}

export const ISOLATION_ROWS = [
  ['addressSpace', 'address space'],
  ['forgeEntry', 'who can forge an entry'],
  ['keys', 'calling keys / rights'],
  ['maliciousCallee', 'what a malicious callee can do to its caller'],
] as const;

export const MECHANISMS: Record<Mech, MechanismInfo> = {
  kernel: {
    label: 'kernel IPC',
    after: 'seL4-style call / reply_recv (the baseline)',
    kernel: 'the baseline: endpoints, reply capabilities, the fastpath, message copies by the kernel',
    isolation: {
      addressSpace: { claim: 'separate: every message goes through the kernel', tests: ['tests/kernel-isolation.test.ts: reading kernel memory'] },
      forgeEntry: { claim: 'nobody: capabilities live in kernel memory, a bad slot is refused', tests: ['tests/kernel-isolation.test.ts: empty, out-of-range and wrong-type capability slots are refused'] },
      keys: { claim: 'none: the capability slot is the permission', tests: ['tests/kernel-isolation.test.ts: empty, out-of-range and wrong-type capability slots are refused'] },
      maliciousCallee: { claim: 'answer wrongly or never; its death gives the caller E_DEAD', tests: ['tests/kernel-isolation.test.ts: a server that exits mid-call leaves its caller with E_DEAD'] },
    },
  },
  xpc: {
    label: 'XPC',
    after: 'Du et al., "XPC: Architectural Support for Secure and Efficient Cross Process Call", ISCA 2019',
    kernel: 'x-entry table, capability bitmaps, link stacks and relay segments set up and revoked by the kernel (kernel/xpc.ts); the calls themselves do not enter it',
    isolation: {
      addressSpace: { claim: 'separate: the callee runs in its own space on the caller\'s thread', tests: ['tests/kernel-isolation.test.ts: a callee that faults mid-call is killed; callers up the chain get E_DEAD'] },
      forgeEntry: { claim: 'nobody: x-entries and capability bitmaps are kernel memory; a forged xret kills its maker', tests: ['tests/kernel-isolation.test.ts: an xcall of an entry not granted (or out of range) is refused', 'tests/kernel-isolation.test.ts: a forged xret kills the process'] },
      keys: { claim: 'none: the capability bitmap is the permission', tests: ['tests/kernel-isolation.test.ts: an xcall of an entry not granted (or out of range) is refused'] },
      maliciousCallee: { claim: 'see and change every register the caller does not save (the isolated series saves and scrubs them); never return (its death unwinds callers with E_DEAD)', tests: ['tests/kernel-isolation.test.ts: the XPC calling convention: callee-saved registers survive; after E_DEAD only sp, ra are kept, the rest (gp, tp too) is zero', 'tests/kernel-isolation.test.ts: a callee that faults mid-call is killed; callers up the chain get E_DEAD'] },
    },
  },
  gate: {
    label: 'call gates',
    after: 'Děcký\'s call-gate ("CLB") proposal: gates cached like a software-managed TLB',
    kernel: 'gate table, gate-miss handler filling the gate cache, per-thread return stacks in kernel memory, gate state saved per thread, revocation by gflush, unwinding on death, system calls refused inside a gate call (kernel/gate.ts)',
    isolation: {
      addressSpace: { claim: 'separate: gcall switches satp, the callee brings its own stack', tests: ['tests/kernel-gate.test.ts: gate-calls: every step as expected, the server killed by its fault, the client by its forged gret'] },
      forgeEntry: { claim: 'nobody: only S-mode gfill fills the cache (illegal in U), return records are kernel memory; a forged gret kills its maker', tests: ['tests/programs/mech/gate.s: gfill, gflush, gdom writes are illegal in U-mode', 'tests/mech-programs.test.ts', 'tests/kernel-gate.test.ts: gate-calls: every step as expected, the server killed by its fault, the client by its forged gret'] },
      keys: { claim: 'none: a cache entry, tagged by the calling domain, is the permission; revocation holds only if the kernel flushes (it does on death)', tests: ['tests/kernel-gate.test.ts: gate-calls: every step as expected, the server killed by its fault, the client by its forged gret'] },
      maliciousCallee: { claim: 'registers as XPC; never return (its death unwinds the caller with E_DEAD)', tests: ['tests/kernel-gate.test.ts: gate-calls: every step as expected, the server killed by its fault, the client by its forged gret'] },
    },
  },
  asl: {
    label: 'address-space lists',
    after: 'SkyBridge (Mi et al., EuroSys 2019), on Intel VMFUNC',
    kernel: 'per-process lists of roots with kernel-generated keys, a trampoline page in every process, asl_export / asl_bind, ASL faults fatal to the guesser, a dead server\'s entries emptied and threads sent back (kernel/asl.ts)',
    isolation: {
      addressSpace: { claim: 'separate, but the kernel\'s trampoline code runs in the callee\'s space, and a callee on the caller\'s thread uses the caller\'s list', tests: ['tests/kernel-asl.test.ts: asl-calls: round trips, a refused system call, a dying server, unbinding, and a guessed key that kills its guesser'] },
      forgeEntry: { claim: 'the kernel writes the lists; anyone who holds a key switches with it while on a thread whose list has the entry', tests: ['tests/kernel-asl.test.ts: attack: the caller\'s key and return index are in the callee\'s registers during the call'] },
      keys: { claim: 'guessing: a wrong key kills the guesser (64-bit keys); leaking: the callee holds the caller\'s key and return index during the call', tests: ['tests/kernel-asl.test.ts: asl-calls: round trips, a refused system call, a dying server, unbinding, and a guessed key that kills its guesser', 'tests/kernel-asl.test.ts: attack: the caller\'s key and return index are in the callee\'s registers during the call'] },
      maliciousCallee: { claim: 'clobber registers; read the caller\'s key (and switch into the caller\'s space with it through the trampoline); never return (its death sends the thread back with E_DEAD)', tests: ['tests/kernel-asl.test.ts: attack: the caller\'s key and return index are in the callee\'s registers during the call', 'tests/kernel-asl.test.ts: asl-calls: round trips, a refused system call, a dying server, unbinding, and a guessed key that kills its guesser'] },
    },
  },
  pkey: {
    label: 'protection-key domains',
    after: 'UnderBridge (Gu et al., USENIX ATC 2020), on Intel PKU; gate checks after ERIM (Vahldiek-Oberwagner et al., USENIX Security 2019)',
    kernel: 'page keys written into the image\'s PTEs at load, pkr saved per thread with the kernel running with every key open (kernel/pkey.ts), the image builder\'s inspection refusing pkr writes outside the gates; calls do not enter the kernel',
    isolation: {
      addressSpace: { claim: 'shared: one address space; keys guard data, not fetches, so a domain runs any domain\'s code; one domain\'s fault kills every domain', tests: ['tests/kernel-pkey-domains.test.ts: what it gives up: one address space, a domain runs another domain\'s code (keys guard data, not fetches)', 'tests/kernel-pkey-domains.test.ts: attack: a domain reads another domain\'s data: key fault, the process is killed'] },
      forgeEntry: { claim: 'any code that writes pkr takes any rights: the load-time inspection refuses it outside the gates; a jump into a gate past its checks aborts', tests: ['tests/kernel-pkey-domains.test.ts: the image builder refuses a domain that writes pkr itself', 'tests/mech-pkey-inspect.test.ts', 'tests/kernel-pkey-domains.test.ts: attack: a domain jumps into its gate\'s return path with the caller\'s rights: the gate aborts', 'tests/kernel-pkey-domains.test.ts: attack: a domain jumps straight to a pkr write with every key open in the register: the check aborts', 'tests/kernel-pkey-domains.test.ts: attack: a domain jumps to the last write of another edge\'s gate to replay a stale return: the return-slot check aborts'] },
      keys: { claim: 'no calling keys: the rights register is user state; isolation rests on the inspection and W^X, not on the hardware', tests: ['tests/kernel-pkey.test.ts', 'tests/kernel-pkey-domains.test.ts: attack: a domain reads another domain\'s data: key fault, the process is killed'] },
      maliciousCallee: { claim: 'read and write the shared message buffer; run the caller\'s code (with its own rights); its fault kills the caller too (one process)', tests: ['tests/kernel-pkey-domains.test.ts: what it gives up: one address space, a domain runs another domain\'s code (keys guard data, not fetches)', 'tests/kernel-pkey-domains.test.ts: attack: a domain reads another domain\'s data: key fault, the process is killed'] },
    },
  },
};
