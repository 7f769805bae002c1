// tools/elf/read.ts: parsing a hand-built ELF and files from LLVM / GNU ld, precise errors for broken
// headers, and fuzzing (truncation at every offset, bit flips, random bytes) that must only ever yield an
// ElfImage or an ElfError.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElfError, readElf } from '../tools/elf/read.js';
import type { ElfImage } from '../tools/elf/model.js';

// ---- A small ELF64 builder for the tests (independent of the project's writer) ----------------------

interface BuildOptions {
  noSections?: boolean;
}

/** An executable with one PT_LOAD (.text + .data), a .bss, .symtab/.strtab and .shstrtab. */
function buildElf(opts: BuildOptions = {}): Uint8Array {
  const text = Uint8Array.from([0x13, 0x05, 0xa0, 0x00, 0x73, 0x00, 0x00, 0x00]); // li a0,10; ecall
  const data = Uint8Array.from([1, 2, 3, 4]);
  const shstr = '\0.text\0.data\0.bss\0.symtab\0.strtab\0.shstrtab\0';
  const str = '\0_start\0value\0local_label\0';
  const nameOf = (table: string, n: string) => table.indexOf(`\0${n}\0`) + 1;
  const out = new Uint8Array(1024);
  const v = new DataView(out.buffer);
  const textOff = 0x100;
  const dataOff = 0x108;
  const strOff = 0x110;
  const symOff = 0x140; // 4 symbols x 24
  const shstrOff = 0x1a0;
  const shOff = 0x200; // 7 sections x 64
  const total = shOff + 7 * 64;
  // File header.
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 243, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(24, 0x80000000n, true);
  v.setBigUint64(32, 64n, true);
  v.setBigUint64(40, opts.noSections ? 0n : BigInt(shOff), true);
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, 2, true);
  v.setUint16(58, 64, true);
  v.setUint16(60, opts.noSections ? 0 : 7, true);
  v.setUint16(62, opts.noSections ? 0 : 6, true);
  // Program headers: PT_LOAD R+X over .text/.data, and a PT_NOTE-like header (type 4) that is skipped.
  const ph = (i: number, type: number, flags: number, off: number, vaddr: bigint, filesz: number, memsz: number) => {
    const p = 64 + i * 56;
    v.setUint32(p, type, true);
    v.setUint32(p + 4, flags, true);
    v.setBigUint64(p + 8, BigInt(off), true);
    v.setBigUint64(p + 16, vaddr, true);
    v.setBigUint64(p + 24, vaddr, true);
    v.setBigUint64(p + 32, BigInt(filesz), true);
    v.setBigUint64(p + 40, BigInt(memsz), true);
    v.setBigUint64(p + 48, 0x1000n, true);
  };
  ph(0, 1, 5, textOff, 0x80000000n, 12, 0x20);
  ph(1, 4, 4, 0, 0n, 0, 0);
  out.set(text, textOff);
  out.set(data, dataOff);
  out.set(new TextEncoder().encode(str), strOff);
  out.set(new TextEncoder().encode(shstr), shstrOff);
  const sym = (i: number, name: number, info: number, shndx: number, value: bigint, size: number) => {
    const p = symOff + i * 24;
    v.setUint32(p, name, true);
    out[p + 4] = info;
    v.setUint16(p + 6, shndx, true);
    v.setBigUint64(p + 8, value, true);
    v.setBigUint64(p + 16, BigInt(size), true);
  };
  sym(1, nameOf(str, 'local_label'), 0x00, 1, 0x80000004n, 0);
  sym(2, nameOf(str, '_start'), 0x12, 1, 0x80000000n, 8);
  sym(3, nameOf(str, 'value'), 0x11, 2, 0x80000008n, 4);
  const sh = (i: number, name: number, type: number, flags: number, addr: bigint, off: number, size: number, link = 0, info = 0, entsize = 0) => {
    const p = shOff + i * 64;
    v.setUint32(p, name, true);
    v.setUint32(p + 4, type, true);
    v.setBigUint64(p + 8, BigInt(flags), true);
    v.setBigUint64(p + 16, addr, true);
    v.setBigUint64(p + 24, BigInt(off), true);
    v.setBigUint64(p + 32, BigInt(size), true);
    v.setUint32(p + 40, link, true);
    v.setUint32(p + 44, info, true);
    v.setBigUint64(p + 48, 4n, true);
    v.setBigUint64(p + 56, BigInt(entsize), true);
  };
  if (!opts.noSections) {
    sh(1, nameOf(shstr, '.text'), 1, 6, 0x80000000n, textOff, 8);
    sh(2, nameOf(shstr, '.data'), 1, 3, 0x80000008n, dataOff, 4);
    sh(3, nameOf(shstr, '.bss'), 8, 3, 0x8000000cn, 0x10c, 0x14);
    sh(4, nameOf(shstr, '.symtab'), 2, 0, 0n, symOff, 4 * 24, 5, 2, 24);
    sh(5, nameOf(shstr, '.strtab'), 3, 0, 0n, strOff, str.length);
    sh(6, nameOf(shstr, '.shstrtab'), 3, 0, 0n, shstrOff, shstr.length);
  }
  return out.slice(0, opts.noSections ? 0x110 : total);
}

