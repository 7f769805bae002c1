// `rvx bench ipc`: boots the microkernel with the benchmark's programs (kernel-images/bench/) once per
// mechanism, lets the client measure every workload with its own counter reads (sel4bench's method:
// warm-up, 16 runs, counter overhead subtracted, median/min/max), traces the runs under the core model
// to split the median run of each workload into phases, and reports: a table on the terminal (or the
// JSON with --json), ipc.json and ipc.html in bench/results/latest/ (git-ignored; the reference results
// the docs quote are bench/results/reference/). docs/bench-ipc.md explains it.

import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CoreParamsError, loadCoreParams, parseCoreParams, rocketParams, type CoreParams } from '../../emulator/timing/index.js';
import { buildImage, KernelBuildError, rvxAssemble, SystemError, type KernelConfig } from '../../kernel-images/index.js';
import { benchSystem, mechConfig, MECHS, type Mech, type Workload } from '../../kernel-images/bench/index.js';
import { renderHtml } from './ipc/html.js';
import { ABLATIONS, BenchError, MECHANISMS, SERIES, summarise, table, type IpcReport, type SeriesName, type SweepResult, type WorkloadResult } from './ipc/report.js';
import { runImage } from './ipc/run.js';
import { findRepoRoot, gitRevision } from './repo.js';

const USAGE = `usage: rvx bench ipc [options]

Boots the rvx microkernel with a benchmark client and its servers under kernel IPC (call/reply_recv;
the minimal fastpath and seL4's, check by check), XPC (xcall/xret, relay segments), call gates
(gcall/gret), address-space lists (aslswitch) and protection-key domains in one process (callers that
trust the callee and callers that save and scrub their registers), and measures: the null system
call, one-way call and reply, round trips at 0..4096-byte messages (hot, first run, after pollution),
a 4 KiB three-process chain and two small applications, each also with ASID-tagged TLBs. Prints a
table and writes ipc.json and ipc.html to bench/results/latest/ (git-ignored): the mechanisms side by
side, what each changes in the kernel and what isolation it gives up (docs/mechanisms.md).

options:
  --mech LIST             kernel, xpc, gate, asl, pkey (comma-separated) or all (the default)
  --flavour minimal|sel4|all
                          kernel fastpaths (default all; docs/bench-ipc.md)
  --isolation trusting|isolated|all
                          XPC callers (default all)
  --core rocket|ideal|FILE.json
                          core timing model (default rocket; docs/cycle-model.md)
  --repeat N              measured runs per workload (default 16; 1..1000)
  --warmup N              warm-up iterations before them (default 3)
  --quick                 5 runs after 2 warm-up iterations (for tests)
  --no-asid               skip the ASID-tagged images
  --sweep PARAM=V1,V2,... also run the round trips at each value of a core parameter (a dotted
                          path for nested ones: dcache.ways, xpc.entryCacheEntries); plotted
  --ablations             also run XPC with each of its parts taken away (docs/bench-ipc.md)
  --json                  print the JSON report instead of the table
  --out DIR               where ipc.json and ipc.html go (default bench/results/latest)
  --no-write              write no files
  -h, --help              this text`;

interface Options {
  mechs: Mech[];
  flavours: ('minimal' | 'sel4')[];
  isolations: ('trusting' | 'isolated')[];
  sweep: { param: string; values: string[] } | null;
  ablations: boolean;
  core: string;
  runs: number;
  warmup: number;
  asid: boolean;
  json: boolean;
  out: string | null;
  write: boolean;
}

