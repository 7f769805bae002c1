// A fully associative TLB with true LRU replacement: `entries` slots for 4 KiB pages and
// `superpageEntries` slots for 2 MiB / 1 GiB leaves (Rocket keeps superpages in separate entries).
// Entries are tagged with the virtual page number at their level and, when ASID tagging is on, with
// the ASID (global mappings match any ASID).

const PAGE = 4096;

export class Tlb {
  private readonly tags: Float64Array;
  private readonly levels: Int8Array;
  private readonly asids: Int32Array;
  private readonly globals: Uint8Array;
  private readonly stamps: Float64Array;
  private readonly small: number;
  private clock = 0;
  /** The last hit (vpn, asid) and the entry it found; memoVpn NaN once any entry changes. */
  private memoVpn = NaN;
  private memoAsid = 0;
  private memoIndex = 0;

  constructor(entries: number, superpageEntries: number) {
    const n = entries + superpageEntries;
    this.small = entries;
    this.tags = new Float64Array(n).fill(NaN);
    this.levels = new Int8Array(n);
    this.asids = new Int32Array(n);
    this.globals = new Uint8Array(n);
    this.stamps = new Float64Array(n);
  }

  /** Hit for virtual address va under asid (pass 0 when ASIDs are not tagged)? Updates LRU. */
  lookup(va: number, asid: number): boolean {
    const vpn = Math.floor(va / PAGE);
    // The entries have not changed since the last hit for this vpn and asid: the scan below would stop
    // at the same entry.
    if (vpn === this.memoVpn && asid === this.memoAsid) {
      this.stamps[this.memoIndex] = ++this.clock;
      return true;
    }
    for (let i = 0; i < this.tags.length; i++) {
      const level = this.levels[i];
      const tag = level === 0 ? vpn : Math.floor(vpn / (level === 1 ? 512 : 262144));
      if (this.tags[i] === tag && (this.globals[i] === 1 || this.asids[i] === asid)) {
        this.stamps[i] = ++this.clock;
        this.memoVpn = vpn;
        this.memoAsid = asid;
        this.memoIndex = i;
        return true;
      }
    }
    return false;
  }

  /** Install the translation of va found at leaf `level` (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB). */
  insert(va: number, level: number, asid: number, global: boolean): void {
    const vpn = Math.floor(va / PAGE);
    const tag = level === 0 ? vpn : Math.floor(vpn / (level === 1 ? 512 : 262144));
    let lo = 0;
    let hi = this.small;
    if (level > 0 && this.tags.length > this.small) {
      lo = this.small;
      hi = this.tags.length;
    }
    this.memoVpn = NaN;
    let victim = lo;
    for (let i = lo; i < hi; i++) {
      if (this.tags[i] !== this.tags[i]) {
        victim = i; // invalid (NaN) slot first
        break;
      }
      if (this.stamps[i] < this.stamps[victim]) victim = i;
    }
    this.tags[victim] = tag;
    this.levels[victim] = level;
    this.asids[victim] = asid;
    this.globals[victim] = global ? 1 : 0;
    this.stamps[victim] = ++this.clock;
  }

  /** sfence.vma semantics (privileged spec 4.2.1): va null = all addresses, asid null = all ASIDs. */
  flush(va: number | null, asid: number | null): void {
    this.memoVpn = NaN;
    const vpn = va === null ? 0 : Math.floor(va / PAGE);
    for (let i = 0; i < this.tags.length; i++) {
      if (this.tags[i] !== this.tags[i]) continue;
      if (asid !== null && (this.globals[i] === 1 || this.asids[i] !== asid)) continue;
      if (va !== null) {
        const level = this.levels[i];
        const tag = level === 0 ? vpn : Math.floor(vpn / (level === 1 ? 512 : 262144));
        if (this.tags[i] !== tag) continue;
      }
      this.tags[i] = NaN;
    }
  }

  flushAll(): void {
    this.memoVpn = NaN;
    this.tags.fill(NaN);
  }
}
