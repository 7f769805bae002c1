// .eh_frame_hdr (`rvx ld --eh-frame-hdr`), as GNU ld 2.40 builds it: the header unwinders find through the
// PT_GNU_EH_FRAME program header, with a binary search table of every FDE (LSB 5.0, "Exception Frames",
// .eh_frame_hdr):
//   u8 version (1), u8 eh_frame_ptr_enc (DW_EH_PE_pcrel|sdata4), u8 fde_count_enc (DW_EH_PE_udata4),
//   u8 table_enc (DW_EH_PE_datarel|sdata4), eh_frame_ptr (the start of .eh_frame, pc-relative),
//   fde_count, then (initial location, FDE address) pairs relative to the start of .eh_frame_hdr, sorted by
//   initial location.
// The size (12 + 8 per FDE) is fixed before placement from the .eh_frame inputs; the bytes are written from the
// linked .eh_frame. When an FDE's address encoding is not one a table can hold (GNU ld gives up likewise), the
// header says so (fde_count_enc and table_enc DW_EH_PE_omit) and the table is left zero.

import { FRAG_DATA, type InputSection } from '../asm/section.js';

const DW_EH_PE_omit = 0xff;

/** Bytes of a laid-out input section before relocation (data fragments; the rest zero). */
function rawBytes(sec: InputSection): Uint8Array {
  const out = new Uint8Array(sec.size);
  for (let f = 0; f < sec.nFrags; f++) if (sec.kind(f) === FRAG_DATA && sec.fSize[f]) out.set(sec.fragBytes(f), sec.fOff[f]);
  return out;
}

/**
 * Number of FDEs in the .eh_frame input sections (a record whose CIE pointer is non-zero, or will be set by a
 * relocation), or null when a section does not parse as records.
 */
export function countFdes(sections: InputSection[]): number | null {
  let n = 0;
  for (const sec of sections) {
    const b = rawBytes(sec);
    const relocated = new Set(sec.fixups.map((fx) => sec.fOff[fx.frag] + fx.offset));
    let off = 0;
    while (off + 4 <= b.length) {
      const len = b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24);
      if (len === 0) break;
      if (len < 0 || len === -1 || off + 4 + len > b.length || len < 4) return null;
      const id = b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16) | (b[off + 7] << 24);
      if (id !== 0 || relocated.has(off + 4)) n++;
      off += 4 + len;
    }
  }
  return n;
}

export function ehFrameHdrSize(fdes: number): number {
  return 12 + 8 * fdes;
}

class Cursor {
  constructor(
    readonly b: Uint8Array,
    public p: number,
    readonly end: number,
  ) {}
  need(n: number): void {
    if (this.p + n > this.end) throw new RangeError('eh_frame record ends early');
  }
  u8(): number {
    this.need(1);
    return this.b[this.p++];
  }
  uleb(): bigint {
    let v = 0n;
    let s = 0n;
    for (;;) {
      const c = this.u8();
      v |= BigInt(c & 0x7f) << s;
      s += 7n;
      if (!(c & 0x80)) return v;
    }
  }
  sleb(): bigint {
    let v = 0n;
    let s = 0n;
    let c: number;
    do {
      c = this.u8();
      v |= BigInt(c & 0x7f) << s;
      s += 7n;
    } while (c & 0x80);
    return c & 0x40 ? v - (1n << s) : v;
  }
  fixed(n: number, signed: boolean): bigint {
    this.need(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.b[this.p + i]);
    this.p += n;
    return signed ? BigInt.asIntN(n * 8, v) : v;
  }
  cstring(): string {
    let s = '';
    for (let c = this.u8(); c !== 0; c = this.u8()) s += String.fromCharCode(c);
    return s;
  }
}

/** An encoded pointer (DW_EH_PE_*) at the cursor, read as an address (null: an encoding a table cannot use). */
function readPointer(c: Cursor, enc: number, ehAddr: bigint): bigint | null {
  const at = ehAddr + BigInt(c.p);
  let v: bigint;
  switch (enc & 0x0f) {
    case 0x00:
      v = c.fixed(8, false);
      break;
    case 0x01:
      v = c.uleb();
      break;
    case 0x02:
      v = c.fixed(2, false);
      break;
    case 0x03:
      v = c.fixed(4, false);
      break;
    case 0x04:
      v = c.fixed(8, false);
      break;
    case 0x09:
      v = c.sleb();
      break;
    case 0x0a:
      v = c.fixed(2, true);
      break;
    case 0x0b:
      v = c.fixed(4, true);
      break;
    case 0x0c:
      v = c.fixed(8, true);
      break;
    default:
      return null;
  }
  switch (enc & 0x70) {
    case 0x00:
      return BigInt.asUintN(64, v);
    case 0x10:
      return BigInt.asUintN(64, at + v);
    default:
      return null;
  }
}

