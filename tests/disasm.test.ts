// isa/disasm.ts against llvm-objdump 14 (--mattr=+m,+a,+c,+f,+d,+zba,+zbb,+zbc,+zbs), with and without aliases: every 16-bit
// encoding, every table row with boundary and random operands, and random 32-bit words.

import { describe, expect, it } from 'vitest';
import { disassemble } from '../isa/disasm.js';
import { encode } from '../isa/codec.js';
import { INSTRUCTIONS, INSTRUCTION_BY_NAME } from '../isa/instructions.js';
import { CSRS } from '../isa/csrs.js';
import { LLVM_OBJDUMP, LLVM_SKIP_REASON, llvmObjdumpRaw, rowCases } from './isa-oracle.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/** Numbers of the CSRs LLVM does not know (XPC's): rvx prints their names, llvm-objdump numbers. */
const XPC_CSRS = new Set(CSRS.filter((c) => /^(u?x|gdom|gstack_|gfill_|gcache_|gcaller|asl_|pkr$)/.test(c.name)).map((c) => c.number));

function usesXpc(word: number): boolean {
  if ((word & 0x7f) === 0x0b || (word & 0x7f) === 0x2b) return true; // custom-0/1: LLVM knows no XPC or mechanism instruction
  return (word & 0x7f) === 0x73 && ((word >>> 12) & 3) !== 0 && XPC_CSRS.has(word >>> 20);
}

/** Words to compare: every row with boundary operands and random fillings, and random words. */
function words32(): number[] {
  const next = rng(12345);
  const out: number[] = [];
  for (const def of INSTRUCTIONS) {
    if (def.size !== 4) continue;
    for (const values of rowCases(def)) {
      const e = encode(def, values);
      if (e.ok) out.push(e.bits);
    }
    for (let i = 0; i < 40; i++) out.push((def.match | (next() & ~def.mask)) >>> 0);
  }
  for (let i = 0; i < 4000; i++) out.push((next() | 3) >>> 0);
  // Every CSR number through csrrs (csrr alias) and csrrw with rd = x0 (csrw alias).
  for (let n = 0; n < 4096; n++) out.push(((n << 20) | (2 << 12) | (10 << 7) | 0x73) >>> 0, ((n << 20) | (1 << 12) | (11 << 15) | 0x73) >>> 0);
  return out.filter((w) => !usesXpc(w));
}

function bytesOf(words: number[], size: 2 | 4): Uint8Array {
  const b = new Uint8Array(words.length * size);
  words.forEach((w, i) => {
    for (let k = 0; k < size; k++) b[i * size + k] = (w >>> (8 * k)) & 0xff;
  });
  return b;
}

function compare(words: number[], size: 2 | 4, aliases: boolean): string[] {
  const bytes = bytesOf(words, size);
  const dump = llvmObjdumpRaw(bytes, '+m,+a,+c,+f,+d,+zba,+zbb,+zbc,+zbs', aliases ? [] : ['-M', 'no-aliases']);
  const symbolize = (a: bigint) => (a === 0n ? '.text' : `.text+0x${a.toString(16)}`);
  const failures: string[] = [];
  let k = 0;
  for (const line of dump) {
    const i = line.addr / size;
    const word = words[i];
    const ours = disassemble(word, BigInt(line.addr), { symbolize, aliases }).text.replace(/\s+/g, ' ').trim();
    if (ours !== line.text) failures.push(`${word.toString(16).padStart(size * 2, '0')} @${line.addr.toString(16)}: rvx '${ours}' llvm '${line.text}'`);
    k++;
  }
  expect(k).toBe(words.length);
  return failures;
}

describe.skipIf(!LLVM_OBJDUMP)('disassembler vs llvm-objdump', () => {
  if (!LLVM_OBJDUMP) console.warn(LLVM_SKIP_REASON);
  const halves: number[] = [];
  for (let h = 0; h < 0x10000; h++) if ((h & 3) !== 3) halves.push(h);
  const words = words32();
  for (const aliases of [true, false]) {
    it(`prints every 16-bit encoding like llvm-objdump${aliases ? '' : ' -M no-aliases'}`, () => {
      const f = compare(halves, 2, aliases);
      if (f.length) console.log(f.slice(0, 100).join('\n'));
      expect(f.slice(0, 20)).toEqual([]);
    });
    it(`prints ${words.length} 32-bit words (every row, every CSR, random bits) like llvm-objdump${aliases ? '' : ' -M no-aliases'}`, () => {
      const f = compare(words, 4, aliases);
      if (f.length) console.log(f.slice(0, 100).join('\n'));
      expect(f.slice(0, 20)).toEqual([]);
    });
  }
});

describe('disassembler', () => {
  it('prints XPC rows and CSRs as the table names them', () => {
    const enc = (n: string, v: number[]) => {
      const r = encode(INSTRUCTION_BY_NAME.get(n)!, v);
      if (!r.ok) throw new Error(r.message);
      return r.bits;
    };
    expect(disassemble(enc('xcall', [10]), 0).text).toBe('xcall\ta0');
    expect(disassemble(enc('xret', []), 0).text).toBe('xret');
    expect(disassemble(enc('swapseg', [11]), 0).text).toBe('swapseg\ta1');
    expect(disassemble(enc('xprefetch', [12]), 0).text).toBe('xprefetch\ta2');
    expect(disassemble(enc('csrrs', [10, 0x5c2, 0]), 0).text).toBe('csrr\ta0, xcap');
  });
  it('prints target addresses exactly for number and bigint pcs', () => {
    const j0 = 0x0000006f; // j .
    for (const pc of [0, 1, 0x3fffffff, 0x40000000, 0x80000000, 0xffffffff, 0x100000000, 0x10000ffff, 0x1000f0000, 2 ** 53 - 1]) {
      expect(disassemble(j0, pc).operands).toBe('0x' + pc.toString(16));
      expect(disassemble(j0, BigInt(pc)).operands).toBe('0x' + pc.toString(16));
    }
    expect(disassemble(0xffdff06f, 0n).operands).toBe('0xfffffffffffffffc'); // j -4 wraps
    expect(disassemble(0xffdff06f, 0xfffffffffffffffen).operands).toBe('0xfffffffffffffffa');
  });

  it('shows targets with and without a symbolizer, and never throws', () => {
    const j = encode(INSTRUCTION_BY_NAME.get('jal')!, [0, -8]);
    expect(j.ok && disassemble(j.bits, 0x80000010n).text).toBe('j\t0x80000008');
    expect(j.ok && disassemble(j.bits, 0x80000010, { symbolize: () => 'main+0x8' }).text).toBe('j\t0x80000008 <main+0x8>');
    expect(j.ok && disassemble(j.bits, 4, { symbolize: () => { throw new Error('x'); } }).mnemonic).toBe('<unknown>');
    expect(disassemble(0xffffffff, 0)).toEqual({ text: '<unknown>', mnemonic: '<unknown>', operands: '', size: 4 });
    expect(disassemble(0, 0).text).toBe('unimp');
    expect(disassemble(0x4505, 0).size).toBe(2);
    expect(disassemble(NaN, 0).size).toBe(2);
  });
});
