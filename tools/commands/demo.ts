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
import { EXIT, EXIT_TABLE } from './exit.js';
import { commandLine, intValue, UsageError, type CommandSpec, type ParsedArgs } from './flags.js';
import { writeStdout } from './io.js';
import { failureStatus } from './failure.js';

export const DEMO: CommandSpec = {
  name: 'demo',
  synopsis: '[xpc] [options]',
  about: `Runs one IPC between two Sv39 address spaces ITERATIONS times each way: a trap-based kernel path
(ecall, save registers, switch satp, sret into the callee, and back) and XPC (xcall/xret). Prints
instructions and modelled cycles per phase, one-way call and round trip, from the run itself.`,
  flags: [
    { long: 'core', arg: 'MODEL', help: 'core timing model: rocket (default), ideal or a JSON parameter file' },
    { long: 'asid', help: 'ASID-tagged TLBs (no TLB flush on an address-space switch)' },
    { long: 'iterations', arg: 'N', help: `passes of each path (default ${DEFAULT_ITERATIONS}, 3..100000)` },
    { long: 'source', help: "print the demo program's assembly source and exit" },
  ],
  operands: { min: 0, max: 1, what: 'demo name' },
  footer: EXIT_TABLE,
};

/**
 * The figure published in the XPC paper's abstract, printed beside the measurement as such: Du, Hua,
 * Xia, Zang, Chen, "XPC: Architectural Support for Secure and Efficient Cross Process Call", ISCA 2019,
 * https://doi.org/10.1145/3307650.3322218 — "XPC can reduce IPC call latency from 664 to 21 cycles"
 * (seL4 on a Rocket RISC-V core on an FPGA).
 */
const PAPER = {
  trap: 664,
  xpc: 21,
  source: 'Du et al., "XPC", ISCA 2019, https://doi.org/10.1145/3307650.3322218 (abstract)',
  setting: 'seL4 IPC call on a Rocket RISC-V core on an FPGA',
};

interface Options {
  core: string;
  asid: boolean;
  iterations: number;
  source: boolean;
}

function parse(a: ParsedArgs): Options {
  const which = a.operands[0];
  if (which !== undefined && which !== 'xpc') throw new UsageError(`unknown demo '${which}' (there is one: xpc)`);
  const core = a.get('core') ?? 'rocket';
  if (core === '') throw new UsageError('--core needs a value: rocket, ideal or a JSON parameter file');
  return {
    core,
    asid: a.has('asid'),
    iterations: a.has('iterations') ? intValue('--iterations', a.get('iterations'), 3, 100000) : DEFAULT_ITERATIONS,
    source: a.has('source'),
  };
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
  const a = commandLine(DEMO, args);
  if (typeof a === 'number') return a;
  let o: Options;
  try {
    o = parse(a);
  } catch (e) {
    return failureStatus('demo', e);
  }
  const text = ipcSource(o.iterations);
  if (o.source) {
    writeStdout(text);
    return EXIT.OK;
  }
  const asm = assemble([{ name: 'demo-xpc.s', text }], { layout: IPC_LAYOUT });
  if (!asm.ok) {
    process.stderr.write(`rvx demo: internal error: the demo program does not assemble:\n${formatDiagnostics(asm)}\n`);
    return EXIT.INTERNAL;
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
      return failureStatus('demo', new UsageError(e.message));
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
    // The demo's own program failing is a bug in rvx (the program is part of it).
    process.stderr.write(`rvx demo: internal error: the demo program failed (${why})${console ? `; console: ${console}` : ''}\n`);
    return EXIT.INTERNAL;
  }
  const rep = new Map(regions.report().map((r) => [r.name, r]));
  const get = (name: string): RegionResult => rep.get(name)!;
  for (const r of rep.values()) {
    if (r.count !== o.iterations) {
      process.stderr.write(`rvx demo: internal error: region '${r.name}' completed ${r.count} times, expected ${o.iterations}\n`);
      return EXIT.INTERNAL;
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
  out.push(`core model: ${coreName}`);
  out.push('figures: the mean of the warm passes (all but the first two)');
  const table = (title: string, rows: Phase[], oneWay: RegionSpec, round: RegionSpec): void => {
    out.push('', title);
    out.push(`  ${'phase'.padEnd(52)} ${'instructions'.padStart(12)} ${'cycles'.padStart(8)}  first pass`);
    for (const row of rows) {
      const r = get(row.spec.name);
      const w = warm(r, perPass(r));
      out.push(`  ${row.label.padEnd(52)} ${fmt(w.insns).padStart(12)} ${fmt(w.cycles).padStart(8)}`);
    }
    for (const [label, spec] of [['one-way call', oneWay], ['round trip', round]] as const) {
      const r = get(spec.name);
      const w = warm(r, perPass(r));
      out.push(`  ${`= ${label}`.padEnd(52)} ${fmt(w.insns).padStart(12)} ${fmt(w.cycles).padStart(8)}  ${fmt(w.cold).padStart(10)}`);
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
  out.push(`published       one-way call: ${PAPER.trap} -> ${PAPER.xpc} cycles (${fmt(PAPER.trap / PAPER.xpc)}x)`);
  out.push(`                ${PAPER.source}`);
  out.push(`                ${PAPER.setting}`);
  out.push(`                (the paper's figure is a full seL4 fastpath; this demo's trap path is minimal)`);
  writeStdout(out.join('\n') + '\n');
  return EXIT.OK;
}
