// Runs one benchmark image on rvx's machine under a core model and collects, from the commit stream:
//   * the samples the client program measured (its `bench_record` stores: workload id, cycles and
//     instructions between its own counter reads);
//   * for every measured window (docs/bench-ipc.md), every pass of it as a trace: cycles and
//     instructions split into phases by what the retiring instruction is and where it lies (kernel
//     symbols such as the fastpath's phase labels, the user program and its x-entry trampolines).
// Each instruction of a pass lands in exactly one phase, so the phases add up to the pass's total.

import { Machine } from '../../../emulator/machine.js';
import type { Mechanism } from '../../../emulator/mech/hook.js';
import { createCoreModel, STALL_NAMES, type CoreParams } from '../../../emulator/timing/index.js';
import type { CommitRecord } from '../../../emulator/types.js';
import { INSTRUCTION_BY_NAME } from '../../../isa/index.js';
import type { KernelImage } from '../../../kernel-images/index.js';
import { layout } from '../../../kernel-images/index.js';
import { ASL_TRAMP_VA } from '../../../kernel-images/kernel/asl.js';
import { RIGHTS_MAIN } from '../../../kernel-images/pkey-domains.js';

/** The protection-key rights register (docs/mechanisms.md §2.1). */
const CSR_PKR = 0x802;
import type { Workload } from '../../../kernel-images/bench/index.js';
import { readElf } from '../../elf/read.js';
import { toLoadable } from '../../load.js';

/** Phases, in the order reports draw them. */
export const PHASES = [
  'client',
  'trap entry',
  'kernel logic',
  'copy',
  'address-space switch',
  'restore',
  'xcall',
  'gcall',
  'aslswitch',
  'trampoline',
  'handler',
  'xret',
  'gret',
  'tlb refill',
  'interrupt',
] as const;
export type Phase = (typeof PHASES)[number];
const P = Object.fromEntries(PHASES.map((p, i) => [p, i])) as Record<Phase, number>;

/**
 * Kernel code by phase: the symbol an instruction's pc falls under (the nearest at or below it) decides.
 * The fastpath's labels are docs/kernel.md's phase labels; slow-path functions are kernel logic except
 * the message copy and the way out (switch, restore).
 */
const KERNEL_PHASE: Record<string, Phase> = {
  trap_entry: 'trap entry',
  fastpath_call_entry: 'trap entry',
  fastpath_call: 'kernel logic',
  fastpath_reply_recv: 'kernel logic',
  fastpath_switch_as: 'address-space switch',
  fastpath_rr_switch_as: 'address-space switch',
  switch_to: 'address-space switch',
  fastpath_restore: 'restore',
  fastpath_rr_restore: 'restore',
  fastpath_sret: 'restore',
  fastpath_rr_sret: 'restore',
  restore_user: 'restore',
  resume_current: 'restore',
  syscall_return: 'restore',
  msg_transfer: 'copy',
};
/** The sel4 flavour (kernel/fastpath-sel4.ts): its entry labels continue seL4's trap entry. */
const SEL4_PHASE: Record<string, Phase> = {
  fastpath_call: 'trap entry',
  fastpath_reply_recv: 'trap entry',
  sel4_call: 'kernel logic',
  sel4_reply_recv: 'kernel logic',
  sel4_copy_mrs: 'copy',
  sel4_rr_copy_mrs: 'copy',
};

export interface Sample {
  cycles: number;
  instructions: number;
}

/** Memory-system events counted in a pass (the core model's counters, CoreStats.events). */
export const EVENT_NAMES = ['icacheMisses', 'dcacheMisses', 'itlbMisses', 'dtlbMisses', 'pageWalks'] as const;

export interface Pass {
  cycles: number;
  instructions: number;
  /** Instructions of the trusted path: kernel code, the mechanism's instructions, the kernel's ASL
   *  trampoline page and the protection-key gates (code every party of a call must trust). */
  trusted: number;
  /** EVENT_NAMES counts in the pass (zero without a timing core). */
  events: Float64Array;
  phases: Float64Array;
  /** Stall cycles by phase and category: phaseStalls[phase * STALL_NAMES.length + category]. */
  phaseStalls: Float64Array;
}

