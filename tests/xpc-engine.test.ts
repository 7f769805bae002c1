// The XPC engine on its own (docs/xpc.md §4–§6), over a plain RAM: the order of xcall's checks, what a
// faulting instruction leaves alone, the linkage record's layout, xret's checks, swapseg, the relay
// segment's translation rules and the CSR views. The machine-level programs in tests/programs/xpc/
// exercise the same through the hart; these pin down corner cases cheaply.
import { describe, expect, it } from 'vitest';
import {
  SEG_FAULT,
  SEG_LOAD,
  SEG_MISS,
  SEG_MISS_SHARED_PAGE,
  SEG_STORE,
  XpcEngine,
  type XpcHost,
} from '../emulator/xpc/engine.js';
import { XPC_EV_CAP_READ, XPC_EV_ENTRY_READ, XPC_EV_LINK_PUSH, XPC_EV_SATP_SWITCH, XPC_EV_XCALL } from '../emulator/types.js';

const RAM_BASE = 0x80000000;

class Ram implements XpcHost {
  readonly view: DataView;
  satpValue = 0n;
  switches: bigint[] = [];
  constructor(size = 1 << 16) {
    this.view = new DataView(new ArrayBuffer(size));
  }
  isRam(p: number, size: number): boolean {
    return p >= RAM_BASE && p + size <= RAM_BASE + this.view.byteLength;
  }
  read8(p: number): number {
    return this.view.getUint8(p - RAM_BASE);
  }
  read64(p: number): bigint {
    return this.view.getBigUint64(p - RAM_BASE, true);
  }
  write64(p: number, v: bigint): void {
    this.view.setBigUint64(p - RAM_BASE, BigInt.asUintN(64, v), true);
  }
  write8(p: number, v: number): void {
    this.view.setUint8(p - RAM_BASE, v);
  }
  satp(): bigint {
    return this.satpValue;
  }
  switchSatp(v: bigint): void {
    this.satpValue = v;
    this.switches.push(v);
  }
}

const TABLE = RAM_BASE + 0x1000;
const CAP_A = RAM_BASE + 0x2000;
const CAP_B = RAM_BASE + 0x2100;
const LINK = RAM_BASE + 0x3000;
const SEGLIST = RAM_BASE + 0x4000;
const SATP_A = 0x8000100000080001n;
const SATP_B = 0x8000200000080002n;
const CALLER_PC = 0x10000;
const ENTRY_PC = 0x20000;

const XCALL = 0, XRET = 1, SWAPSEG = 2, XPREFETCH = 3;

function setup(): { ram: Ram; e: XpcEngine } {
  const ram = new Ram();
  const e = new XpcEngine(ram);
  ram.satpValue = SATP_A;
  const entry = (i: number, valid: boolean): void => {
    const a = TABLE + 64 * i;
    ram.write64(a, SATP_B);
    ram.write64(a + 8, BigInt(ENTRY_PC + i * 0x100));
    ram.write64(a + 16, BigInt(CAP_B));
    ram.write64(a + 24, BigInt(SEGLIST));
    ram.write64(a + 32, 2n);
    ram.write64(a + 40, valid ? 1n : 0n);
  };
  entry(0, true);
  entry(1, false);
  entry(2, true);
  entry(9, true);
  ram.write8(CAP_A, 0b0000_0011); // ids 0, 1
  ram.write8(CAP_A + 1, 0b0000_0010); // id 9
  e.writeCsr(0x5c0, BigInt(TABLE));
  e.writeCsr(0x5c1, 10n);
  e.writeCsr(0x5c2, BigInt(CAP_A));
  e.writeCsr(0x5c3, BigInt(LINK));
  e.writeCsr(0x5c4, BigInt(LINK));
  e.writeCsr(0x5c5, BigInt(LINK + 4 * 128));
  return { ram, e };
}

function snapshot(e: XpcEngine): bigint[] {
  return [0x5c0, 0x5c1, 0x5c2, 0x5c3, 0x5c4, 0x5c5, 0x5c6, 0x5c7, 0x5c8, 0x5c9, 0x5ca, 0x5cb, 0x800, 0x801, 0xcc2].map((c) => e.readCsr(c));
}

