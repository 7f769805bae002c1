// `rvx bench ipc`: boots the microkernel with the benchmark's programs (kernel-images/bench/) once per
// mechanism, lets the client measure every workload with its own counter reads (sel4bench's method:
// warm-up, 16 runs, counter overhead subtracted, median/min/max), traces the runs under the core model
// to split the median run of each workload into phases, and reports: a table on the terminal (or the
// JSON with --json), bench/results/ipc.json and bench/results/ipc.html. docs/bench-ipc.md explains it.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreParamsError, loadCoreParams, rocketParams, type CoreParams } from '../../emulator/timing/index.js';
import { buildImage, KernelBuildError, rvxAssemble, SystemError, type KernelConfig } from '../../kernel-images/index.js';
import { benchSystem, type Mech, type Workload } from '../../kernel-images/bench/index.js';
import { renderHtml } from './ipc/html.js';
import { BenchError, summarise, table, type IpcReport, type WorkloadResult } from './ipc/report.js';
import { runImage } from './ipc/run.js';

const USAGE = `usage: rvx bench ipc [options]

Boots the rvx microkernel with a benchmark client and its servers, once with kernel IPC (seL4-style
call/reply_recv) and once with XPC (xcall/xret, relay segments), and measures: the null system call,
one-way call and reply, round trips at 0..4096-byte messages (also with ASID-tagged TLBs), a 4 KiB
three-process chain, and two small applications (key-value store, HTTP). Prints a table and writes
bench/results/ipc.json and bench/results/ipc.html.

options:
  --mech kernel|xpc|all   which mechanisms (default all)
  --core rocket|ideal|FILE.json
                          core timing model (default rocket; docs/cycle-model.md)
  --repeat N              measured runs per workload (default 16; 1..1000)
  --warmup N              warm-up iterations before them (default 3)
  --quick                 5 runs after 2 warm-up iterations (for tests)
  --no-asid               skip the ASID-tagged round trips
  --json                  print the JSON report instead of the table
  --out DIR               where ipc.json and ipc.html go (default bench/results)
  --no-write              write no files
  -h, --help              this text`;

interface Options {
  mechs: Mech[];
  core: string;
  runs: number;
  warmup: number;
  asid: boolean;
  json: boolean;
  out: string | null;
  write: boolean;
}

function parse(args: string[]): Options | string {
  const o: Options = { mechs: ['kernel', 'xpc'], core: 'rocket', runs: 16, warmup: 3, asid: true, json: false, out: null, write: true };
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
      if (v === 'all') o.mechs = ['kernel', 'xpc'];
      else if (v === 'kernel' || v === 'xpc') o.mechs = [v];
      else return `--mech needs kernel, xpc or all (got ${v === null ? 'nothing' : `'${v}'`})`;
    } else if (a === '--core') {
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

function findRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [process.cwd(), resolve(here, '..'), resolve(here, '../..'), resolve(here, '../../..')]) {
    if (existsSync(join(c, 'package.json')) && existsSync(join(c, 'kernel-images'))) return c;
  }
  return process.cwd();
}

function gitRevision(root: string): { revision: string; dirty: boolean } {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (rev.status !== 0) return { revision: 'unknown', dirty: false };
  const st = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' });
  return { revision: rev.stdout.trim(), dirty: st.status === 0 && st.stdout.trim() !== '' };
}

/** One image: its mechanism, kernel configuration and the core it runs on. */
interface ImagePlan {
  key: string;
  mech: Mech;
  asid: boolean;
}

export interface IpcOptions {
  mechs: Mech[];
  core: CoreParams | 'ideal';
  runs: number;
  warmup: number;
  asid: boolean;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

/** Runs the benchmark and returns the report (no files, no printing): the CLI and the tests use it. */
export async function runIpcBench(o: IpcOptions, revision: { revision: string; dirty: boolean }): Promise<IpcReport> {
  const plans: ImagePlan[] = o.mechs.map((m) => ({ key: m, mech: m, asid: false }));
  if (o.asid && o.core !== 'ideal') for (const m of o.mechs) plans.push({ key: `${m}-asid`, mech: m, asid: true });
  const report: IpcReport = {
    benchmark: 'ipc',
    ...revision,
    date: new Date().toISOString(),
    core: o.core === 'ideal' ? { name: 'ideal' } : { ...o.core },
    method: { warmup: o.warmup, runs: o.runs, overhead: {} },
    workloads: [],
    images: {},
  };
  const byMech: WorkloadResult[][] = [];
  for (const plan of plans) {
    const t0 = process.hrtime.bigint();
    const { system, workloads } = benchSystem(plan.mech, { warmup: o.warmup, runs: o.runs }, plan.asid ? { only: 'ipc' } : {});
    const cfg: Partial<KernelConfig> = { xpc: plan.mech === 'xpc', ...(plan.asid ? { asid: true } : {}) };
    const image = await buildImage(system, rvxAssemble, cfg);
    const core: CoreParams | 'ideal' = o.core === 'ideal' ? 'ideal' : { ...o.core, asidTagging: plan.asid ? true : o.core.asidTagging };
    const run = runImage(image, { xpc: plan.mech === 'xpc', core, workloads });
    if (run.failure) throw new BenchError(`${system.name}: ${run.failure}\n--- console ---\n${run.console}`);
    const rename = plan.asid ? (w: Workload) => `${w.name}-asid` : undefined;
    const { results, overhead } = summarise(run, workloads, o.warmup, rename);
    report.method.overhead[plan.key] = overhead;
    byMech.push(results);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    report.images[plan.key] = { instructions: run.totalInstructions, cycles: run.totalCycles, seconds: Number(seconds.toFixed(2)) };
    o.log?.(`  ${plan.key}${plan.asid ? ' (ASID-tagged TLBs, no sfence.vma on a switch)' : ''}: ${run.totalInstructions.toLocaleString('en-US')} instructions in ${seconds.toFixed(1)} s`);
  }
  // Order: by workload as the client runs them, kernel before xpc, plain before -asid.
  const order = (w: WorkloadResult) => [w.name.replace(/-asid$/, ''), w.name.endsWith('-asid') ? 1 : 0] as const;
  const names: string[] = [];
  for (const list of byMech) for (const w of list) if (!names.includes(order(w)[0])) names.push(order(w)[0]);
  report.workloads = byMech.flat().sort((a, b) => {
    const [an, aa] = order(a);
    const [bn, ba] = order(b);
    return names.indexOf(an) - names.indexOf(bn) || aa - ba || a.bytes - b.bytes || (a.mech === b.mech ? 0 : a.mech === 'kernel' ? -1 : 1);
  });
  return report;
}

export async function main(args: string[]): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const o = parse(args);
  if (typeof o === 'string') {
    process.stderr.write(`rvx bench ipc: ${o}\n${USAGE}\n`);
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
  const root = findRoot();
  const log = (line: string) => process.stderr.write(line + '\n');
  log(`rvx bench ipc: ${o.mechs.join(' and ')}, ${o.runs} runs after ${o.warmup} warm-up iterations, core ${o.core}`);
  let report: IpcReport;
  try {
    report = await runIpcBench({ mechs: o.mechs, core, runs: o.runs, warmup: o.warmup, asid: o.asid, log }, gitRevision(root));
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
    const dir = o.out ?? join(root, 'bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ipc.json'), json);
    writeFileSync(join(dir, 'ipc.html'), renderHtml(report));
    log(`wrote ${join(dir, 'ipc.json')} and ${join(dir, 'ipc.html')}`);
  }
  return 0;
}