/** readElf, returning the image or the ElfError; anything else is a test failure. */
function parse(bytes: Uint8Array): ElfImage | ElfError {
  try {
    return readElf(bytes);
  } catch (e) {
    if (e instanceof ElfError) {
      expect(e.message).toMatch(/^[^\n]+$/);
      return e;
    }
    throw new Error(`readElf threw a non-ElfError: ${e instanceof Error ? e.stack : String(e)}`);
  }
}

function errorOf(bytes: Uint8Array): string {
  const r = parse(bytes);
  if (!(r instanceof ElfError)) throw new Error('expected an ElfError');
  return r.message;
}

function patch(bytes: Uint8Array, f: (v: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  f(new DataView(copy.buffer));
  return copy;
}

describe('readElf', () => {
  const elf = buildElf();

  it('reads the header, PT_LOAD segments, sections and symbols', () => {
    const img = readElf(elf);
    expect(img.entry).toBe(0x80000000n);
    expect(img.segments).toHaveLength(1);
    expect(img.segments[0]).toMatchObject({ vaddr: 0x80000000n, paddr: 0x80000000n, memsz: 0x20, flags: 5 });
    expect(Array.from(img.segments[0].data.subarray(0, 4))).toEqual([0x13, 0x05, 0xa0, 0x00]);
    expect(img.segments[0].data).toHaveLength(12);
    expect(img.sections.map((s) => s.name)).toEqual(['.text', '.data', '.bss', '.symtab', '.strtab', '.shstrtab']);
    const bss = img.sections[2];
    expect(bss).toMatchObject({ type: 8, size: 0x14, addr: 0x8000000cn });
    expect(bss.data).toHaveLength(0);
    expect(img.sections[0]).toMatchObject({ flags: 6, size: 8, align: 4 });
    expect(img.symbols).toEqual([
      { name: 'local_label', value: 0x80000004n, size: 0, bind: 'local', type: 'notype', section: '.text' },
      { name: '_start', value: 0x80000000n, size: 8, bind: 'global', type: 'func', section: '.text' },
      { name: 'value', value: 0x80000008n, size: 4, bind: 'global', type: 'object', section: '.data' },
    ]);
  });

  it('accepts a file without section headers (segments only)', () => {
    const img = readElf(buildElf({ noSections: true }));
    expect(img.sections).toEqual([]);
    expect(img.symbols).toEqual([]);
    expect(img.segments).toHaveLength(1);
  });

  it('names the reason for each kind of broken file', () => {
    expect(errorOf(new Uint8Array(0))).toBe('not an ELF file');
    expect(errorOf(new TextEncoder().encode('#!/bin/sh\necho hi\n'))).toBe('not an ELF file');
    expect(errorOf(patch(elf, (v) => v.setUint8(4, 1)))).toBe('ELF class 32, expected ELF64');
    expect(errorOf(patch(elf, (v) => v.setUint8(5, 2)))).toBe('big-endian ELF not supported');
    expect(errorOf(patch(elf, (v) => v.setUint16(18, 62, true)))).toBe('machine 62 is not RISC-V (243)');
    expect(errorOf(elf.slice(0, 40))).toBe('truncated file: ELF header needs 64 bytes, file has 40');
    expect(errorOf(patch(elf, (v) => v.setUint16(56, 40, true)))).toBe('program header 16 extends past end of file') // 960-byte file: headers 0..15 fit;
    expect(errorOf(patch(elf, (v) => v.setUint16(62, 9, true)))).toBe('section name table out of range');
    expect(errorOf(patch(elf, (v) => v.setBigUint64(64 + 8, 0xfffffffffffffff0n, true)))).toBe('segment 0 (PT_LOAD) data extends past end of file');
    expect(errorOf(patch(elf, (v) => v.setBigUint64(64 + 40, 4n, true)))).toMatch(/^segment 0 \(PT_LOAD\) file size 0xc exceeds its memory size 0x4$/);
    expect(errorOf(patch(elf, (v) => v.setBigUint64(0x200 + 64 + 32, 0x10000n, true)))).toBe('section 1 (.text) extends past end of file');
    expect(errorOf(patch(elf, (v) => v.setBigUint64(40, 0x10000n, true)))).toBe('section header table extends past end of file');
    expect(errorOf(patch(elf, (v) => v.setUint16(16, 4, true)))).toBe('ELF type 4 is not an executable or object file');
    expect(errorOf(patch(elf, (v) => v.setUint32(0x140 + 24, 0x7000, true)))).toBe('symbol 1 of 4 (.symtab): name out of range');
    expect(errorOf(patch(elf, (v) => v.setUint16(0x140 + 24 + 6, 77, true)))).toBe('symbol 1 (local_label) of 4 (.symtab): section index 77 out of range');
  });

  it('survives truncation at every offset', () => {
    for (let n = 0; n < elf.length; n++) {
      const r = parse(elf.slice(0, n));
      expect(r).toBeInstanceOf(ElfError);
    }
  });

  it('survives random bit flips and random bytes', () => {
    let s = 0x2545f491;
    const next = () => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return s >>> 0;
    };
    let parsed = 0;
    for (let i = 0; i < 3000; i++) {
      const copy = elf.slice();
      const flips = 1 + (next() % 4);
      // Bias towards the headers, where the interesting fields are.
      for (let k = 0; k < flips; k++) {
        const at = next() % 3 === 0 ? next() % copy.length : next() % 128;
        copy[at] ^= 1 << (next() % 8);
      }
      if (!(parse(copy) instanceof ElfError)) parsed++;
    }
    for (let i = 0; i < 2000; i++) {
      const len = next() % 600;
      const junk = new Uint8Array(len);
      for (let k = 0; k < len; k++) junk[k] = next() & 0xff;
      if (len >= 20 && i % 2 === 0) junk.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0), junk.set([243, 0], 18);
      parse(junk);
    }
    for (let i = 0; i < 2000; i++) {
      // Random 64-bit values written over header and table fields of a valid file.
      const copy = elf.slice();
      const v = new DataView(copy.buffer);
      const at = (next() % Math.floor((copy.length - 8) / 4)) * 4;
      if (next() & 1) v.setUint32(at, next(), true);
      else v.setBigUint64(at, (BigInt(next()) << 32n) | BigInt(next()), true);
      parse(copy);
    }
    expect(parsed).toBeGreaterThan(0);
  });
});

