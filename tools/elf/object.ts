// ELF64 little-endian RISC-V relocatable objects (ET_REL, gABI "Object Files") and `ar` archives (the
// System V/GNU format: `!<arch>\n`, 60-byte member headers, the `/` symbol index and the `//` long-name
// table). Everything read from the file is bounds-checked; a malformed file is refused with an ElfError.

import { EM_RISCV } from './model.js';
import { ElfError } from './read.js';

export const SHT_RELA = 4;
export const SHT_GROUP = 17;
export const SHF_MERGE = 0x10;
export const SHF_STRINGS = 0x20;
export const SHF_GROUP = 0x200;
export const SHF_TLS = 0x400;
export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;

export interface ObjSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  size: number;
  align: number;
  entsize: number;
  link: number;
  info: number;
  /** Contents (empty for NOBITS). */
  data: Uint8Array;
}

export interface ObjSymbol {
  name: string;
  value: bigint;
  size: bigint;
  /** 0 local, 1 global, 2 weak, 10 GNU unique. */
  bind: number;
  /** 0 notype, 1 object, 2 func, 3 section, 4 file, 5 common, 6 tls. */
  type: number;
  shndx: number;
  /** st_other's visibility: 0 default, 1 internal, 2 hidden, 3 protected. */
  visibility?: number;
}

export interface ObjReloc {
  offset: number;
  type: number;
  sym: number;
  addend: bigint;
}

export interface ElfObject {
  name: string;
  flags: number;
  sections: ObjSection[];
  symbols: ObjSymbol[];
  /** Relocations by the index of the section they apply to. */
  relocs: Map<number, ObjReloc[]>;
}

function str(bytes: Uint8Array, off: number, what: string): string {
  if (off < 0 || off >= bytes.length) throw new ElfError(`${what}: name offset ${off} outside its string table`);
  let end = off;
  while (end < bytes.length && bytes[end] !== 0) end++;
  let s = '';
  for (let i = off; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Is this an ELF relocatable object (by its header)? */
export function isElfObject(b: Uint8Array): boolean {
  return b.length >= 18 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46 && b[16] === 1 && b[17] === 0;
}

export function readObject(bytes: Uint8Array, name: string): ElfObject {
  const fail = (m: string): never => {
    throw new ElfError(`${name}: ${m}`);
  };
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) fail('not an ELF file');
  if (bytes[4] !== 2 || bytes[5] !== 1) fail('not a 64-bit little-endian ELF file');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint16(16, true) !== 1) fail('not a relocatable object (ET_REL)');
  if (v.getUint16(18, true) !== EM_RISCV) fail(`machine ${v.getUint16(18, true)} is not RISC-V (243)`);
  const flags = v.getUint32(48, true);
  const shoff = v.getBigUint64(40, true);
  const shentsize = v.getUint16(58, true);
  let shnum = v.getUint16(60, true);
  let shstrndx = v.getUint16(62, true);
  if (shoff === 0n) fail('no section headers');
  if (shentsize !== 64) fail(`section header size ${shentsize} (expected 64)`);
  if (shoff > BigInt(bytes.length)) fail('section headers outside the file');
  const sh0 = Number(shoff);
  if (sh0 + 64 > bytes.length) fail('section headers outside the file');
  if (shnum === 0) shnum = Number(v.getBigUint64(sh0 + 32, true));
  if (shstrndx === 0xffff) shstrndx = v.getUint32(sh0 + 40, true);
  if (shnum > 65536 * 4 || sh0 + shnum * 64 > bytes.length) fail('section headers outside the file');
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const p = sh0 + i * 64;
    const type = v.getUint32(p + 4, true);
    const off = v.getBigUint64(p + 24, true);
    const size = v.getBigUint64(p + 32, true);
    if (type !== 8 && type !== 0 && (off > BigInt(bytes.length) || size > BigInt(bytes.length) - off)) fail(`section ${i} extends past the end of the file`);
    if (size > 1n << 32n) fail(`section ${i} is too large`);
    const align = Number(v.getBigUint64(p + 48, true));
    raw.push({
      nameOff: v.getUint32(p, true), type, flags: Number(v.getBigUint64(p + 8, true) & 0xffffffffn), off: Number(off), size: Number(size),
      link: v.getUint32(p + 40, true), info: v.getUint32(p + 44, true), align: align || 1, entsize: Number(v.getBigUint64(p + 56, true)),
    });
  }
  if (shstrndx >= shnum) fail('bad section name table index');
  const shstr = bytes.subarray(raw[shstrndx].off, raw[shstrndx].off + raw[shstrndx].size);
  const sections: ObjSection[] = raw.map((r, i) => ({
    index: i, name: i === 0 ? '' : str(shstr, r.nameOff, `section ${i}`), type: r.type, flags: r.flags, size: r.size,
    align: r.align, entsize: r.entsize, link: r.link, info: r.info,
    data: r.type === 8 || r.type === 0 ? new Uint8Array(0) : bytes.subarray(r.off, r.off + r.size),
  }));
  for (const s of sections) if (s.align & (s.align - 1) || s.align > 1 << 30) fail(`section ${s.name}: alignment ${s.align} is not a power of two`);
  // Symbols.
  const symtabs = sections.filter((s) => s.type === 2);
  if (symtabs.length > 1) fail('more than one symbol table');
  const symbols: ObjSymbol[] = [];
  if (symtabs.length) {
    const st = symtabs[0];
    if (st.link >= shnum) fail('symbol table names a bad string table');
    const strtab = sections[st.link].data;
    const sv = new DataView(st.data.buffer, st.data.byteOffset, st.data.byteLength);
    for (let p = 0; p + 24 <= st.data.length; p += 24) {
      const info = st.data[p + 4];
      symbols.push({
        name: str(strtab, sv.getUint32(p, true), 'symbol') || '',
        bind: info >> 4, type: info & 15, shndx: sv.getUint16(p + 6, true), value: sv.getBigUint64(p + 8, true), size: sv.getBigUint64(p + 16, true),
        visibility: st.data[p + 5] & 3,
      });
    }
    for (const s of symbols) if (s.shndx !== 0 && s.shndx < 0xff00 && s.shndx >= shnum) fail(`symbol '${s.name}' in section ${s.shndx}, which does not exist`);
  }
  const relocs = new Map<number, ObjReloc[]>();
  for (const s of sections) {
    if (s.type === 9) fail(`section ${s.name}: REL relocations (RISC-V uses RELA)`);
    if (s.type !== SHT_RELA) continue;
    if (s.info >= shnum || s.info === 0) fail(`section ${s.name} applies to a bad section`);
    const target = sections[s.info];
    const rv = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    const list: ObjReloc[] = [];
    for (let p = 0; p + 24 <= s.data.length; p += 24) {
      const info = rv.getBigUint64(p + 8, true);
      const r = { offset: Number(rv.getBigUint64(p, true)), type: Number(info & 0xffffffffn), sym: Number(info >> 32n), addend: rv.getBigInt64(p + 16, true) };
      if (r.sym >= symbols.length) fail(`section ${s.name}: relocation names symbol ${r.sym}, which does not exist`);
      if (r.offset > target.size) fail(`section ${s.name}: relocation at 0x${r.offset.toString(16)} is outside ${target.name}`);
      list.push(r);
    }
    relocs.set(s.info, (relocs.get(s.info) ?? []).concat(list));
  }
  return { name, flags, sections, symbols, relocs };
}

