// Every system image, by name (what `rvx kernel` and `npm run build:images` build).

import type { SystemSpec } from '../system.js';
import { hello } from './hello.js';
import { attacks } from './attacks.js';
import { hostile } from './hostile.js';
import { badges, longmsg, notify, pingpong, priorities, reclaim, timeshare } from './ipc.js';
import { ipcServerDies, xpcCalleeExits, xpcChain, xpcHostile, xpcIpcMix, xpcPreempt } from './xpc.js';

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
  return SYSTEMS.find((s) => s.name === name);
}
