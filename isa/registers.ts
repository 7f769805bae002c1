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