describe('xcall', () => {
  it('checks in the documented order: size, capability, valid bit, link room, mask', () => {
    const { ram, e } = setup();
    // id 10 >= size: 24 even though no capability bit exists for it.
    expect(e.execute(XCALL, 10n, CALLER_PC)).toBe(24);
    expect(e.trapTval).toBe(10n);
    // id 2: valid entry but no capability: 25 before anything else.
    expect(e.execute(XCALL, 2n, CALLER_PC)).toBe(25);
    expect(e.trapTval).toBe(2n);
    // id 1: capability, invalid entry: 24.
    expect(e.execute(XCALL, 1n, CALLER_PC)).toBe(24);
    expect(e.trapTval).toBe(1n);
    // Link stack full: 28 (id 0 is fine otherwise).
    e.writeCsr(0x5c5, BigInt(LINK + 127));
    expect(e.execute(XCALL, 0n, CALLER_PC)).toBe(28);
    expect(e.trapTval).toBe(0n);
    e.writeCsr(0x5c5, BigInt(LINK + 128));
    // Mask with no segment: 27.
    e.writeCsr(0x801, 8n);
    const before = snapshot(e);
    expect(e.execute(XCALL, 0n, CALLER_PC)).toBe(27);
    expect(e.trapTval).toBe(0n);
    expect(snapshot(e)).toEqual(before);
    expect(ram.switches).toEqual([]);
    // A huge id (x[rs1] = -1) is out of range, tval the full value.
    expect(e.execute(XCALL, -1n, CALLER_PC)).toBe(24);
    expect(e.trapTval).toBe(0xffffffffffffffffn);
  });

  it('pushes the documented record, hands the narrowed segment, switches and jumps', () => {
    const { ram, e } = setup();
    e.writeCsr(0x5c6, 0x1234n);
    e.writeCsr(0x5c7, 3n);
    e.writeCsr(0x5c8, 0x60000000n);
    e.writeCsr(0x5c9, 0x80a00000n);
    e.writeCsr(0x5ca, 0x1000n);
    e.writeCsr(0x5cb, 3n);
    e.writeCsr(0x800, 0x100n);
    e.writeCsr(0x801, 0x80n);
    expect(e.execute(XCALL, 9n, CALLER_PC)).toBe(0);
    expect(e.nextPc).toBe(ENTRY_PC + 0x900);
    expect(e.event).toBe(XPC_EV_XCALL | XPC_EV_CAP_READ | XPC_EV_ENTRY_READ | XPC_EV_LINK_PUSH | XPC_EV_SATP_SWITCH);
    expect(e.capPa).toBe(CAP_A + 1);
    expect(e.entryPa).toBe(TABLE + 9 * 64);
    expect(e.linkPa).toBe(LINK);
    expect(ram.switches).toEqual([SATP_B]);
    const rec = Array.from({ length: 16 }, (_, i) => ram.read64(LINK + 8 * i));
    expect(rec).toEqual([
      SATP_A, BigInt(CALLER_PC + 4), BigInt(CAP_A), 0x1234n, 3n,
      0x60000000n, 0x80a00000n, 0x1000n, 3n,
      0x60000100n, 0x80a00100n, 0x80n, 3n,
      1n, 0n, 0n,
    ]);
    expect(e.readCsr(0x5c4)).toBe(BigInt(LINK + 128));
    expect(e.readCsr(0x5c2)).toBe(BigInt(CAP_B));
    expect(e.readCsr(0x5c6)).toBe(BigInt(SEGLIST));
    expect(e.readCsr(0x5c7)).toBe(2n);
    expect(e.readCsr(0xcc0)).toBe(0x60000100n);
    expect(e.readCsr(0xcc1)).toBe(0x80n);
    expect(e.readCsr(0x800)).toBe(0n);
    expect(e.readCsr(0x801)).toBe(0n);
    expect(e.readCsr(0xcc2)).toBe(BigInt(CAP_A));

    // xret restores everything and clears the record's valid bit.
    expect(e.execute(XRET, 0n, ENTRY_PC + 0x940)).toBe(0);
    expect(e.nextPc).toBe(CALLER_PC + 4);
    expect(ram.switches).toEqual([SATP_B, SATP_A]);
    expect(ram.read64(LINK + 104)).toBe(0n);
    expect(e.readCsr(0x5c4)).toBe(BigInt(LINK));
    expect(e.readCsr(0x5c2)).toBe(BigInt(CAP_A));
    expect(e.readCsr(0x5c6)).toBe(0x1234n);
    expect(e.readCsr(0xcc0)).toBe(0x60000000n);
    expect(e.readCsr(0xcc1)).toBe(0x1000n);
    expect(e.readCsr(0xcc2)).toBe(0n);
  });

  it('accepts a mask that exactly fits and refuses one a byte too long or starting at the end', () => {
    for (const [off, len, ok] of [[0x0, 0x1000, true], [0xfff, 1, true], [0xfff, 2, false], [0x1000, 1, false], [0x10, 0xfffffffffffffff8n, false]] as const) {
      const { e } = setup();
      e.writeCsr(0x5c8, 0x60000000n);
      e.writeCsr(0x5ca, 0x1000n);
      e.writeCsr(0x800, BigInt(off));
      e.writeCsr(0x801, BigInt(len));
      expect(e.execute(XCALL, 0n, CALLER_PC)).toBe(ok ? 0 : 27);
    }
  });

  it('raises access faults with the physical address for structures outside RAM, changing nothing', () => {
    const { ram, e } = setup();
    e.writeCsr(0x5c2, 0x1000n);
    expect(e.execute(XCALL, 0n, CALLER_PC)).toBe(5);
    expect(e.trapTval).toBe(0x1000n);
    e.writeCsr(0x5c2, BigInt(CAP_A));
    e.writeCsr(0x5c4, 0x7000_0000n);
    e.writeCsr(0x5c5, 0x7000_1000n);
    const before = snapshot(e);
    expect(e.execute(XCALL, 0n, CALLER_PC)).toBe(7);
    expect(e.trapTval).toBe(0x7000_0000n);
    expect(snapshot(e)).toEqual(before);
    expect(ram.switches).toEqual([]);
  });
});

