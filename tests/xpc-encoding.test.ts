// XPC encodings (docs/xpc.md §1) three ways: the table's rows against the doc's own hex column, rvx's
// assembler against LLVM's `.insn r` for the same custom-0 R-type fields (every rs1), and the decoder
// refusing every other custom-0 pattern. Also: XPC CSR names assemble to the doc's numbers (§2).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CSR, decode, INSTRUCTION_BY_NAME } from '../isa/index.js';
import { disassemble } from '../isa/disasm.js';
import { registerName } from '../isa/registers.js';
import { assemble } from '../tools/asm/index.js';
import { LLVM_MC, LLVM_SKIP_REASON, llvmMc } from './isa-oracle.js';

const XPC = [
  { name: 'xcall', funct3: 0, operand: true },
  { name: 'xret', funct3: 1, operand: false },
  { name: 'swapseg', funct3: 2, operand: true },
  { name: 'xprefetch', funct3: 3, operand: true },
];
const REGS = Array.from({ length: 32 }, (_, i) => `x${i}`);

function rvxWords(lines: string[]): number[] {
  const r = assemble([{ name: 'x.s', text: lines.join('\n') + '\n' }]);
  expect(r.diagnostics).toEqual([]);
  const text = r.image.sections.find((s) => s.name === '.text')!;
  const dv = new DataView(text.data.buffer, text.data.byteOffset, text.data.byteLength);
  return Array.from({ length: text.data.length / 4 }, (_, i) => dv.getUint32(4 * i, true));
}

describe('XPC encodings', () => {
  it('match the hex column of docs/xpc.md §1', () => {
    const doc = readFileSync(new URL('../docs/xpc.md', import.meta.url), 'utf8');
    for (const x of XPC) {
      const row = new RegExp('^\\| `' + x.name + '[^|]*\\| (\\d{3}) \\|[^|]*\\| `(0x[0-9a-f]{8})`', 'm').exec(doc);
      expect(row, x.name).not.toBeNull();
      expect(parseInt(row![1], 2)).toBe(x.funct3);
      const def = INSTRUCTION_BY_NAME.get(x.name)!;
      expect(def.match).toBe(Number(row![2]));
      expect(def.ext).toBe('Xpc');
    }
  });

  it.skipIf(!LLVM_MC)('rvx assembles each with every register as LLVM assembles the same .insn r', () => {
    const ours: string[] = [];
    const theirs: string[] = [];
    for (const x of XPC) {
      for (const reg of x.operand ? REGS : ['x0']) {
        ours.push(x.operand ? `${x.name} ${reg}` : x.name);
        theirs.push(`.insn r 0x0b, ${x.funct3}, 0, x0, ${reg}, x0`);
      }
    }
    const words = rvxWords(ours);
    const ref = llvmMc(theirs);
    expect(words.map((w) => w >>> 0)).toEqual(ref.map((r) => r.bits));
    // And back: the disassembler names them as written.
    let k = 0;
    for (const x of XPC) {
      for (let r = 0; r < (x.operand ? 32 : 1); r++) {
        const want = x.operand ? `${x.name} ${registerName(r)}` : x.name;
        expect(disassemble(words[k++], 0).text.replace(/\s+/g, ' ')).toBe(want);
      }
    }
  });
  if (!LLVM_MC) it.skip(LLVM_SKIP_REASON, () => {});

  it('decodes nothing else under custom-0', () => {
    let accepted = 0;
    for (let funct3 = 0; funct3 < 8; funct3++) {
      for (const rd of [0, 1, 31]) {
        for (const rs1 of [0, 5]) {
          for (const rs2 of [0, 1]) {
            for (const funct7 of [0, 1, 0x40]) {
              const raw = ((funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x0b) >>> 0;
              const d = decode(raw);
              const legal = funct3 <= 3 && rd === 0 && rs2 === 0 && funct7 === 0 && (funct3 !== 1 || rs1 === 0);
              expect(d !== null, raw.toString(16)).toBe(legal);
              if (d) accepted++;
            }
          }
        }
      }
    }
    expect(accepted).toBe(7); // xcall, swapseg, xprefetch with rs1 0 and 5; xret
  });

  it('XPC CSR names assemble to the numbers of docs/xpc.md §2', () => {
    const doc = readFileSync(new URL('../docs/xpc.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `(\w+)` \| (0x[0-9A-F]{3}) \|/gm)];
    expect(rows.length).toBe(17);
    for (const [, name, num] of rows) {
      expect(CSR[name], name).toBe(Number(num));
      const [w] = rvxWords([`csrr a0, ${name}`]);
      expect(w >>> 20, name).toBe(Number(num));
    }
  });
});
