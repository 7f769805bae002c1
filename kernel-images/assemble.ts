// The kernel images are assembled with rvx's own assembler (tools/asm), never an external toolchain.

import { assemble, formatDiagnostic } from '../tools/asm/index.js';
import type { AssembleFn } from './image.js';

export class KernelBuildError extends Error {}

export const rvxAssemble: AssembleFn = async (sources, base) => {
  const r = assemble(sources, { base: BigInt(base), march: 'rv64imac', listing: false });
  if (!r.ok) {
    const errs = r.diagnostics.filter((d) => d.severity === 'error').slice(0, 20).map(formatDiagnostic);
    throw new KernelBuildError(`assembling ${sources.map((s) => s.name).join(', ')} failed:\n${errs.join('\n')}`);
  }
  const symbols = new Map<string, number>();
  for (const [k, v] of r.symbols) symbols.set(k, Number(v));
  return { image: r.binary(), symbols, elf: r.elf() };
};