export interface ImageRun {
  console: string;
  exitCode: number | null;
  failure: string | null;
  samples: Map<number, Sample[]>;
  passes: Map<number, Pass[]>;
  totalInstructions: number;
  totalCycles: number;
}

export interface RunOptions {
  /** The machine's IPC extensions (docs/mechanisms.md): what the image's kernel and programs use. */
  ext: readonly Mechanism[];
  /** Core parameters, or 'ideal' (every instruction one cycle). */
  core: CoreParams | 'ideal';
  workloads: Workload[];
  maxInsns?: number;
}

interface SymRange {
  addrs: Float64Array;
  phase: Uint8Array;
}

function kernelRanges(image: KernelImage): SymRange {
  const elf = readElf(image.elf);
  const syms = elf.symbols
    .filter((s) => s.section === '.text' && (s.type === 'func' || s.type === 'notype') && s.name !== '')
    .map((s) => ({ addr: Number(s.value), name: s.name }))
    .sort((a, b) => a.addr - b.addr);
  const map = image.symbols.has('sel4_tcb_ext') ? { ...KERNEL_PHASE, ...SEL4_PHASE } : KERNEL_PHASE;
  // Aliases at one address (trap_entry = fastpath_call_entry): the mapped name wins.
  const out: { addr: number; phase: Phase }[] = [];
  for (const s of syms) {
    const ph = map[s.name] ?? 'kernel logic';
    const last = out[out.length - 1];
    if (last && last.addr === s.addr) {
      if (map[s.name]) last.phase = ph;
    } else out.push({ addr: s.addr, phase: ph });
  }
  return { addrs: Float64Array.from(out.map((o) => o.addr)), phase: Uint8Array.from(out.map((o) => P[o.phase])) };
}

function lookup(r: SymRange, pc: number): number {
  let lo = 0, hi = r.addrs.length - 1, best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (r.addrs[mid] <= pc) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best < 0 ? P['kernel logic'] : r.phase[best];
}