describe('xret', () => {
  it('refuses an empty stack and an invalid record with tval 0, a changed segment with tval 1', () => {
    const { e } = setup();
    expect(e.execute(XRET, 0n, 0)).toBe(26);
    expect(e.trapTval).toBe(0n);
    e.writeCsr(0x5c4, BigInt(LINK + 128)); // a zero record
    expect(e.execute(XRET, 0n, 0)).toBe(26);
    expect(e.trapTval).toBe(0n);
    e.writeCsr(0x5c4, BigInt(LINK));
    // Call with a segment, then the callee changes it in any field.
    for (const [csr, v] of [[0x5c8, 0x60000008n], [0x5c9, 0x80a00008n], [0x5ca, 0x800n], [0x5cb, 1n], [0x5ca, 0n]] as const) {
      e.writeCsr(0x5c8, 0x60000000n);
      e.writeCsr(0x5c9, 0x80a00000n);
      e.writeCsr(0x5ca, 0x1000n);
      e.writeCsr(0x5cb, 3n);
      expect(e.execute(XCALL, 0n, CALLER_PC)).toBe(0);
      const original = e.readCsr(csr);
      e.writeCsr(csr, v);
      expect(e.execute(XRET, 0n, 0)).toBe(26);
      expect(e.trapTval).toBe(1n);
      e.writeCsr(csr, original);
      expect(e.execute(XRET, 0n, 0)).toBe(0);
    }
    // perm is compared on bits 1:0 only; writes keep only those bits anyway.
    e.writeCsr(0x5cb, 0xffn);
    expect(e.readCsr(0x5cb)).toBe(3n);
  });

  it('returns through nested calls with xcaller following the stack', () => {
    const { ram, e } = setup();
    ram.write8(CAP_B, 0b1); // B may call 0 (itself, in a new frame)
    expect(e.execute(XCALL, 0n, 0x100)).toBe(0);
    expect(e.readCsr(0xcc2)).toBe(BigInt(CAP_A));
    expect(e.execute(XCALL, 0n, 0x200)).toBe(0);
    expect(e.readCsr(0xcc2)).toBe(BigInt(CAP_B));
    expect(e.execute(XRET, 0n, 0)).toBe(0);
    expect(e.nextPc).toBe(0x204);
    expect(e.readCsr(0xcc2)).toBe(BigInt(CAP_A));
    expect(e.execute(XRET, 0n, 0)).toBe(0);
    expect(e.nextPc).toBe(0x104);
    expect(e.readCsr(0xcc2)).toBe(0n);
    // xcaller follows a kernel's switch of link stacks.
    e.writeCsr(0x5c4, BigInt(LINK + 128));
    ram.write64(LINK + 104, 1n);
    expect(e.readCsr(0xcc2)).toBe(BigInt(CAP_A));
  });
});

describe('swapseg', () => {
  it('swaps with a valid entry, empties into an invalid one, refuses an index past the list', () => {
    const { ram, e } = setup();
    e.writeCsr(0x5c6, BigInt(SEGLIST));
    e.writeCsr(0x5c7, 2n);
    ram.write64(SEGLIST, 0x61000000n);
    ram.write64(SEGLIST + 8, 0x80b00000n);
    ram.write64(SEGLIST + 16, 0x2000n);
    ram.write64(SEGLIST + 24, 4n | 1n);
    e.writeCsr(0x5c8, 0x60000000n);
    e.writeCsr(0x5c9, 0x80a00000n);
    e.writeCsr(0x5ca, 0x1000n);
    e.writeCsr(0x5cb, 2n);
    expect(e.execute(SWAPSEG, 0n, 0x40)).toBe(0);
    expect(e.nextPc).toBe(0x44);
    expect([0x5c8, 0x5c9, 0x5ca, 0x5cb].map((c) => e.readCsr(c))).toEqual([0x61000000n, 0x80b00000n, 0x2000n, 1n]);
    expect([0, 8, 16, 24].map((o) => ram.read64(SEGLIST + o))).toEqual([0x60000000n, 0x80a00000n, 0x1000n, 6n]);
    expect(e.execute(SWAPSEG, 1n, 0x40)).toBe(0);
    expect(e.readCsr(0x5ca)).toBe(0n);
    expect(e.segActive).toBe(false);
    expect(ram.read64(SEGLIST + 32 + 24)).toBe(5n);
    expect(e.execute(SWAPSEG, 1n, 0x40)).toBe(0);
    expect(e.readCsr(0x5ca)).toBe(0x2000n);
    expect(ram.read64(SEGLIST + 32 + 24)).toBe(0n);
    expect(e.execute(SWAPSEG, 2n, 0x40)).toBe(27);
    expect(e.trapTval).toBe(2n);
  });
});

