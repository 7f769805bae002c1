// Every system image, by name (what `rvx kernel` and `npm run build:images` build).

import type { SystemSpec } from '../system.js';
import { hello } from './hello.js';
import { attacks } from './attacks.js';
import { hostile } from './hostile.js';
import { badges, longmsg, notify, pingpong, priorities, reclaim, timeshare } from './ipc.js';
import { ipcServerDies, xpcCalleeExits, xpcChain, xpcHostile, xpcIpcMix, xpcPreempt } from './xpc.js';
import type { KernelConfig } from '../kernel/common.js';
import { GATE_EXT, GATE_KERNEL, gateCalls } from './gates.js';
import { ASL_EXT, ASL_KERNEL, aslCalls, aslLeak } from './asl.js';
import { PKEY_DOMAIN_ATTACKS, PKEY_EXT, PKEY_KERNEL, pkeyAttack, pkeyDomains, pkeyPolite, pkeyReplay } from './pkeys.js';

export const SYSTEMS: SystemSpec[] = [
  hello,
  pingpong,
  badges,
  longmsg,
  notify,
  timeshare,
  reclaim,
  priorities,
  xpcChain,
  xpcIpcMix,
  xpcCalleeExits,
  xpcPreempt,
  ipcServerDies,
  ...Object.values(hostile),
  ...Object.values(xpcHostile),
  ...Object.values(attacks),
];

export function systemByName(name: string): SystemSpec | undefined {
  return SYSTEMS.find((s) => s.name === name) ?? MECH_SYSTEMS.find((m) => m.system.name === name)?.system;
}

/**
 * Systems of the IPC mechanisms beside XPC (docs/mechanisms.md): each needs its kernel configuration
 * and its machine extension, so they are kept apart from SYSTEMS (built with the XPC configuration).
 */
export interface MechSystem {
  system: SystemSpec;
  kernel: Partial<KernelConfig>;
  ext: ('gate' | 'asl' | 'pkey')[];
}

export const MECH_SYSTEMS: MechSystem[] = [
  { system: gateCalls, kernel: GATE_KERNEL, ext: [...GATE_EXT] },
  { system: aslCalls, kernel: ASL_KERNEL, ext: [...ASL_EXT] },
  { system: aslLeak, kernel: ASL_KERNEL, ext: [...ASL_EXT] },
  { system: pkeyPolite, kernel: { xpc: false }, ext: [...PKEY_EXT] },
  { system: pkeyAttack, kernel: { xpc: false }, ext: [...PKEY_EXT] },
  ...(Object.keys(PKEY_DOMAIN_ATTACKS) as (keyof typeof PKEY_DOMAIN_ATTACKS)[]).map((k) => ({ system: pkeyDomains(k), kernel: PKEY_KERNEL, ext: [...PKEY_EXT] })),
  { system: pkeyReplay(), kernel: PKEY_KERNEL, ext: [...PKEY_EXT] },
  { system: pkeyReplay(true), kernel: PKEY_KERNEL, ext: [...PKEY_EXT] },
];

/** The kernel configuration and extensions of a mechanism system (undefined: an XPC-configuration system). */
export function mechSystemByName(name: string): MechSystem | undefined {
  return MECH_SYSTEMS.find((m) => m.system.name === name);
}