function has(tool: string): boolean {
  return spawnSync('which', [tool]).status === 0;
}

describe.skipIf(!has('llvm-mc') || !has('llvm-readelf'))('readElf on LLVM output', () => {
  it('reads an llvm-mc object file like llvm-readelf', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvx-elf-'));
    try {
      const src = join(dir, 'a.s');
      const obj = join(dir, 'a.o');
      writeFileSync(src, '.globl main\nmain:\n  li a0, 1\nloop:\n  addi a0, a0, 1\n  bnez a0, loop\n  ret\n.data\nval: .dword 5\n.bss\nbuf: .zero 64\n');
      expect(spawnSync('llvm-mc', ['-triple=riscv64', '-mattr=+m,+a,+c', '-filetype=obj', '-o', obj, src]).status).toBe(0);
      const img = readElf(readFileSync(obj));
      const re = spawnSync('llvm-readelf', ['-sS', '--wide', obj], { encoding: 'utf8' }).stdout;
      for (const s of img.sections) if (s.name) expect(re).toContain(s.name);
      const text = img.sections.find((s) => s.name === '.text')!;
      expect(text.size).toBe(text.data.length);
      expect(Object.getPrototypeOf(text.data)).toBe(Uint8Array.prototype); // a copy, not a view of the Buffer
      expect(Array.from(text.data.subarray(0, 2))).toEqual([0x05, 0x45]); // c.li a0, 1
      const names = img.symbols.map((s) => `${s.name}:${s.bind}:${s.section}:${s.value}`);
      expect(names).toContain('main:global:.text:0');
      expect(names).toContain('loop:local:.text:2');
      expect(names).toContain('val:local:.data:0');
      expect(names).toContain('buf:local:.bss:0');
      expect(img.sections.find((s) => s.name === '.bss')!.size).toBe(64);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
