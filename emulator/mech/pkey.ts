// Protection keys in one address space (docs/mechanisms.md §2), after UnderBridge's use of Intel
// PKU/MPK: a 5-bit key in every leaf PTE (bits 58:54) and a user-writable rights register `pkr` with two
// bits per key (bit 2k access-disable, bit 2k+1 write-disable), checked on every data access to a user
// page after the page permissions. The MMU asks `allows` during its walk; a pkr write flushes the
// emulator's software TLB (which caches permissions), as the hardware re-checks PKRU on every access.

export const CSR_PKR = 0x802;
/** Bits 58:54 of a leaf PTE hold the key; as bits of (PTE >> 54). */
export const PKEY_FIELD_MASK = 0x1f;
export const PKEY_COUNT = 32;

export class PkeyEngine {
  /** The rights register, as two 32-bit halves (keys 0–15 in lo, 16–31 in hi). */
  private lo = 0;
  private hi = 0;

  get pkr(): bigint {
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }

  set pkr(v: bigint) {
    this.lo = Number(v & 0xffffffffn) | 0;
    this.hi = Number((v >> 32n) & 0xffffffffn) | 0;
  }

  /** Whether a data access (write or not) to a page with this key is allowed by pkr. */
  allows(key: number, write: boolean): boolean {
    const word = key < 16 ? this.lo : this.hi;
    const bits = (word >>> ((key & 15) * 2)) & 3;
    return (bits & 1) === 0 && (!write || (bits & 2) === 0);
  }
}
