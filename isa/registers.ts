// Integer register names: x0..x31 and the ABI names of the psABI (with fp as a second name for s0).

export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

const BY_NAME = new Map<string, number>();
ABI_NAMES.forEach((n, i) => BY_NAME.set(n, i));
for (let i = 0; i < 32; i++) BY_NAME.set(`x${i}`, i);
BY_NAME.set('fp', 8);

/** Register number for an ABI or numeric name (case-insensitive), or undefined. */
export function registerNumber(name: string): number | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** The ABI name of register n, as disassemblers print it. */
export function registerName(n: number): string {
  return ABI_NAMES[n];
}

/** Floating-point register ABI names (psABI): ft0-ft7, fs0-fs1, fa0-fa7, fs2-fs11, ft8-ft11. */
export const FP_ABI_NAMES: readonly string[] = [
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
  'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11',
];

const FP_BY_NAME = new Map<string, number>();
FP_ABI_NAMES.forEach((n, i) => FP_BY_NAME.set(n, i));
for (let i = 0; i < 32; i++) FP_BY_NAME.set(`f${i}`, i);

/** Floating-point register number for an ABI or numeric name (case-insensitive), or undefined. */
export function fpRegisterNumber(name: string): number | undefined {
  return FP_BY_NAME.get(name.toLowerCase());
}

/** The ABI name of floating-point register n. */
export function fpRegisterName(n: number): string {
  return FP_ABI_NAMES[n];
}

/** Rounding-mode operand names (F chapter, "Rounding mode encoding"); 5 and 6 are reserved. */
export const ROUNDING_MODES: readonly string[] = ['rne', 'rtz', 'rdn', 'rup', 'rmm', '', '', 'dyn'];