function parse(args: string[]): Options | string {
  const o: Options = { mechs: [...MECHS], flavours: ['minimal', 'sel4'], isolations: ['trusting', 'isolated'], sweep: null, ablations: false, core: 'rocket', runs: 16, warmup: 3, asid: true, json: false, out: null, write: true };
  let quick = false;
  let runsSet = false;
  let warmSet = false;
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    let inline: string | null = null;
    if (a.startsWith('--') && a.includes('=')) {
      inline = a.slice(a.indexOf('=') + 1);
      a = a.slice(0, a.indexOf('='));
    }
    const value = (): string | null => (inline !== null ? inline : i + 1 < args.length ? args[++i] : null);
    const count = (name: string, lo: number, hi: number): number | string => {
      const v = value();
      const n = v !== null && /^\d+$/.test(v) ? Number(v) : NaN;
      return n >= lo && n <= hi ? n : `${name} needs a whole number from ${lo} to ${hi} (got ${v === null ? 'nothing' : `'${v}'`})`;
    };
    if (a === '--mech') {
      const v = value();
      const list = v === null ? [] : v === 'all' ? [...MECHS] : v.split(',');
      const bad = list.find((x) => !(MECHS as readonly string[]).includes(x));
      if (list.length === 0 || bad !== undefined) return `--mech needs ${MECHS.join(', ')} (comma-separated) or all (got ${v === null ? 'nothing' : `'${v}'`})`;
      o.mechs = list as Mech[];
    } else if (a === '--flavour') {
      const v = value();
      if (v === 'all') o.flavours = ['minimal', 'sel4'];
      else if (v === 'minimal' || v === 'sel4') o.flavours = [v];
      else return `--flavour needs minimal, sel4 or all (got ${v === null ? 'nothing' : `'${v}'`})`;
    } else if (a === '--isolation') {
      const v = value();
      if (v === 'all') o.isolations = ['trusting', 'isolated'];
      else if (v === 'trusting' || v === 'isolated') o.isolations = [v];
      else return `--isolation needs trusting, isolated or all (got ${v === null ? 'nothing' : `'${v}'`})`;
    } else if (a === '--sweep') {
      const v = value();
      const m = v === null ? null : /^([A-Za-z][\w.]*)=([^,]+(?:,[^,]+)*)$/.exec(v);
      if (!m) return `--sweep needs PARAM=V1,V2,... (got ${v === null ? 'nothing' : `'${v}'`})`;
      o.sweep = { param: m[1], values: m[2].split(',') };
    } else if (a === '--ablations') o.ablations = true;
    else if (a === '--core') {
      const v = value();
      if (!v) return '--core needs a value: rocket, ideal or a JSON parameter file';
      o.core = v;
    } else if (a === '--repeat') {
      const n = count('--repeat', 1, 1000);
      if (typeof n === 'string') return n;
      o.runs = n;
      runsSet = true;
    } else if (a === '--warmup') {
      const n = count('--warmup', 0, 100);
      if (typeof n === 'string') return n;
      o.warmup = n;
      warmSet = true;
    } else if (a === '--quick') quick = true;
    else if (a === '--no-asid') o.asid = false;
    else if (a === '--json') o.json = true;
    else if (a === '--no-write') o.write = false;
    else if (a === '--out') {
      const v = value();
      if (!v) return '--out needs a directory';
      o.out = v;
    } else return `unknown option '${args[i]}'`;
  }
  if (quick) {
    if (!runsSet) o.runs = 5;
    if (!warmSet) o.warmup = 2;
  }
  return o;
}

/** One image: its series (mechanism and variant), kernel configuration and the core it runs on. */
interface ImagePlan {
  key: string;
  series: SeriesName;
  asid: boolean;
}

