// Mechanism encodings (docs/mechanisms.md §1.1, §3.1): the table's rows against the doc's hex column,
// rvx's assembler against LLVM's `.insn r` for the same custom-1 R-type fields, the disassembler back,
// nothing else decoding under custom-1; the CSR names against the doc's numbers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CSR, decode, INSTRUCTION_BY_NAME } from '../isa/index.js';
import { disassemble } from '../isa/disasm.js';
import { registerName } from '../isa/registers.js';
import { assemble } from '../tools/asm/index.js';
import { LLVM_MC, LLVM_SKIP_REASON, llvmMc } from './isa-oracle.js';

const DOC = readFileSync(new URL('../docs/mechanisms.md', import.meta.url), 'utf8');
const ROWS = [
  { name: 'gcall', funct3: 0, rs1: true, rs2: false, ext: 'Xgate' },
  { name: 'gret', funct3: 1, rs1: false, rs2: false, ext: 'Xgate' },
  { name: 'gfill', funct3: 2, rs1: true, rs2: false, ext: 'Xgate' },
  { name: 'gflush', funct3: 3, rs1: true, rs2: false, ext: 'Xgate' },
  { name: 'aslswitch', funct3: 4, rs1: true, rs2: true, ext: 'Xasl' },
];
const REGS = Array.from({ length: 32 }, (_, i) => `x${i}`);

function rvxWords(lines: string[]): number[] {
  const r = assemble([{ name: 'm.s', text: lines.join('\n') + '\n' }]);
  expect(r.diagnostics).toEqual([]);
  const text = r.image.sections.find((s) => s.name === '.text')!;
  const dv = new DataView(text.data.buffer, text.data.byteOffset, text.data.byteLength);
  return Array.from({ length: text.data.length / 4 }, (_, i) => dv.getUint32(4 * i, true));
}

function lineOf(x: (typeof ROWS)[number], a: string, b: string): string {
  return x.rs2 ? `${x.name} ${a}, ${b}` : x.rs1 ? `${x.name} ${a}` : x.name;
}

describe('mechanism encodings', () => {
  it('match the hex column of docs/mechanisms.md', () => {
    for (const x of ROWS) {
      const row = new RegExp('^\\| `' + x.name + '[^|]*\\| (\\d{3}) \\| `(0x[0-9a-f]{8})`', 'm').exec(DOC);
      expect(row, x.name).not.toBeNull();
      expect(parseInt(row![1], 2)).toBe(x.funct3);
      const def = INSTRUCTION_BY_NAME.get(x.name)!;
      expect(def.match >>> 0).toBe(Number(row![2]));
      expect(def.ext).toBe(x.ext);
    }
  });

  it('assemble with every register (rs1 and rs2 in turn) to the fields docs/mechanisms.md fixes, and disassemble back', () => {
    for (const x of ROWS) {
      const pairs: [number, number][] = [];
      if (!x.rs1) pairs.push([0, 0]);
      else for (let r = 0; r < 32; r++) pairs.push([r, x.rs2 ? 31 - r : 0]);
      const words = rvxWords(pairs.map(([a, b]) => lineOf(x, REGS[a], REGS[b])));
      pairs.forEach(([a, b], k) => {
        expect(words[k] >>> 0).toBe(((b << 20) | (a << 15) | (x.funct3 << 12) | 0x2b) >>> 0);
        expect(disassemble(words[k], 0).text.replace(/\s+/g, ' ')).toBe(lineOf(x, registerName(a), registerName(b)));
        expect(decode(words[k])?.def.name).toBe(x.name);
      });
    }
  });

  it.skipIf(!LLVM_MC)('rvx assembles each as LLVM assembles the same .insn r', () => {
    const ours: string[] = [];
    const theirs: string[] = [];
    for (const x of ROWS) {
      for (const reg of x.rs1 ? REGS : ['x0']) {
        const r2 = x.rs2 ? 'x7' : 'x0';
        ours.push(lineOf(x, reg, r2));
        theirs.push(`.insn r 0x2b, ${x.funct3}, 0, x0, ${reg}, ${r2}`);
      }
    }
    expect(rvxWords(ours).map((w) => w >>> 0)).toEqual(llvmMc(theirs).map((r) => r.bits));
  });
  if (!LLVM_MC) it.skip(LLVM_SKIP_REASON, () => {});

  it('decodes nothing else under custom-1', () => {
    let accepted = 0;
    for (let funct3 = 0; funct3 < 8; funct3++) {
      for (const rd of [0, 1, 31]) {
        for (const rs1 of [0, 5]) {
          for (const rs2 of [0, 1]) {
            for (const funct7 of [0, 1, 0x40]) {
              const raw = ((funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x2b) >>> 0;
              const legal = rd === 0 && funct7 === 0 && (funct3 === 4 || (funct3 <= 3 && rs2 === 0 && (funct3 !== 1 || rs1 === 0)));
              const d = decode(raw);
              expect(d !== null, raw.toString(16)).toBe(legal);
              if (d) accepted++;
            }
          }
        }
      }
    }
    expect(accepted).toBe(7 + 4); // gcall, gfill, gflush with rs1 0 and 5; gret; aslswitch with 2 x 2 registers
  });

  it('CSR names assemble to the numbers of docs/mechanisms.md', () => {
    const rows = [...DOC.matchAll(/^\| `(\w+)` \| (0x[0-9A-F]{3}) \|/gm)];
    expect(rows.length).toBe(15);
    for (const [, name, num] of rows) {
      expect(CSR[name], name).toBe(Number(num));
      const [w] = rvxWords([`csrr a0, ${name}`]);
      expect(w >>> 20, name).toBe(Number(num));
    }
    // pkr (§2.1): a user read/write CSR.
    expect(DOC).toMatch(/\*\*`pkr`\*\* \(0x802, U read\/write/);
    expect(CSR.pkr).toBe(0x802);
    expect(rvxWords(['csrw pkr, a0'])[0] >>> 0).toBe(0x80251073);
  });
});