export function runImage(image: KernelImage, opts: RunOptions): ImageRun {
  const chunks: Uint8Array[] = [];
  const machine = new Machine({ ramMiB: 64, stdout: (b) => chunks.push(b.slice()), ext: opts.ext });
  machine.load(toLoadable(readElf(image.elf)));
  const model = opts.core === 'ideal' ? null : createCoreModel(opts.core, machine);
  const stalls = model?.lastStalls;
  const NS = STALL_NAMES.length;
  const ITLB = STALL_NAMES.indexOf('itlb');
  const DTLB = STALL_NAMES.indexOf('dtlb');
  /** Stall categories that come before an instruction's issue (fetch and operands). */
  const PRE_ISSUE = (['icache', 'itlb', 'uncached', 'load-use', 'muldiv'] as const).map((n) => STALL_NAMES.indexOf(n));

  const kranges = kernelRanges(image);
  const progIndex = new Map(image.programs.map((p, i) => [p.name, i]));
  const sym = (prog: string, label: string): number => {
    const i = progIndex.get(prog);
    const v = i === undefined ? undefined : image.programs[i].symbols.get(label);
    if (v === undefined) throw new Error(`benchmark program ${prog} has no label ${label}`);
    return v;
  };
  const clientPid = progIndex.get('client')!;
  // Protection-key domains (all in the client's process): the gates are the 'trampoline'; the code that
  // runs with the main domain's rights is the client's, with a server domain's rights the handler's.
  const client = image.programs[clientPid];
  const pkGateLo = client.symbols.get('pkey_gates_start') ?? -1;
  const pkGateHi = client.symbols.get('pkey_gates_end') ?? -1;
  let pkr = 0n;
  // Trampolines: from the first x-entry trampoline (or gate or address-space-list entry, which the image
  // builder places where the XPC trampolines go) to the end of the text (_udata), per program; and the
  // kernel's address-space-list trampoline page, mapped at one address in every process.
  const trampLo = new Float64Array(image.programs.length).fill(Infinity);
  const trampHi = new Float64Array(image.programs.length);
  const aslTramp = image.symbols.has('asl_tramp_page') ? ASL_TRAMP_VA : -1;
  image.programs.forEach((p, i) => {
    for (const [name, v] of p.symbols) {
      if (/^(xpc_entry_[a-z0-9_]+|gate_entry_[a-z0-9_]+|asl_entry)$/.test(name) && !/_(id|busy)$/.test(name) && v < trampLo[i]) trampLo[i] = v;
    }
    trampHi[i] = p.symbols.get('_udata') ?? 0;
  });

  // Windows: start/end pc and the process they must run in.
  // (An empty window, the counter overhead, has nothing to trace.)
  const wins = opts.workloads.filter((w) => w.start.program !== w.end.program || sym(w.start.program, w.start.label) !== sym(w.end.program, w.end.label));
  const winStartPc = wins.map((w) => sym(w.start.program, w.start.label));
  const winStartPid = wins.map((w) => progIndex.get(w.start.program)!);
  const winEndPc = wins.map((w) => sym(w.end.program, w.end.label));
  const winEndPid = wins.map((w) => progIndex.get(w.end.program)!);
  const startPcs = new Set(winStartPc);
  const passes = new Map<number, Pass[]>(wins.map((w) => [w.id, []]));

  const recId = sym('client', 'bench_record_id');
  const recCycles = sym('client', 'bench_record_cycles');
  const recInsns = sym('client', 'bench_record_insns');
  const samples = new Map<number, Sample[]>();
  let pendingId = -1;
  let pendingCycles = 0;

  // The address space each instruction runs in: satp before it, mapped to the process whose home it is.
  const tcbs = image.symbols.get('tcbs');
  if (tcbs === undefined) throw new Error('kernel image has no tcbs symbol');
  const satpPid = new Map<bigint, number>();
  const pidOf = (satp: bigint): number => {
    let pid = satpPid.get(satp);
    if (pid !== undefined) return pid;
    pid = -1;
    for (let i = 0; i < layout.MAX_PROCS; i++) {
      const t = tcbs + i * layout.Tcb.size;
      if (machine.readPhys64(t + layout.Tcb.off.home_satp) === satp) {
        pid = Number(machine.readPhys64(t + layout.Tcb.off.pid) ?? -1n);
        break;
      }
    }
    if (pid >= 0) satpPid.set(satp, pid);
    return pid;
  };
  let satp = 0n;
  let pid = -1;
  const XCALL = INSTRUCTION_BY_NAME.get('xcall')!.id;
  const XRET = INSTRUCTION_BY_NAME.get('xret')!.id;
  const GCALL = INSTRUCTION_BY_NAME.get('gcall')!.id;
  const GRET = INSTRUCTION_BY_NAME.get('gret')!.id;
  const ASLSWITCH = INSTRUCTION_BY_NAME.get('aslswitch')!.id;

  let open = -1;
  let cur: Pass | null = null;
  const eventsNow = (): Float64Array => {
    const e = model?.stats()?.events as Record<string, number> | undefined;
    return Float64Array.from(EVENT_NAMES.map((n) => e?.[n] ?? 0));
  };
  let totalCycles = 0;
  let totalInstructions = 0;

  const observer = (rec: CommitRecord): number => {
    const cycles = model ? model.observer!(rec) : 1;
    totalCycles += cycles;
    if (!rec.trapped) totalInstructions++;
    const pc = rec.pc;
    const user = pc < layout.RAM_BASE && pc >= 0;
    const isInterrupt = rec.trapped && BigInt.asUintN(64, rec.trapCause) >> 63n === 1n;
    if (user && pid === -1) pid = pidOf(satp);
    // close the window before its end instruction (start..<end)
    if (open >= 0 && !isInterrupt && pc === winEndPc[open] && pid === winEndPid[open]) {
      // ...but with the end instruction's stalls before its counter read (its fetch, I-TLB walk,
      // operand waits), which the counters include (docs/cycle-model.md, "Counter reads").
      const pre = rec.counterReadOffset ?? 0;
      if (pre > 0 && stalls) {
        const ph = pid === clientPid ? P.client : P.handler;
        for (const k of PRE_ISSUE) {
          if (stalls[k] === 0) continue;
          const into = k === ITLB ? P['tlb refill'] : ph;
          cur!.phaseStalls[into * NS + k] += stalls[k];
          cur!.phases[into] += stalls[k];
        }
        cur!.cycles += pre;
      }
      const end = eventsNow();
      for (let k = 0; k < end.length; k++) cur!.events[k] = end[k] - cur!.events[k];
      passes.get(wins[open].id)!.push(cur!);
      open = -1;
      cur = null;
    }
    if (open < 0 && user && !isInterrupt && startPcs.has(pc)) {
      for (let i = 0; i < wins.length; i++) {
        if (winStartPc[i] === pc && winStartPid[i] === pid) {
          open = i;
          cur = { cycles: 0, instructions: 0, trusted: 0, events: eventsNow(), phases: new Float64Array(PHASES.length), phaseStalls: new Float64Array(PHASES.length * NS) };
          break;
        }
      }
    }
    if (cur !== null) {
      let ph: number;
      if (isInterrupt) ph = P.interrupt;
      else if (rec.trapped && rec.trapCause === 8n) ph = P['trap entry'];
      else if (!user) ph = lookup(kranges, pc);
      else if (rec.opId === XCALL) ph = P.xcall;
      else if (rec.opId === XRET) ph = P.xret;
      else if (rec.opId === GCALL) ph = P.gcall;
      else if (rec.opId === GRET) ph = P.gret;
      else if (rec.opId === ASLSWITCH) ph = P.aslswitch;
      else if (pc >= aslTramp && pc < aslTramp + 4096 && aslTramp >= 0) ph = P.trampoline;
      else if (pid === clientPid && pc >= pkGateLo && pc < pkGateHi) ph = P.trampoline;
      else if (pid === clientPid) ph = pkr === 0n || pkr === RIGHTS_MAIN ? P.client : P.handler;
      else if (pid >= 0 && pc >= trampLo[pid] && pc < trampHi[pid]) ph = P.trampoline;
      else ph = P.handler;
      let tlb = 0;
      if (stalls) {
        tlb = stalls[ITLB] + stalls[DTLB];
        const tp = P['tlb refill'] * NS;
        for (let k = 0; k < NS; k++) {
          if (stalls[k] === 0) continue;
          if (k === ITLB || k === DTLB) cur.phaseStalls[tp + k] += stalls[k];
          else cur.phaseStalls[ph * NS + k] += stalls[k];
        }
      }
      cur.phases[ph] += cycles - tlb;
      cur.phases[P['tlb refill']] += tlb;
      cur.cycles += cycles;
      if (!rec.trapped) {
        cur.instructions++;
        if (!user || rec.opId === XCALL || rec.opId === XRET || rec.opId === GCALL || rec.opId === GRET || rec.opId === ASLSWITCH ||
          (aslTramp >= 0 && pc >= aslTramp && pc < aslTramp + 4096) || (pid === clientPid && pc >= pkGateLo && pc < pkGateHi)) cur.trusted++;
      }
    }
    // the client's reports
    if (user && pid === clientPid && !rec.trapped) {
      if (pc === recId) pendingId = Number(rec.memValue);
      else if (pc === recCycles) pendingCycles = Number(BigInt.asIntN(64, rec.memValue));
      else if (pc === recInsns) {
        let list = samples.get(pendingId);
        if (!list) samples.set(pendingId, (list = []));
        list.push({ cycles: pendingCycles, instructions: Number(BigInt.asIntN(64, rec.memValue)) });
      }
    }
    // satp changes (csrw satp, xcall, xret, gcall, gret, aslswitch) take effect for the next instruction
    if (rec.csrWriteCount > 0) {
      for (let k = 0; k < rec.csrWriteCount; k++) {
        if (rec.csrWriteNum[k] === 0x180) {
          satp = rec.csrWriteValue[k];
          pid = -1;
        } else if (rec.csrWriteNum[k] === CSR_PKR && user) pkr = rec.csrWriteValue[k];
      }
    }
    return cycles;
  };

  const result = machine.run(opts.maxInsns ?? 60_000_000, observer);
  const console = Buffer.concat(chunks).toString('latin1');
  let failure: string | null = null;
  let exitCode: number | null = null;
  if (result.reason !== 'exit') failure = result.reason === 'limit' ? 'instruction limit reached' : result.message;
  else {
    exitCode = result.code;
    if (result.code !== 0) failure = `kernel exited with code ${result.code}`;
    else if (!/client \(pid \d+\) exited with code 0/.test(console)) failure = 'the client did not finish cleanly (wrong answers or a crash)';
  }
  return { console, exitCode, failure, samples, passes, totalInstructions, totalCycles };
}