export interface IpcOptions {
  mechs: Mech[];
  /** Which series (default: all four). */
  series?: SeriesName[];
  /** A core parameter to sweep, with its values (parsed by `parseSweep`). */
  sweep?: { param: string; values: (number | boolean | string)[] };
  /** XPC ablations to run: all (true) or these names (ABLATIONS). */
  ablations?: boolean | string[];
  /** Which series also get an ASID image (default: all that run). */
  asidSeries?: SeriesName[];
  core: CoreParams | 'ideal';
  runs: number;
  warmup: number;
  asid: boolean;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

/** Runs the benchmark and returns the report (no files, no printing): the CLI and the tests use it. */
/** Builds and runs one image of a series; its workloads' results. */
async function runSeries(series: SeriesName, asid: boolean, core: CoreParams | 'ideal', runs: number, warmup: number, only?: 'ipc', copyRelay = false) {
  // Let the event loop run between images (each is seconds of synchronous work): progress output, and
  // a test runner's messages, are not held up for the whole benchmark.
  await new Promise((r) => setImmediate(r));
  const def = SERIES[series];
  const { system, workloads } = benchSystem(def.mech, { warmup, runs, isolated: def.isolated, copyRelay }, only ? { only } : {});
  const mc = mechConfig(def.mech);
  const cfg: Partial<KernelConfig> = { xpc: mc.xpc, ...(mc.gate ? { gate: true } : {}), ...(mc.asl ? { asl: true } : {}), ...(mc.pkey ? { pkey: true } : {}), flavour: def.flavour, ...(asid ? { asid: true } : {}) };
  const image = await buildImage(system, rvxAssemble, cfg);
  const c: CoreParams | 'ideal' = core === 'ideal' ? 'ideal' : { ...core, asidTagging: asid ? true : core.asidTagging };
  const run = runImage(image, { ext: mc.ext, core: c, workloads });
  if (run.failure) throw new BenchError(`${system.name}${asid ? ' (ASID)' : ''}: ${run.failure}\n--- console ---\n${run.console}`);
  const rename = asid ? (w: Workload) => `${w.name}-asid` : undefined;
  return { run, ...summarise(run, workloads, warmup, series, rename) };
}

/** One image of the benchmark, as a worker thread is sent it (tools/bench/ipc/worker.ts). */
export interface SeriesJob {
  series: SeriesName;
  asid: boolean;
  core: CoreParams | 'ideal';
  runs: number;
  warmup: number;
}

/** runSeries of a job, with the seconds it took. */
export async function runSeriesJob(j: SeriesJob) {
  const t0 = process.hrtime.bigint();
  const r = await runSeries(j.series, j.asid, j.core, j.runs, j.warmup);
  return { ...r, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

type SeriesDone = Awaited<ReturnType<typeof runSeriesJob>>;

/**
 * The compiled worker next to this bundle (dist/cli/bench-worker.cjs), or null where there is none (the
 * TypeScript sources under a test runner): then the images run one after another in this thread.
 */
function workerScript(): string | null {
  if (typeof __dirname !== 'string') return null;
  const f = join(__dirname, 'bench-worker.cjs');
  return existsSync(f) ? f : null;
}

/**
 * Run the jobs, on as many worker threads as the machine has cores (RVX_BENCH_WORKERS overrides; 0 or 1:
 * in this thread), each image on a worker of its own. Results in the jobs' order; `done` as each finishes.
 */
async function runJobs(jobs: SeriesJob[], done: (i: number, r: SeriesDone) => void, log?: (line: string) => void): Promise<SeriesDone[]> {
  const want = process.env.RVX_BENCH_WORKERS !== undefined ? Number(process.env.RVX_BENCH_WORKERS) : availableParallelism();
  const script = workerScript();
  const n = Math.min(jobs.length, Number.isInteger(want) && want > 0 ? want : 1);
  const out: SeriesDone[] = new Array(jobs.length);
  if (script === null || n <= 1) {
    for (let i = 0; i < jobs.length; i++) done(i, (out[i] = await runSeriesJob(jobs[i])));
    return out;
  }
  log?.(`  (${jobs.length} images on ${n} worker threads)`);
  let next = 0;
  const workers: Worker[] = [];
  // On a failure no image is handed out any more and every worker stops at once.
  const stopAll = (): void => {
    next = jobs.length;
    for (const w of workers) void w.terminate();
  };
  const lane = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const w = new Worker(script);
      workers.push(w);
      let current = -1;
      const give = (): void => {
        if (next >= jobs.length) {
          void w.terminate();
          resolve();
          return;
        }
        current = next++;
        w.postMessage(jobs[current]);
      };
      w.on('message', (m: { ok: true; value: SeriesDone } | { ok: false; message: string; bench: boolean }) => {
        if (!m.ok) {
          stopAll();
          reject(m.bench ? new BenchError(m.message) : new Error(m.message));
          return;
        }
        done(current, (out[current] = m.value));
        give();
      });
      w.on('error', (e) => {
        stopAll();
        reject(e);
      });
      give();
    });
  await Promise.all(Array.from({ length: n }, lane));
  return out;
}

/** A core with one (dotted) parameter set; throws CoreParamsError when the path or value is wrong. */
export function withParam(core: CoreParams, path: string, value: number | boolean | string): CoreParams {
  const out = JSON.parse(JSON.stringify(core)) as Record<string, unknown>;
  const keys = path.split('.');
  let obj = out;
  for (const k of keys.slice(0, -1)) {
    if (typeof obj[k] !== 'object' || obj[k] === null) throw new CoreParamsError(`--sweep ${path}: no such core parameter`);
    obj = obj[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (!(last in obj) || typeof obj[last] === 'object') throw new CoreParamsError(`--sweep ${path}: no such core parameter`);
  const want = typeof obj[last];
  if (want !== typeof value) throw new CoreParamsError(`--sweep ${path}: needs ${want === 'boolean' ? 'true or false' : want === 'number' ? 'whole numbers' : 'names'} (got ${String(value)})`);
  obj[last] = value;
  // The core's own checks (ranges, powers of two, ...), as for a parameter file.
  const checked = parseCoreParams(out, `--sweep ${path}=${String(value)}`);
  checked.name = core.name;
  return checked;
}

/** Sweep values: whole numbers, true/false, or names (for a parameter that is a name). */
export function parseSweepValues(values: string[]): (number | boolean | string)[] {
  return values.map((v) => (v === 'true' || v === 'false' ? v === 'true' : /^\d+$/.test(v) ? Number(v) : v));
}

export async function runIpcBench(o: IpcOptions, revision: { revision: string; dirty: boolean }): Promise<IpcReport> {
  const series = (o.series ?? (Object.keys(SERIES) as SeriesName[])).filter((s) => o.mechs.includes(SERIES[s].mech));
  const plans: ImagePlan[] = series.map((s) => ({ key: s, series: s, asid: false }));
  if (o.asid && o.core !== 'ideal') {
    // (protection-key domains share one address space: ASIDs change nothing for them)
    for (const s of series) if ((!o.asidSeries || o.asidSeries.includes(s)) && SERIES[s].mech !== 'pkey') plans.push({ key: `${s}-asid`, series: s, asid: true });
  }
  const report: IpcReport = {
    benchmark: 'ipc',
    ...revision,
    date: new Date().toISOString(),
    core: o.core === 'ideal' ? { name: 'ideal' } : { ...o.core },
    method: { warmup: o.warmup, runs: o.runs, overhead: {} },
    workloads: [],
    images: {},
    mechanisms: Object.fromEntries(o.mechs.filter((m) => series.some((s) => SERIES[s].mech === m)).map((m) => [m, MECHANISMS[m]])),
  };
  const byMech: WorkloadResult[][] = [];
  const jobs = plans.map((p) => ({ series: p.series, asid: p.asid, core: o.core, runs: o.runs, warmup: o.warmup }));
  const done = await runJobs(jobs, (i, { run, seconds }) =>
    o.log?.(`  ${plans[i].key}: ${run.totalInstructions.toLocaleString('en-US')} instructions in ${seconds.toFixed(1)} s`), o.log);
  plans.forEach((plan, i) => {
    const { run, results, overhead, seconds } = done[i];
    report.method.overhead[plan.key] = overhead;
    byMech.push(results);
    report.images[plan.key] = { instructions: run.totalInstructions, cycles: run.totalCycles, seconds: Number(seconds.toFixed(2)) };
  });
  // Order: by workload as the client runs them, kernel before xpc, plain before -asid.
  const order = (w: WorkloadResult) => [w.name.replace(/-asid$/, ''), w.name.endsWith('-asid') ? 1 : 0] as const;
  const names: string[] = [];
  for (const list of byMech) for (const w of list) if (!names.includes(order(w)[0])) names.push(order(w)[0]);
  report.workloads = byMech.flat().sort((a, b) => {
    const [an, aa] = order(a);
    const [bn, ba] = order(b);
    return names.indexOf(an) - names.indexOf(bn) || aa - ba || a.bytes - b.bytes || series.indexOf(a.series) - series.indexOf(b.series);
  });
  // Sweeps and ablations: the one-way calls and the round trips only (no ASID images), per value.
  // The first (cold) 0-byte round trip rides along as 'roundtrip-first': a hot round trip may hit everywhere,
  // so parameters of the memory path (miss latency, walks) move only the cold one.
  const ipcOnly = (r: WorkloadResult[]) => r.filter((w) => w.name === 'roundtrip' || w.name === 'call' || w.name === 'reply')
    .flatMap((w) => [{ name: w.name, bytes: w.bytes, median: w.cycles.median, instructions: w.instructions },
      ...(w.name === 'roundtrip' && w.bytes === 0 && w.cold !== undefined ? [{ name: 'roundtrip-first', bytes: 0, median: w.cold, instructions: w.instructions }] : [])]);
  if (o.sweep && o.core !== 'ideal') {
    const sw: SweepResult = { param: o.sweep.param, values: o.sweep.values, series: {} };
    for (const v of o.sweep.values) {
      const core = withParam(o.core, o.sweep.param, v);
      for (const s of series) {
        const { results } = await runSeries(s, false, core, o.runs, o.warmup, 'ipc');
        (sw.series[s] ??= []).push(ipcOnly(results));
      }
      o.log?.(`  sweep ${o.sweep.param} = ${String(v)}: done`);
    }
    report.sweep = sw;
  }
  if (o.ablations && o.core !== 'ideal' && o.mechs.includes('xpc')) {
    // The baseline first, measured the same way (the one-way/round-trip image, same runs and warm-up), so
    // each variant is compared with the engine whole and not with another image's layout.
    const { results: whole } = await runSeries('xpc', false, o.core, o.runs, o.warmup, 'ipc');
    report.ablations = [{ name: 'all-parts', description: 'the whole engine (the baseline the variants are compared with)', results: ipcOnly(whole) }];
    const abl = o.ablations;
    for (const ab of ABLATIONS.filter((a) => abl === true || (Array.isArray(abl) && abl.includes(a.name)))) {
      const core = ab.core(o.core);
      const { results } = await runSeries('xpc', false, core, o.runs, o.warmup, 'ipc', ab.copyRelay);
      report.ablations.push({ name: ab.name, description: ab.description, results: ipcOnly(results) });
    }
    o.log?.(`  ablations: ${report.ablations.length - 1} variants of xpc and its baseline`);
  }
  return report;
}

export async function main(args: string[]): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const o = parse(args);
  if (typeof o === 'string') {
    process.stderr.write(`rvx bench ipc: ${o}; see 'rvx bench ipc --help'\n`);
    return 2;
  }
  let core: CoreParams | 'ideal';
  try {
    if (o.core === 'rocket') core = rocketParams();
    else if (o.core === 'ideal') core = 'ideal';
    else if (/\.json$/i.test(o.core)) core = loadCoreParams(o.core);
    else throw new CoreParamsError(`--core ${o.core}: expected rocket, ideal or a .json parameter file`);
  } catch (e) {
    if (e instanceof CoreParamsError) {
      process.stderr.write(`rvx bench ipc: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const root = findRepoRoot('kernel-images') ?? process.cwd();
  const log = (line: string) => process.stderr.write(line + '\n');
  let sweep: IpcOptions['sweep'];
  try {
    if (o.sweep) {
      if (core === 'ideal') throw new CoreParamsError('--sweep needs a timing core (not ideal)');
      const values = parseSweepValues(o.sweep.values);
      for (const v of values) withParam(core, o.sweep.param, v);
      sweep = { param: o.sweep.param, values };
    }
  } catch (e) {
    if (e instanceof CoreParamsError) {
      process.stderr.write(`rvx bench ipc: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const dir = o.out ?? join(root, 'bench/results/latest');
  if (o.write) {
    // Check the output place before the work (a run takes seconds).
    try {
      mkdirSync(dir, { recursive: true });
      for (const f of ['ipc.json', 'ipc.html']) {
        const p = join(dir, f);
        if (existsSync(p) && !statSync(p).isFile()) throw new Error(`${p} is not a regular file`);
        accessSync(dir, constants.W_OK);
      }
    } catch (e) {
      process.stderr.write(`rvx bench ipc: cannot write to ${dir}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const series = (Object.keys(SERIES) as SeriesName[]).filter((s) => {
    const d = SERIES[s];
    return d.mech === 'kernel' ? o.flavours.includes(d.flavour!) : o.isolations.includes(d.isolated ? 'isolated' : 'trusting');
  });
  log(`rvx bench ipc: ${series.filter((s) => o.mechs.includes(SERIES[s].mech)).join(', ')}; ${o.runs} runs after ${o.warmup} warm-ups; ` +
    `core ${o.core}`);
  let report: IpcReport;
  try {
    report = await runIpcBench({ mechs: o.mechs, series, core, runs: o.runs, warmup: o.warmup, asid: o.asid, sweep, ablations: o.ablations, log },
      gitRevision(root));
  } catch (e) {
    if (e instanceof BenchError || e instanceof KernelBuildError || e instanceof SystemError) {
      process.stderr.write(`rvx bench ipc: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const json = JSON.stringify(report, null, 2) + '\n';
  process.stdout.write(o.json ? json : table(report));
  if (o.write) {
    writeFileSync(join(dir, 'ipc.json'), json);
    writeFileSync(join(dir, 'ipc.html'), renderHtml(report));
    const shown = (f: string) => {
      const r = relative(process.cwd(), join(dir, f));
      return r.startsWith('..') || isAbsolute(r) ? join(dir, f) : r;
    };
    log(`wrote ${shown('ipc.json')}`);
    log(`wrote ${shown('ipc.html')}`);
  }
  return 0;
}
