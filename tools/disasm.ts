// objdump-style listing of an ELF image's executable sections, laid out like `llvm-objdump -d` (LLVM 14):
// a `<symbol>:` label wherever a symbol starts, then one line per instruction with its address, raw bits,
// and the disassembly from isa/disasm.ts; branch and jump targets get `<symbol+offset>` found the way
// llvm-objdump finds them (in an object file: the current section; in an executable: the section at the
// highest address not above the target; then absolute symbols). Runs of 8 or more zero bytes print as `...`,
// and ranges covered by an STT_OBJECT symbol print as data, as llvm-objdump does.

import { disassemble } from '../isa/disasm.js';
import { SHF_EXECINSTR, SHT_NOBITS, type ElfImage, type ElfSection } from './elf/model.js';

export interface ListingOptions {
  /** Print aliases and expand compressed instructions (default true; false = `-M no-aliases`). */
  aliases?: boolean;
  /** Disassemble only these sections (any section, even non-executable, like llvm-objdump --section). */
  sections?: readonly string[];
  /** Only instructions in [start, stop). */
  start?: bigint;
  stop?: bigint;
  /**
   * The raw-instruction column: 'words' (default) prints each instruction as one hex number (`00a00513`,
   * `4505`), 'bytes' prints bytes in file order as llvm-objdump 14 does (`13 05 a0 00`), 'none' omits it.
   */
  raw?: 'words' | 'bytes' | 'none';
  /** File name for the header line (`name:\tfile format elf64-littleriscv`); no header when absent. */
  fileName?: string;
}

interface Sym {
  addr: bigint;
  name: string;
  /** ELF st_type number (the sort key llvm-objdump uses after address and name). */
  type: number;
}

const STT: Record<string, number> = { notype: 0, object: 1, func: 2, section: 3, file: 4, tls: 6 };
const STT_OBJECT = 1;
const STT_FUNC = 2;
const U64 = (1n << 64n) - 1n;

/** llvm-objdump's symbol order: address, then name (byte order), then type. */
function symLess(a: Sym, b: Sym): number {
  if (a.addr !== b.addr) return a.addr < b.addr ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.type - b.type;
}

/** Index of the first symbol whose address is above `addr` (symbols sorted by address). */
function upperBound(list: readonly Sym[], addr: bigint): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].addr <= addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const hex = (v: bigint | number) => v.toString(16);

/** Instruction-level operand-less aliases print without the tab that real instructions carry. */
const NO_TAB = new Set(['nop', 'ret', 'fence', 'sfence.vma', '<unknown>']);