describe('xprefetch', () => {
  it('never faults and names the entry for the engine cache', () => {
    const { e } = setup();
    expect(e.execute(XPREFETCH, 2n, 0x80)).toBe(0);
    expect(e.nextPc).toBe(0x84);
    expect(e.entryPa).toBe(TABLE + 128);
    expect(e.execute(XPREFETCH, 1000n, 0x80)).toBe(0);
    e.writeCsr(0x5c0, 0x1000n);
    expect(e.execute(XPREFETCH, 0n, 0x80)).toBe(0);
  });
});

describe('relay-segment translation', () => {
  it('translates inside, misses outside, faults on partial overlap and missing permission', () => {
    const { e } = setup();
    e.writeCsr(0x5c8, 0x60000000n);
    e.writeCsr(0x5c9, 0x80a00000n);
    e.writeCsr(0x5ca, 0x100n);
    e.writeCsr(0x5cb, 1n);
    expect(e.segActive).toBe(true);
    expect(e.translateData(0x60000000, 8, SEG_LOAD)).toBe(0x80a00000);
    expect(e.translateData(0x600000f8, 8, SEG_LOAD)).toBe(0x80a000f8);
    expect(e.translateData(0x600000f9, 8, SEG_LOAD)).toBe(SEG_FAULT);
    expect(e.translateData(0x5ffffffc, 8, SEG_LOAD)).toBe(SEG_FAULT);
    expect(e.translateData(0x5ffffff8, 8, SEG_LOAD)).toBe(SEG_MISS);
    expect(e.translateData(0x60000100, 1, SEG_LOAD)).toBe(SEG_MISS_SHARED_PAGE);
    expect(e.translateData(0x60000ff8, 8, SEG_LOAD)).toBe(SEG_MISS_SHARED_PAGE);
    expect(e.translateData(0x60001000, 8, SEG_LOAD)).toBe(SEG_MISS);
    expect(e.translateData(0x60000000, 8, SEG_STORE)).toBe(SEG_FAULT);
    e.writeCsr(0x5cb, 2n);
    expect(e.translateData(0x60000000, 8, SEG_STORE)).toBe(0x80a00000);
    expect(e.translateData(0x60000000, 8, SEG_LOAD)).toBe(SEG_FAULT);
    e.writeCsr(0x5cb, 3n);
    expect(e.translateData(0x60000000, 8, SEG_LOAD)).toBe(0x80a00000);
    e.writeCsr(0x5ca, 0n);
    expect(e.segActive).toBe(false);
  });

  it('handles segments in the upper half of the address space', () => {
    const { e } = setup();
    e.writeCsr(0x5c8, 0xffffffc000000000n);
    e.writeCsr(0x5c9, 0x80a00000n);
    e.writeCsr(0x5ca, 0x1000n);
    e.writeCsr(0x5cb, 3n);
    expect(e.translateData(-0x4000000000 + 0x10, 4, SEG_LOAD)).toBe(0x80a00010);
    expect(e.translateData(0x10, 4, SEG_LOAD)).toBe(SEG_MISS);
    expect(e.translateData(-0x4000000000 - 8, 4, SEG_LOAD)).toBe(SEG_MISS);
    // A segment as long as half the address space is still a segment.
    e.writeCsr(0x5c8, 0x1800n);
    e.writeCsr(0x5ca, 1n << 63n);
    expect(e.segActive).toBe(true);
    expect(e.translateData(0x3f_ffff_f000, 8, SEG_LOAD)).toBe(0x80a00000 + 0x3f_ffff_f000 - 0x1800);
    expect(e.translateData(0x1000, 8, SEG_LOAD)).toBe(SEG_MISS_SHARED_PAGE);
    expect(e.translateData(0x800, 8, SEG_LOAD)).toBe(SEG_MISS);
  });
});