export interface ArchiveMember {
  name: string;
  data: Uint8Array;
}

/** Is this an `ar` archive? */
export function isArchive(b: Uint8Array): boolean {
  return b.length >= 8 && String.fromCharCode(...b.subarray(0, 8)) === '!<arch>\n';
}

/** The members of an archive (symbol index and long-name table consumed), and the index: symbol -> member. */
export function readArchive(bytes: Uint8Array, name: string): { members: ArchiveMember[]; index: Map<string, number> } {
  if (!isArchive(bytes)) throw new ElfError(`${name}: not an ar archive`);
  const members: ArchiveMember[] = [];
  const offsets = new Map<number, number>();
  let symIndex: Uint8Array | null = null;
  let longNames: Uint8Array | null = null;
  let p = 8;
  while (p + 60 <= bytes.length) {
    const hdr = String.fromCharCode(...bytes.subarray(p, p + 60));
    if (hdr.slice(58, 60) !== '`\n') throw new ElfError(`${name}: bad member header at ${p}`);
    const size = Number(hdr.slice(48, 58).trim());
    if (!Number.isSafeInteger(size) || size < 0 || p + 60 + size > bytes.length) throw new ElfError(`${name}: member at ${p} extends past the end`);
    const data = bytes.subarray(p + 60, p + 60 + size);
    let mname = hdr.slice(0, 16).trimEnd();
    if (mname === '/') symIndex = data;
    else if (mname === '//') longNames = data;
    else if (mname === '/SYM64/') throw new ElfError(`${name}: 64-bit symbol index not supported`);
    else {
      if (mname.startsWith('/') && longNames) {
        const off = Number(mname.slice(1));
        let e = off;
        while (e < longNames.length && longNames[e] !== 0x0a) e++;
        mname = String.fromCharCode(...longNames.subarray(off, e));
      }
      if (mname.endsWith('/')) mname = mname.slice(0, -1);
      offsets.set(p, members.length);
      members.push({ name: mname, data });
    }
    p += 60 + size + (size & 1);
  }
  const index = new Map<string, number>();
  if (symIndex && symIndex.length >= 4) {
    const dv = new DataView(symIndex.buffer, symIndex.byteOffset, symIndex.byteLength);
    const n = dv.getUint32(0, false);
    let q = 4 + 4 * n;
    if (q > symIndex.length) throw new ElfError(`${name}: bad symbol index`);
    for (let i = 0; i < n; i++) {
      const off = dv.getUint32(4 + 4 * i, false);
      let e = q;
      while (e < symIndex.length && symIndex[e] !== 0) e++;
      const sym = String.fromCharCode(...symIndex.subarray(q, e));
      q = e + 1;
      const m = offsets.get(off);
      if (m !== undefined && !index.has(sym)) index.set(sym, m);
    }
  }
  return { members, index };
}