function dumpData(out: string[], sectionAddr: bigint, data: Uint8Array, from: number, to: number): void {
  // Eight bytes a line in hex, then the printable ones as text (llvm-objdump's dumpELFData).
  for (let i = from; i < to; i += 8) {
    const n = Math.min(8, to - i);
    let line = `${hex(sectionAddr + BigInt(i)).padStart(8)}:`;
    let ascii = '';
    for (let k = 0; k < n; k++) {
      const b = data[i + k];
      line += ' ' + b.toString(16).padStart(2, '0');
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    out.push(line + ' '.repeat(3 * (8 - n)) + '         ' + ascii);
  }
}

/** Leading zero bytes to skip as `...`: none unless there are at least 8, then a multiple of 4. */
function skippableZeros(data: Uint8Array, from: number, to: number): number {
  let n = 0;
  while (from + n < to && data[from + n] === 0) n++;
  return n < 8 ? 0 : n & ~3;
}

/** The whole listing as text (lines end in '\n'). */
export function disassembleListing(img: ElfImage, opts: ListingOptions = {}): string {
  const aliases = opts.aliases !== false;
  const raw = opts.raw ?? 'words';
  const startAddress = opts.start ?? 0n;
  const stopAddress = opts.stop ?? U64;
  // A file without program headers is a relocatable object: targets are looked up in the current section.
  const relocatable = img.segments.length === 0;

  const sectionIndex = new Map<string, number>();
  img.sections.forEach((s, i) => {
    if (!sectionIndex.has(s.name)) sectionIndex.set(s.name, i);
  });
  const perSection: Sym[][] = img.sections.map(() => []);
  const absolute: Sym[] = [];
  for (const s of img.symbols) {
    if (s.name === '' || s.type === 'section') continue;
    const sym: Sym = { addr: s.value, name: s.name, type: STT[s.type] ?? 0 };
    const i = s.section === null ? undefined : sectionIndex.get(s.section);
    if (i === undefined) absolute.push(sym);
    else perSection[i].push(sym);
  }
  for (const list of perSection) list.sort(symLess);
  absolute.sort(symLess);

  // Sections by address (empty ones first among equals), with the null section at address 0 as in the file.
  const byAddress: { addr: bigint; size: number; index: number }[] = [{ addr: 0n, size: 0, index: -1 }];
  img.sections.forEach((s, index) => byAddress.push({ addr: s.addr, size: s.size, index }));
  byAddress.sort((a, b) => (a.addr !== b.addr ? (a.addr < b.addr ? -1 : 1) : a.size - b.size));

  const targetName = (current: Sym[], target: bigint): string | undefined => {
    const candidates: Sym[][] = [];
    if (relocatable) candidates.push(current);
    else {
      let k = 0;
      while (k < byAddress.length && byAddress[k].addr <= target) k++;
      let secAddr: bigint | null = null;
      while (k > 0) {
        const e = byAddress[--k];
        if (secAddr === null) secAddr = e.addr;
        if (e.addr !== secAddr) break;
        candidates.push(e.index < 0 ? [] : perSection[e.index]);
      }
    }
    candidates.push(absolute);
    for (const list of candidates) {
      const j = upperBound(list, target);
      if (j > 0) {
        const sym = list[j - 1];
        const disp = target - sym.addr;
        return disp === 0n ? sym.name : `${sym.name}+0x${hex(disp)}`;
      }
    }
    return undefined;
  };

  const out: string[] = [];
  if (opts.fileName !== undefined) out.push('', `${opts.fileName}:\tfile format elf64-littleriscv`);
  const wanted = opts.sections ? new Set(opts.sections) : null;
  img.sections.forEach((section: ElfSection, si) => {
    const isText = (section.flags & SHF_EXECINSTR) !== 0;
    const isVirtual = section.type === SHT_NOBITS;
    if (wanted ? !wanted.has(section.name) : !isText || isVirtual) return;
    const sectionAddr = section.addr;
    const size = section.size;
    if (size === 0) return;
    const symbols = perSection[si];
    if (symbols.length === 0 || symbols[0].addr !== 0n) {
      symbols.unshift({ addr: sectionAddr, name: section.name, type: isText ? STT_FUNC : STT_OBJECT });
    }
    const symbolize = (addr: bigint) => targetName(symbols, addr);
    const data = section.data;
    let printedSection = false;
    for (let k = 0; k < symbols.length; k++) {
      const sym = symbols[k];
      let start = sym.addr;
      if (start < sectionAddr || stopAddress <= start) continue;
      let end = sectionAddr + BigInt(size) < stopAddress ? sectionAddr + BigInt(size) : stopAddress;
      if (k + 1 < symbols.length && symbols[k + 1].addr < end) end = symbols[k + 1].addr;
      if (start >= end || end <= startAddress) continue;
      if (!printedSection) {
        printedSection = true;
        out.push('', `Disassembly of section ${section.name}:`);
      }
      out.push('', `${hex(start).padStart(16, '0')} <${sym.name}>:`);
      if (isVirtual) {
        out.push('...');
        continue;
      }
      start -= sectionAddr;
      end -= sectionAddr;
      let index = Number(start);
      const endIndex = Number(end);
      if (sectionAddr < startAddress && startAddress - sectionAddr > BigInt(index)) index = Number(startAddress - sectionAddr);
      if (isText && (sym.type === STT_OBJECT || sym.type === 5)) {
        dumpData(out, sectionAddr, data, index, endIndex);
        continue;
      }
      while (index < endIndex) {
        const zeros = skippableZeros(data, index, endIndex);
        if (zeros) {
          out.push('\t\t...');
          index += zeros;
          continue;
        }
        const addr = sectionAddr + BigInt(index);
        const left = data.length - index;
        let insnSize: number;
        let text: string;
        let rawValue = 0;
        const low = data[index] | ((left > 1 ? data[index + 1] : 0) << 8);
        const needed = (low & 3) === 3 ? 4 : 2;
        if (left < needed) {
          insnSize = 1;
          text = '<unknown>';
          rawValue = data[index];
        } else {
          rawValue = needed === 4 ? (low | (data[index + 2] << 16) | (data[index + 3] << 24)) >>> 0 : low;
          const d = disassemble(rawValue, addr, { aliases, symbolize });
          insnSize = d.size;
          text = d.operands ? d.text : NO_TAB.has(d.mnemonic) ? d.mnemonic : `${d.mnemonic}\t`;
        }
        let line = `${hex(addr).padStart(8)}:`;
        if (raw === 'bytes') {
          const bytes: string[] = [];
          for (let b = 0; b < insnSize; b++) bytes.push(data[index + b].toString(16).padStart(2, '0'));
          line += ' ' + bytes.join(' ');
        } else if (raw === 'words') {
          line += ' ' + rawValue.toString(16).padStart(insnSize * 2, '0');
        }
        // llvm-objdump pads so that the tab before the instruction reaches column 24 (16 without raw bits).
        const tabStop = raw === 'none' ? 16 : 24;
        const column = line.length;
        line += ' '.repeat(column < tabStop - 1 ? tabStop - 1 - column : 7 - (column % 8));
        out.push(`${line}\t${text}`);
        index += insnSize;
      }
    }
  });
  return out.length ? out.join('\n') + '\n' : '';
}
