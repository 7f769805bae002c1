// System descriptions of the IPC benchmark (`rvx bench ipc`): for each mechanism, the client that
// measures every workload and the servers it calls, as an ordinary SystemSpec the kernel boots.

import type { SystemSpec } from '../system.js';
import { benchPrograms, type BenchParams } from './programs.js';
import { workloadsFor, type Mech, type Workload } from './workloads.js';

export * from './workloads.js';
export { RELAY_BYTES, RELAY_VA, HTTP_RESPONSE, MSG_PATTERN, type BenchParams } from './programs.js';

export interface BenchSystem {
  system: SystemSpec;
  workloads: Workload[];
}

const MECH_DESCRIPTION: Record<Mech, string> = {
  kernel: 'kernel IPC (call / reply_recv)',
  xpc: 'XPC (xcall / xret, relay segments)',
  gate: 'call gates (gcall / gret through the gate cache, shared message frame)',
  asl: 'address-space lists (aslswitch through the trampoline page, shared message frame)',
  pkey: 'protection-key domains in one process (pkr writes through gates, shared message buffer)',
};

/** The kernel configuration and machine extensions a mechanism's image needs. */
export function mechConfig(mech: Mech): { xpc: boolean; gate: boolean; asl: boolean; pkey: boolean; ext: ('xpc' | 'gate' | 'asl' | 'pkey')[] } {
  return { xpc: mech === 'xpc', gate: mech === 'gate', asl: mech === 'asl', pkey: mech === 'pkey', ext: mech === 'kernel' ? [] : [mech] };
}

/** The benchmark system for one mechanism (`only: 'ipc'`: the one-way calls and the round-trip sweep alone). */
export function benchSystem(mech: Mech, params: BenchParams, opts: { only?: 'ipc' } = {}): BenchSystem {
  const workloads = workloadsFor(mech, opts);
  const p = benchPrograms(mech, workloads, params);
  const system: SystemSpec = {
    name: `bench-ipc-${mech}${params.isolated && mech !== 'kernel' ? '-isolated' : ''}${opts.only ? `-${opts.only}` : ''}`,
    description: `IPC benchmark, ${MECH_DESCRIPTION[mech]}${params.isolated && mech !== 'kernel' ? ', isolated callers' : ''}: ${workloads.map((w) => w.name).filter((n, i, a) => a.indexOf(n) === i).join(', ')}`,
    endpoints: p.endpoints,
    programs: p.programs,
    xentries: p.xentries,
    ...(p.gates ? { gates: p.gates } : {}),
    ...(p.frames ? { frames: p.frames } : {}),
    ...(mech === 'pkey' ? { pkeyInspect: true } : {}),
  };
  return { system, workloads };
}
