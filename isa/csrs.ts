// CSR table: every standard U/S/M CSR of the ratified privileged specification (20211203, chapter 2,
// tables "Currently allocated RISC-V ... CSR addresses"), floating-point CSRs by name only, and the XPC
// CSRs of docs/xpc.md. Numbers and names only; behaviour lives in emulator/.

export interface CsrDef {
  name: string;
  number: number;
  /** Exists only when XLEN = 32 (the upper halves); RV64 tools reject these names. */
  rv32Only?: boolean;
  /** Alternative names assemblers accept. */
  aliases?: string[];
  /**
   * Set for CSRs of extensions rvx does not implement (N, V, H, Smstateen, Sstc, Zkr, Sscofpmf): known by
   * name only, so that the assembler accepts and the disassembler prints the names LLVM does. Accessing
   * them on the machine is an illegal instruction.
   */
  unimplemented?: string;
}

/**
 * The table's rows, made when first asked for: `rvx asm` needs only csrByName, and only for a file that names
 * a CSR, so the rows, the indexes and the CSR record are built on demand (at every start they were about 170
 * KB of young-generation objects and 30-50 fresh pages).
 */
function buildRows(): CsrDef[] {
  const rows: CsrDef[] = [
    // Unprivileged floating-point and counter CSRs.
    { name: 'fflags', number: 0x001 },
    { name: 'frm', number: 0x002 },
    { name: 'fcsr', number: 0x003 },
    { name: 'cycle', number: 0xc00 },
    { name: 'time', number: 0xc01 },
    { name: 'instret', number: 0xc02 },
    // Supervisor.
    { name: 'sstatus', number: 0x100 },
    { name: 'sie', number: 0x104 },
    { name: 'stvec', number: 0x105 },
    { name: 'scounteren', number: 0x106 },
    { name: 'senvcfg', number: 0x10a },
    { name: 'sscratch', number: 0x140 },
    { name: 'sepc', number: 0x141 },
    { name: 'scause', number: 0x142 },
    { name: 'stval', number: 0x143, aliases: ['sbadaddr'] },
    { name: 'sip', number: 0x144 },
    { name: 'satp', number: 0x180, aliases: ['sptbr'] },
    { name: 'scontext', number: 0x5a8 },
    // Machine.
    { name: 'mvendorid', number: 0xf11 },
    { name: 'marchid', number: 0xf12 },
    { name: 'mimpid', number: 0xf13 },
    { name: 'mhartid', number: 0xf14 },
    { name: 'mconfigptr', number: 0xf15 },
    { name: 'mstatus', number: 0x300 },
    { name: 'misa', number: 0x301 },
    { name: 'medeleg', number: 0x302 },
    { name: 'mideleg', number: 0x303 },
    { name: 'mie', number: 0x304 },
    { name: 'mtvec', number: 0x305 },
    { name: 'mcounteren', number: 0x306 },
    { name: 'menvcfg', number: 0x30a },
    { name: 'mstatush', number: 0x310, rv32Only: true },
    { name: 'menvcfgh', number: 0x31a, rv32Only: true },
    { name: 'mcountinhibit', number: 0x320, aliases: ['mucounteren'] },
    { name: 'mscratch', number: 0x340 },
    { name: 'mepc', number: 0x341 },
    { name: 'mcause', number: 0x342 },
    { name: 'mtval', number: 0x343, aliases: ['mbadaddr'] },
    { name: 'mip', number: 0x344 },
    { name: 'mtinst', number: 0x34a },
    { name: 'mtval2', number: 0x34b },
    { name: 'mseccfg', number: 0x747 },
    { name: 'mseccfgh', number: 0x757, rv32Only: true },
    { name: 'mcycle', number: 0xb00 },
    { name: 'minstret', number: 0xb02 },
    // Debug/trace.
    { name: 'tselect', number: 0x7a0 },
    { name: 'tdata1', number: 0x7a1 },
    { name: 'tdata2', number: 0x7a2 },
    { name: 'tdata3', number: 0x7a3 },
    { name: 'mcontext', number: 0x7a8 },
    { name: 'dcsr', number: 0x7b0 },
    { name: 'dpc', number: 0x7b1 },
    { name: 'dscratch0', number: 0x7b2, aliases: ['dscratch'] },
    { name: 'dscratch1', number: 0x7b3 },

    // XPC (docs/xpc.md): supervisor read/write.
    { name: 'xentry_base', number: 0x5c0 },
    { name: 'xentry_size', number: 0x5c1 },
    { name: 'xcap', number: 0x5c2 },
    { name: 'xlink_base', number: 0x5c3 },
    { name: 'xlink_top', number: 0x5c4 },
    { name: 'xlink_limit', number: 0x5c5 },
    { name: 'xseglist', number: 0x5c6 },
    { name: 'xseglist_size', number: 0x5c7 },
    { name: 'xseg_va', number: 0x5c8 },
    { name: 'xseg_pa', number: 0x5c9 },
    { name: 'xseg_len', number: 0x5ca },
    { name: 'xseg_perm', number: 0x5cb },
    // XPC: user read/write.
    { name: 'xsegmask_off', number: 0x800 },
    { name: 'xsegmask_len', number: 0x801 },
    // XPC: user read-only.
    { name: 'uxseg_va', number: 0xcc0 },
    { name: 'uxseg_len', number: 0xcc1 },
    { name: 'xcaller', number: 0xcc2 },

    // Call gates (docs/mechanisms.md §1): supervisor read/write, supervisor read-only, user read-only.
    { name: 'gdom', number: 0x5d0 },
    { name: 'gstack_base', number: 0x5d1 },
    { name: 'gstack_top', number: 0x5d2 },
    { name: 'gstack_limit', number: 0x5d3 },
    { name: 'gfill_gate', number: 0x5d4 },
    { name: 'gfill_dom', number: 0x5d5 },
    { name: 'gfill_satp', number: 0x5d6 },
    { name: 'gfill_pc', number: 0x5d7 },
    { name: 'gfill_target', number: 0x5d8 },
    { name: 'gcache_entries', number: 0xdc0 },
    { name: 'gcaller', number: 0xcd0 },
    // Protection keys (docs/mechanisms.md §2): user read/write.
    { name: 'pkr', number: 0x802 },
    // Address-space lists (docs/mechanisms.md §3): supervisor read/write.
    { name: 'asl_base', number: 0x5e0 },
    { name: 'asl_size', number: 0x5e1 },
    { name: 'asl_tramp', number: 0x5e2 },
    { name: 'asl_index', number: 0x5e3 },
  ];

  // Names of other extensions' CSRs, as LLVM 14 knows them (RISCVSystemOperands.td); not implemented.
  const NAME_ONLY: [ext: string, entries: [name: string, number: number][]][] = [
    ['N', [['ustatus', 0x000], ['uie', 0x004], ['utvec', 0x005], ['uscratch', 0x040], ['uepc', 0x041], ['ucause', 0x042], ['utval', 0x043], ['uip', 0x044], ['sedeleg', 0x102], ['sideleg', 0x103]]],
    ['V', [['vstart', 0x008], ['vxsat', 0x009], ['vxrm', 0x00a], ['vcsr', 0x00f], ['vl', 0xc20], ['vtype', 0xc21], ['vlenb', 0xc22]]],
    ['Zkr', [['seed', 0x015]]],
    ['Smstateen', [
      ['sstateen0', 0x10c], ['sstateen1', 0x10d], ['sstateen2', 0x10e], ['sstateen3', 0x10f],
      ['mstateen0', 0x30c], ['mstateen1', 0x30d], ['mstateen2', 0x30e], ['mstateen3', 0x30f],
      ['hstateen0', 0x60c], ['hstateen1', 0x60d], ['hstateen2', 0x60e], ['hstateen3', 0x60f],
    ]],
    ['Sstc', [['stimecmp', 0x14d], ['vstimecmp', 0x24d]]],
    ['H', [
      ['vsstatus', 0x200], ['vsie', 0x204], ['vstvec', 0x205], ['vsscratch', 0x240], ['vsepc', 0x241], ['vscause', 0x242],
      ['vstval', 0x243], ['vsip', 0x244], ['vsatp', 0x280], ['hstatus', 0x600], ['hedeleg', 0x602], ['hideleg', 0x603],
      ['hie', 0x604], ['htimedelta', 0x605], ['hcounteren', 0x606], ['hgeie', 0x607], ['henvcfg', 0x60a], ['htval', 0x643],
      ['hip', 0x644], ['hvip', 0x645], ['htinst', 0x64a], ['hgatp', 0x680], ['hcontext', 0x6a8], ['hgeip', 0xe12],
    ]],
    ['Sscofpmf', [['scountovf', 0xda0]]],
  ];
  for (const [ext, entries] of NAME_ONLY) for (const [name, number] of entries) rows.push({ name, number, unimplemented: ext });

  // Families.
  for (let i = 3; i <= 31; i++) {
    rows.push({ name: `hpmcounter${i}`, number: 0xc00 + i });
    rows.push({ name: `mhpmcounter${i}`, number: 0xb00 + i });
    rows.push({ name: `mhpmevent${i}`, number: 0x320 + i });
  }
  for (const [name, num] of [['cycleh', 0xc80], ['timeh', 0xc81], ['instreth', 0xc82], ['mcycleh', 0xb80], ['minstreth', 0xb82]] as const) {
    rows.push({ name, number: num, rv32Only: true });
  }
  for (let i = 3; i <= 31; i++) {
    rows.push({ name: `hpmcounter${i}h`, number: 0xc80 + i, rv32Only: true });
    rows.push({ name: `mhpmcounter${i}h`, number: 0xb80 + i, rv32Only: true });
  }
  for (let i = 0; i <= 15; i++) rows.push({ name: `pmpcfg${i}`, number: 0x3a0 + i, rv32Only: i % 2 === 1 });
  for (let i = 0; i <= 63; i++) rows.push({ name: `pmpaddr${i}`, number: 0x3b0 + i });
  return rows;
}

