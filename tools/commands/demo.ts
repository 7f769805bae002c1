// `rvx demo xpc`: a caller and a callee in two Sv39 address spaces exchange a message, first through a
// minimal trap-based kernel path, then through xcall/xret; the demo prints instructions and modelled
// cycles per one-way call and round trip, phase by phase, all measured from the run (region accounting
// over the commit records), beside the XPC paper's published figures.

import { Machine, MachineError } from '../../emulator/index.js';
import {
  CoreParamsError,
  createCoreModel,
  loadCoreParams,
  rocketParams,
  type CoreModel,
  type CoreParams,
} from '../../emulator/timing/index.js';
import { assemble, formatDiagnostics } from '../asm/index.js';
import { DEFAULT_ITERATIONS, IPC_LAYOUT, ipcSource } from '../demo/ipc-program.js';
import { addrPoint, RegionAccounting, type RegionResult, type RegionSpec } from '../trace/regions.js';

const USAGE = `usage: rvx demo [xpc] [options]

Runs one IPC between two Sv39 address spaces ITERATIONS times each way: a trap-based kernel path
(ecall, save registers, switch satp, sret into the callee, and back) and XPC (xcall/xret). Prints
instructions and modelled cycles per phase, one-way call and round trip, from the run itself.

options:
  --core rocket|ideal|FILE.json   core timing model (default rocket)
  --asid                          ASID-tagged TLBs (no TLB flush on an address-space switch)
  --iterations N                  passes of each path (default ${DEFAULT_ITERATIONS}, 3..100000)
  --source                        print the demo program's assembly source and exit
  -h, --help                      this text`;

/** Figures published in the XPC paper's abstract (see REFERENCE.md §1), printed as such. */
const PAPER = { trap: 664, xpc: 21, source: 'Du et al., "XPC", ISCA 2019: seL4 one-way IPC call on a Rocket RISC-V core (FPGA)' };

interface Options {
  core: string;
  asid: boolean;
  iterations: number;
  source: boolean;
}

function parse(args: string[]): Options | string {
  const o: Options = { core: 'rocket', asid: false, iterations: DEFAULT_ITERATIONS, source: false };
  let which: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string | null => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      return i + 1 < args.length ? args[++i] : null;
    };
    const name = a.startsWith('--') && a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (name === '--core') {
      const v = value();
      if (v === null || v === '') return '--core needs a value: rocket, ideal or a JSON parameter file';
      o.core = v;
    } else if (name === '--iterations') {
      const v = value();
      const n = v !== null && /^\d+$/.test(v) ? Number(v) : NaN;
      if (!(n >= 3 && n <= 100000)) return `--iterations needs a whole number from 3 to 100000 (got ${v === null ? 'nothing' : `'${v}'`})`;
      o.iterations = n;
    } else if (a === '--asid') o.asid = true;
    else if (a === '--source') o.source = true;
    else if (a.startsWith('-')) return `unknown option '${a}'`;
    else if (which === null) which = a;
    else return `unexpected argument '${a}'`;
  }
  if (which !== null && which !== 'xpc') return `unknown demo '${which}' (there is one: xpc)`;
  return o;
}

function model(o: Options, machine: Machine): CoreModel {
  if (o.core === 'ideal') {
    if (o.asid) throw new CoreParamsError('--asid needs a core with TLBs (rocket or a parameter file), not ideal');
    return createCoreModel('ideal');
  }
  let params: CoreParams;
  if (o.core === 'rocket') params = rocketParams();
  else if (/\.json$/i.test(o.core)) params = loadCoreParams(o.core);
  else throw new CoreParamsError(`--core ${o.core}: expected rocket, ideal or a .json parameter file`);
  if (o.asid) params.asidTagging = true;
  return createCoreModel(params, machine);
}

interface Phase {
  label: string;
  spec: RegionSpec;
}

function phases(sym: (name: string) => number): { trap: Phase[]; xpc: Phase[]; oneWay: [RegionSpec, RegionSpec]; round: [RegionSpec, RegionSpec] } {
  const region = (name: string, from: string, to: string): RegionSpec => ({
    name,
    start: addrPoint(sym(from), from),
    end: addrPoint(sym(to), to),
    endInclusive: false,
  });
  const p = (label: string, from: string, to: string): Phase => ({ label, spec: region(label, from, to) });
  return {
    trap: [
      p('call: ecall, trap entry, save registers, dispatch', 't_call', 'k_call'),
      p('call: IPC logic (endpoint, reply cap, message)', 'k_call', 'k_call_switch'),
      p('call: switch satp + sfence.vma', 'k_call_switch', 'k_call_restore'),
      p('call: restore registers, sret', 'k_call_restore', 'callee_trap_entry'),
      p('callee work', 'callee_trap_entry', 'callee_trap_reply'),
      p('reply: ecall, trap entry, save registers, dispatch', 'callee_trap_reply', 'k_reply'),
      p('reply: IPC logic', 'k_reply', 'k_reply_switch'),
      p('reply: switch satp + sfence.vma', 'k_reply_switch', 'k_reply_restore'),
      p('reply: restore registers, sret', 'k_reply_restore', 't_back'),
    ],
    xpc: [
      p('call: xcall', 'x_call', 'callee_xpc_entry'),
      p('callee work', 'callee_xpc_entry', 'callee_xpc_ret'),
      p('return: xret', 'callee_xpc_ret', 'x_back'),
    ],
    oneWay: [region('trap one-way', 't_call', 'callee_trap_entry'), region('xpc one-way', 'x_call', 'callee_xpc_entry')],
    round: [region('trap round trip', 't_call', 't_back'), region('xpc round trip', 'x_call', 'x_back')],
  };
}

