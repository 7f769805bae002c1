// Architectural constants of the privileged spec (20211203) the hart uses: modes, causes, CSR fields.

export const PRV_U = 0;
export const PRV_S = 1;
export const PRV_M = 3;

// Exception codes (privileged spec §3.1.15, table "Machine cause register (mcause) values after trap").
export const CAUSE_MISALIGNED_FETCH = 0;
export const CAUSE_FETCH_ACCESS = 1;
export const CAUSE_ILLEGAL_INSTRUCTION = 2;
export const CAUSE_BREAKPOINT = 3;
export const CAUSE_MISALIGNED_LOAD = 4;
export const CAUSE_LOAD_ACCESS = 5;
export const CAUSE_MISALIGNED_STORE = 6;
export const CAUSE_STORE_ACCESS = 7;
export const CAUSE_USER_ECALL = 8;
export const CAUSE_SUPERVISOR_ECALL = 9;
export const CAUSE_MACHINE_ECALL = 11;
export const CAUSE_FETCH_PAGE_FAULT = 12;
export const CAUSE_LOAD_PAGE_FAULT = 13;
export const CAUSE_STORE_PAGE_FAULT = 15;

// Interrupt numbers (mip/mie bit positions).
export const IRQ_S_SOFT = 1;
export const IRQ_M_SOFT = 3;
export const IRQ_S_TIMER = 5;
export const IRQ_M_TIMER = 7;
export const IRQ_S_EXT = 9;
export const IRQ_M_EXT = 11;
/** Priority order of privileged spec §3.1.9: MEI, MSI, MTI, SEI, SSI, STI. */
export const IRQ_PRIORITY = [IRQ_M_EXT, IRQ_M_SOFT, IRQ_M_TIMER, IRQ_S_EXT, IRQ_S_SOFT, IRQ_S_TIMER];

export const MIP_SSIP = 1 << IRQ_S_SOFT;
export const MIP_MSIP = 1 << IRQ_M_SOFT;
export const MIP_STIP = 1 << IRQ_S_TIMER;
export const MIP_MTIP = 1 << IRQ_M_TIMER;
export const MIP_SEIP = 1 << IRQ_S_EXT;
export const MIP_MEIP = 1 << IRQ_M_EXT;
/** Interrupts that can be delegated to S (like Spike: only the S-level ones). */
export const S_INTERRUPTS = MIP_SSIP | MIP_STIP | MIP_SEIP;
export const ALL_INTERRUPTS = S_INTERRUPTS | MIP_MSIP | MIP_MTIP | MIP_MEIP;

// mstatus fields (privileged spec §3.1.6). Everything rvx implements lives in the low 32 bits; UXL and
// SXL are read-only 2 (64-bit); VS and XS read 0 (no V or custom state); FS is writable with F, and SD
// (bit 63) is computed on reads from FS == Dirty.
export const MSTATUS_SIE = 1 << 1;
export const MSTATUS_MIE = 1 << 3;
export const MSTATUS_SPIE = 1 << 5;
export const MSTATUS_MPIE = 1 << 7;
export const MSTATUS_SPP = 1 << 8;
export const MSTATUS_MPP_SHIFT = 11;
export const MSTATUS_MPP = 3 << MSTATUS_MPP_SHIFT;
export const MSTATUS_MPRV = 1 << 17;
export const MSTATUS_SUM = 1 << 18;
export const MSTATUS_MXR = 1 << 19;
export const MSTATUS_TVM = 1 << 20;
export const MSTATUS_TW = 1 << 21;
export const MSTATUS_TSR = 1 << 22;
/** FS (bits 14:13): Off 0, Initial 1, Clean 2, Dirty 3 (privileged spec §3.1.6.6). */
export const MSTATUS_FS = 3 << 13;
export const MSTATUS_FS_DIRTY = 3 << 13;
/** SD (bit 63), as a bigint for CSR reads. */
export const MSTATUS_SD_BIT = 1n << 63n;
export const MSTATUS_WRITABLE =
  MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP | MSTATUS_MPRV |
  MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR;
export const SSTATUS_WRITABLE = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR;
/** UXL = 2 in bits 33:32, SXL = 2 in bits 35:34. */
export const MSTATUS_XL_BITS = (2n << 32n) | (2n << 34n);
export const SSTATUS_XL_BITS = 2n << 32n;

/** medeleg bits that can be set (as Spike without H): every exception except ecall from M. */
export const MEDELEG_WRITABLE =
  (1 << CAUSE_MISALIGNED_FETCH) | (1 << CAUSE_FETCH_ACCESS) | (1 << CAUSE_ILLEGAL_INSTRUCTION) |
  (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_MISALIGNED_LOAD) | (1 << CAUSE_LOAD_ACCESS) |
  (1 << CAUSE_MISALIGNED_STORE) | (1 << CAUSE_STORE_ACCESS) | (1 << CAUSE_USER_ECALL) |
  (1 << CAUSE_SUPERVISOR_ECALL) | (1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) |
  (1 << CAUSE_STORE_PAGE_FAULT);

/** menvcfg.ADUE (Svadu): hardware updates PTE A/D bits when set. */
export const MENVCFG_ADUE = 1n << 61n;
export const ENVCFG_FIOM = 1n;

export const SATP_MODE_BARE = 0;
export const SATP_MODE_SV39 = 8;
