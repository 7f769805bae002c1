// The IPC benchmark's result: turning the runs into the report object (what bench/results/ipc.json
// keeps) and the terminal table. Every number in the report comes from the runs; the published
// figures it is compared with live in PUBLISHED and are printed beside the measurements, never mixed
// into the JSON.

import type { Mech, Workload } from '../../../kernel-images/bench/index.js';
import { STALL_NAMES, type CoreParams } from '../../../emulator/timing/index.js';
import { PHASES, type ImageRun, type Pass, type Sample } from './run.js';

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
  const keys: { name: string; bytes: number }[] = [];
  for (const w of rep.workloads) if (!keys.some((k) => k.name === w.name && k.bytes === w.bytes)) keys.push({ name: w.name, bytes: w.bytes });
  const cell = (w: WorkloadResult | undefined) => (w ? `${w.cycles.median}${w.cycles.min === w.cycles.max ? ' ' : '*'}` : '- ');
  const ratioOf = present.includes('kernel-sel4') && present.includes('xpc-isolated') ? ['kernel-sel4', 'xpc-isolated'] as const
    : [present.find((s) => SERIES[s].mech === 'kernel'), present.find((s) => SERIES[s].mech === 'xpc')] as const;
  const head = ['workload', 'bytes', ...present.map((s) => SHORT[s]), ratioOf[0] && ratioOf[1] ? `${SHORT[ratioOf[0]]}/${SHORT[ratioOf[1]]}` : ''];
  const rows: string[][] = [];
  for (const k of keys) {
    const ws = present.map((s) => rep.workloads.find((w) => w.name === k.name && w.bytes === k.bytes && w.series === s));
    const a = ratioOf[0] && find(rep, k.name, ratioOf[0], k.bytes);
    const b = ratioOf[1] && find(rep, k.name, ratioOf[1], k.bytes);
    rows.push([k.name, String(k.bytes), ...ws.map(cell), a && b ? fmtRatio(a.cycles.median, b.cycles.median) : '-']);
    if (ws.some((w) => w?.requestsPerMcycle !== undefined)) {
      rows.push(['  requests/Mcycle', '', ...ws.map((w) => (w?.requestsPerMcycle !== undefined ? `${w.requestsPerMcycle.toFixed(1)} ` : '- ')),
        a?.requestsPerMcycle && b?.requestsPerMcycle ? fmtRatio(b.requestsPerMcycle, a.requestsPerMcycle) : '-']);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ').trimEnd();
  out.push(line(head));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) out.push(line(r));

  // Hot, first run and polluted.
  const hot = present.map((s) => find(rep, 'roundtrip', s, 0));
  const pol = present.map((s) => find(rep, 'roundtrip-polluted', s, 0));
  if (hot.some((w) => w?.cold !== undefined)) {
    out.push('');
    out.push('0-byte round trip: hot (median), first run after boot, after a cache/TLB-polluting loop:');
    const r3 = [['', ...present.map((s) => SHORT[s])], ['hot', ...hot.map((w) => String(w?.cycles.median ?? '-'))],
      ['first run', ...hot.map((w) => String(w?.cold ?? '-'))], ['polluted', ...pol.map((w) => String(w?.cycles.median ?? '-'))]];
    for (const r of r3) out.push('  ' + r.map((v, i) => (i === 0 ? v.padEnd(10) : v.padStart(10))).join('  ').trimEnd());
  }

  // The XPC paper's categories for one 0-byte round trip.
  const traced = present.map((s) => find(rep, 'roundtrip', s, 0)).filter((w): w is WorkloadResult => w?.paper !== undefined);
  if (traced.length > 0) {
    out.push('');
    out.push('One 0-byte round trip in the XPC paper\'s categories (the median run, traced; cycles):');
    const cats = Object.keys(PAPER_CATEGORIES).filter((k) => traced.some((w) => (w.paper![k] ?? 0) !== 0));
    const cw = Math.max(...cats.map((k) => k.length), 'instructions'.length);
    out.push(`  ${''.padEnd(cw)}${traced.map((w) => SHORT[w.series].padStart(10)).join('')}`);
    for (const k of cats) out.push(`  ${k.padEnd(cw)}${traced.map((w) => String(w.paper![k] ?? 0).padStart(10)).join('')}`);
    out.push(`  ${'total'.padEnd(cw)}${traced.map((w) => String(w.total).padStart(10)).join('')}`);
    out.push(`  ${'instructions'.padEnd(cw)}${traced.map((w) => String(w.totalInstructions).padStart(10)).join('')}`);
  }
  if (rep.sweep) {
    out.push('');
    out.push(`Sweep of ${rep.sweep.param}: 0-byte round trip, median cycles hot / first run after boot`);
    const sw = rep.sweep;
    const ss = Object.keys(sw.series) as SeriesName[];
    const at = (s: SeriesName, i: number, n: string) => String(sw.series[s]![i].find((p) => p.name === n && p.bytes === 0)?.median ?? '-');
    out.push(`  ${'value'.padEnd(10)}${ss.map((s) => SHORT[s].padStart(13)).join('')}`);
    sw.values.forEach((v, i) => out.push(`  ${String(v).padEnd(10)}${ss.map((s) => `${at(s, i, 'roundtrip')}/${at(s, i, 'roundtrip-first')}`.padStart(13)).join('')}`));
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
  n.push('published figures are other hardware and software; docs/bench-ipc.md section 5 explains each difference.');
  return n;
}
