// The mechanism engines' view of the machine: RAM by physical address, and satp.

export interface PhysMem {
  isRam(paddr: bigint, size: number): boolean;
  read64(paddr: number): bigint;
  write64(paddr: number, value: bigint): void;
  satp(): bigint;
}