/** Mean over the warm passes (the first two fill caches, TLBs and predictors). */
function warm(r: RegionResult, instructionsPerPass: number): { cycles: number; insns: number; cold: number } {
  const s = r.samples ?? [];
  const w = s.slice(2);
  const cycles = w.length ? w.reduce((a, b) => a + b, 0) / w.length : r.meanCycles;
  return { cycles, insns: instructionsPerPass, cold: s.length ? s[0] : 0 };
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export async function main(args: string[]): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const o = parse(args);
  if (typeof o === 'string') {
    process.stderr.write(`rvx demo: ${o}\n${USAGE}\n`);
    return 2;
  }
  const text = ipcSource(o.iterations);
  if (o.source) {
    process.stdout.write(text);
    return 0;
  }
  const asm = assemble([{ name: 'demo-xpc.s', text }], { layout: IPC_LAYOUT });
  if (!asm.ok) {
    process.stderr.write(`rvx demo: internal error: the demo program does not assemble:\n${formatDiagnostics(asm)}\n`);
    return 70;
  }
  const sym = (name: string): number => {
    const v = asm.symbols.get(name);
    if (v === undefined) throw new Error(`demo program lacks symbol ${name}`);
    return Number(v);
  };

  let console = '';
  const machine = new Machine({ stdout: (b) => (console += Buffer.from(b).toString('latin1')), xpc: true });
  let core: CoreModel;
  try {
    machine.load({
      segments: asm.image.segments.map((s) => ({ paddr: Number(s.paddr), data: s.data, memsz: s.memsz })),
      entry: Number(asm.entry),
      tohost: sym('tohost'),
      fromhost: sym('fromhost'),
    });
    core = model(o, machine);
  } catch (e) {
    if (e instanceof CoreParamsError || e instanceof MachineError) {
      process.stderr.write(`rvx demo: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  const ph = phases(sym);
  const all = [...ph.trap.map((x) => x.spec), ...ph.xpc.map((x) => x.spec), ...ph.oneWay, ...ph.round];
  const regions = new RegionAccounting(all, { keepSamples: true });
  const observe = core.observer;
  const result = machine.run(50_000_000, (rec) => {
    const c = observe ? observe(rec) : 1;
    regions.observe(rec, c);
    return c;
  });
  if (result.reason !== 'exit' || result.code !== 0) {
    const why = result.reason === 'exit' ? `exit code ${result.code}` : result.reason === 'limit' ? 'instruction limit' : result.message;
    process.stderr.write(`rvx demo: the demo program failed (${why})${console ? `; console: ${console}` : ''}\n`);
    return 1;
  }
  const rep = new Map(regions.report().map((r) => [r.name, r]));
  const get = (name: string): RegionResult => rep.get(name)!;
  for (const r of rep.values()) {
    if (r.count !== o.iterations) {
      process.stderr.write(`rvx demo: internal error: region '${r.name}' completed ${r.count} times, expected ${o.iterations}\n`);
      return 70;
    }
  }
  const perPass = (r: RegionResult) => r.instructions / r.count;

  const out: string[] = [];
  const coreName = `${core.name}${
    o.asid
      ? ' with ASID-tagged TLBs (the trap path still runs sfence.vma, as seL4 does on RISC-V)'
      : core.name === 'ideal'
        ? ''
        : ' (no ASIDs: every satp switch flushes the TLBs)'
  }`;
  out.push(`rvx demo xpc: one IPC between two Sv39 address spaces, ${o.iterations} passes each way`);
  out.push(`core model: ${coreName}; figures are the mean of the warm passes (all but the first two)`);
  const table = (title: string, rows: Phase[], oneWay: RegionSpec, round: RegionSpec): void => {
    out.push('', title);
    out.push(`  ${'phase'.padEnd(52)} ${'instructions'.padStart(12)} ${'cycles'.padStart(8)}`);
    for (const row of rows) {
      const r = get(row.spec.name);
      const w = warm(r, perPass(r));
      out.push(`  ${row.label.padEnd(52)} ${fmt(w.insns).padStart(12)} ${fmt(w.cycles).padStart(8)}`);
    }
    for (const [label, spec] of [['one-way call', oneWay], ['round trip', round]] as const) {
      const r = get(spec.name);
      const w = warm(r, perPass(r));
      out.push(`  ${`= ${label}`.padEnd(52)} ${fmt(w.insns).padStart(12)} ${fmt(w.cycles).padStart(8)}   (first pass: ${fmt(w.cold)} cycles)`);
    }
  };
  table('trap-based path (ecall -> S-mode kernel -> sret, and back)', ph.trap, ph.oneWay[0], ph.round[0]);
  table('XPC path (xcall / xret)', ph.xpc, ph.oneWay[1], ph.round[1]);
  const t1 = warm(get(ph.oneWay[0].name), 0).cycles;
  const x1 = warm(get(ph.oneWay[1].name), 0).cycles;
  const t2 = warm(get(ph.round[0].name), 0).cycles;
  const x2 = warm(get(ph.round[1].name), 0).cycles;
  out.push('');
  out.push(`measured here   one-way call: ${fmt(t1)} -> ${fmt(x1)} cycles (${fmt(t1 / x1)}x); round trip: ${fmt(t2)} -> ${fmt(x2)} cycles (${fmt(t2 / x2)}x)`);
  out.push(`published       one-way call: ${PAPER.trap} -> ${PAPER.xpc} cycles (${fmt(PAPER.trap / PAPER.xpc)}x), ${PAPER.source}; see REFERENCE.md section 1`);
  out.push(`                (the paper's figure is a full seL4 fastpath; this demo's trap path is a minimal kernel path)`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
