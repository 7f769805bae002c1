// Load-time inspection of a protection-key domain's code (docs/mechanisms.md §2.4): the defence ERIM
// (Vahldiek-Oberwagner et al., USENIX Security 2019) and Hodor (Hedayati et al., USENIX ATC 2019) use
// against a domain that writes the rights register itself. With `pkey` any user code may write `pkr`
// (0x802), so a domain's code must contain no instruction that could write it, except inside the gates
// the kernel provides. Instructions are 2-byte aligned (C), so every 2-byte offset is a possible start:
// a write hidden in the middle of other instructions or in constants placed in the text is found too.
// The kernel must also keep domain code non-writable and never map writable memory executable (W^X),
// or a domain could write such an instruction at run time; the rvx kernel maps text R X and data R W.

/** csr number of pkr (docs/mechanisms.md §2). */
const CSR_PKR = 0x802;
const OPCODE_SYSTEM = 0x73;

export interface PkrWrite {
  /** Byte offset in the inspected code. */
  offset: number;
  /** The 32-bit word found there. */
  bits: number;
}

/**
 * Whether a 32-bit word is a CSR instruction that may write pkr: csrrw/csrrwi always (even with rd = x0),
 * csrrs/csrrc with rs1 ≠ x0, csrrsi/csrrci with a nonzero immediate (privileged spec: those with rs1 =
 * x0 / uimm = 0 do not write). Reads (csrr) are allowed: a domain may know its rights.
 */
export function mayWritePkr(bits: number): boolean {
  if ((bits & 0x7f) !== OPCODE_SYSTEM || bits >>> 20 !== CSR_PKR) return false;
  const funct3 = (bits >>> 12) & 7;
  const rs1 = (bits >>> 15) & 31;
  if (funct3 === 1 || funct3 === 5) return true;
  if (funct3 === 2 || funct3 === 3 || funct3 === 6 || funct3 === 7) return rs1 !== 0;
  return false;
}

/**
 * Every offset in `code` (a domain's executable bytes) where a pkr write starts, outside the allowed
 * byte ranges (the kernel's gates, [start, end) offsets). Empty = the domain may be loaded.
 */
export function findPkrWrites(code: Uint8Array, allowed: readonly [start: number, end: number][] = []): PkrWrite[] {
  const found: PkrWrite[] = [];
  for (let off = 0; off + 4 <= code.length; off += 2) {
    const bits = (code[off] | (code[off + 1] << 8) | (code[off + 2] << 16) | (code[off + 3] << 24)) >>> 0;
    if (!mayWritePkr(bits)) continue;
    if (allowed.some(([s, e]) => off >= s && off + 4 <= e)) continue;
    found.push({ offset: off, bits });
  }
  return found;
}
