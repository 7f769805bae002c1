// The microkernel's public surface, for the CLI, the tests and the IPC benchmarks:
//
//   const image = await buildImage(system, rvxAssemble, { xpc: true });   // SystemSpec -> kernel ELF
//   const { console, result, machine } = bootImage(image, { observer });  // boot it on rvx
//
// docs/kernel.md describes the kernel, its system calls and how to write a system description.

export { rvxAssemble, KernelBuildError } from './assemble.js';
export { bootImage, type BootOptions, type BootResult } from './boot.js';
export { buildImage, kernelSource, type AssembleFn, type KernelImage } from './image.js';
export { DEFAULT_KERNEL_CONFIG, type KernelConfig } from './kernel.js';
export * as layout from './layout.js';
export { checkSystem, programSource, SystemError, type CapSpec, type ProgramSpec, type SystemSpec, type XEntrySpec } from './system.js';
export { SYSTEMS, systemByName } from './systems/index.js';
export { echoServer, roundTripClient } from './systems/ipc.js';