/** Size in bytes of a pointer in encoding `enc` (for skipping a personality routine), or null if variable. */
function pointerSize(enc: number): number | null {
  return ({ 0x00: 8, 0x02: 2, 0x03: 4, 0x04: 8, 0x0a: 2, 0x0b: 4, 0x0c: 8 } as Record<number, number>)[enc & 0x0f] ?? null;
}

/** FDEs of a linked .eh_frame: (initial location, FDE address), or null when one cannot be read. */
function fdeTable(eh: Uint8Array, ehAddr: bigint): { pc: bigint; fde: bigint }[] | null {
  const cieEnc = new Map<number, number>();
  const cieOf = (off: number): number | null => {
    const known = cieEnc.get(off);
    if (known !== undefined) return known;
    const len = eh[off] | (eh[off + 1] << 8) | (eh[off + 2] << 16) | (eh[off + 3] << 24);
    const c = new Cursor(eh, off + 8, off + 4 + len);
    const version = c.u8();
    const aug = c.cstring();
    if (version === 4) c.fixed(2, false); // address and segment selector sizes
    c.uleb();
    c.sleb();
    if (version === 1) c.u8();
    else c.uleb();
    let enc = 0x00;
    if (aug.startsWith('z')) {
      c.uleb();
      for (const ch of aug.slice(1)) {
        if (ch === 'R') enc = c.u8();
        else if (ch === 'L') c.u8();
        else if (ch === 'P') {
          const penc = c.u8();
          if ((penc & 0x0f) === 0x01 || (penc & 0x0f) === 0x09) (penc & 0x0f) === 0x01 ? c.uleb() : c.sleb();
          else {
            const n = pointerSize(penc);
            if (n === null) return null;
            c.fixed(n, false);
          }
        } else if (ch !== 'S' && ch !== 'B') return null;
      }
    } else if (aug !== '') return null;
    cieEnc.set(off, enc);
    return enc;
  };
  const out: { pc: bigint; fde: bigint }[] = [];
  let off = 0;
  try {
    while (off + 4 <= eh.length) {
      const len = eh[off] | (eh[off + 1] << 8) | (eh[off + 2] << 16) | (eh[off + 3] << 24);
      if (len === 0) break;
      if (len < 4 || off + 4 + len > eh.length) return null;
      const id = (eh[off + 4] | (eh[off + 5] << 8) | (eh[off + 6] << 16) | (eh[off + 7] << 24)) >>> 0;
      if (id !== 0) {
        const cieAt = off + 4 - id;
        if (cieAt < 0) return null;
        const enc = cieOf(cieAt);
        if (enc === null) return null;
        const pc = readPointer(new Cursor(eh, off + 8, off + 4 + len), enc, ehAddr);
        if (pc === null) return null;
        out.push({ pc, fde: ehAddr + BigInt(off) });
      }
      off += 4 + len;
    }
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
  return out;
}

/** The section's bytes for .eh_frame_hdr at `hdrAddr` (`size` bytes, as sized before) over the linked .eh_frame. */
export function buildEhFrameHdr(hdrAddr: bigint, size: number, eh: Uint8Array, ehAddr: bigint): Uint8Array {
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out[0] = 1;
  out[1] = 0x1b; // pcrel | sdata4
  v.setInt32(4, Number(BigInt.asIntN(32, ehAddr - (hdrAddr + 4n))), true);
  const table = fdeTable(eh, ehAddr);
  if (!table || 12 + 8 * table.length > size) {
    out[2] = DW_EH_PE_omit;
    out[3] = DW_EH_PE_omit;
    return out;
  }
  out[2] = 0x03; // udata4
  out[3] = 0x3b; // datarel | sdata4
  v.setUint32(8, table.length, true);
  table.sort((a, b) => (a.pc < b.pc ? -1 : a.pc > b.pc ? 1 : 0));
  table.forEach((t, i) => {
    v.setInt32(12 + 8 * i, Number(BigInt.asIntN(32, t.pc - hdrAddr)), true);
    v.setInt32(16 + 8 * i, Number(BigInt.asIntN(32, t.fde - hdrAddr)), true);
  });
  return out;
}