let rowsMade: CsrDef[] | undefined;
function csrRows(): CsrDef[] {
  if (rowsMade === undefined) rowsMade = buildRows();
  return rowsMade;
}

/** Every CSR row (a bundle that never reads it drops it: the call is marked pure). */
export const CSRS: readonly CsrDef[] = /* @__PURE__ */ csrRows();

// Names GNU as also accepts (its opcodes/riscv-opc CSR list) that LLVM 14 does not know: assembler input
// only. They never name a number in disassembly, which stays llvm-objdump's. Debug-spec triggers (tinfo,
// tcontrol, mscontext), and the pre-1.10 name of utval.
const INPUT_ONLY_NAMES: [name: string, number: number][] = [['tinfo', 0x7a4], ['tcontrol', 0x7a5], ['mscontext', 0x7aa], ['ubadaddr', 0x043]];

let byName: Map<string, CsrDef> | undefined;
let byNumber: Map<number, CsrDef> | undefined;

function buildByNumber(): Map<number, CsrDef> {
  const m = new Map<number, CsrDef>();
  for (const c of csrRows()) if (!c.rv32Only && !m.has(c.number)) m.set(c.number, c);
  byNumber = m;
  return m;
}

function buildByName(): Map<string, CsrDef> {
  const m = new Map<string, CsrDef>();
  for (const c of csrRows()) {
    if (c.rv32Only) continue;
    m.set(c.name, c);
    if (c.aliases) for (const a of c.aliases) m.set(a, c);
  }
  for (const [name, number] of INPUT_ONLY_NAMES) {
    if (!m.has(name)) m.set(name, (byNumber ?? buildByNumber()).get(number) ?? { name, number, unimplemented: 'Sdtrig' });
  }
  byName = m;
  return m;
}

/** The RV64 CSR of that name (or alias), if any. */
export function csrByName(name: string): CsrDef | undefined {
  return (byName ?? buildByName()).get(name.toLowerCase());
}

/** The RV64 CSR with that number, if it has a name. */
export function csrByNumber(n: number): CsrDef | undefined {
  return (byNumber ?? buildByNumber()).get(n);
}

/** Named CSR numbers used by the emulator and the kernel generator (implemented ones only). Filled by a
 * plain loop: Object.fromEntries of a filtered, mapped list cost three times as much at start-up. */
export const CSR: Record<string, number> = /* @__PURE__ */ implementedCsrs();
function implementedCsrs(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of csrRows()) if (!c.rv32Only && !c.unimplemented) out[c.name] = c.number;
  return out;
}
