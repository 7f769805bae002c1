export { Machine, MachineError } from './machine.js';
export type { MachineOptions, MachineStats } from './machine.js';
export type { XpcHook } from './xpc-hook.js';
export { isXpcCsr } from './xpc-hook.js';
export { Hart, RAM_BASE, ROM_BASE, CLINT_BASE } from './hart.js';
export * from './types.js';
