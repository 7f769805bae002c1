// Compression (isa/compress.ts) against llvm-mc -mattr=+c: every pattern, with registers inside and outside
// the C register classes and immediates at, inside and just outside each C operand's range.

import { describe, expect, it } from 'vitest';
import { compress } from '../isa/compress.js';
import { encode } from '../isa/codec.js';
import { INSTRUCTION_BY_NAME, type InstrDef } from '../isa/instructions.js';
import { operandRangeError, type OperandField } from '../isa/operands.js';
import { LLVM_MC, LLVM_SKIP_REASON, formatInstr, llvmMc } from './isa-oracle.js';

const REGS = [0, 1, 2, 3, 7, 8, 9, 10, 15, 16, 31];
const IMMS = [
  -4096, -2050, -2048, -2047, -1024, -1022, -520, -513, -512, -511, -258, -257, -256, -255, -254, -129, -128, -127, -66,
  -65, -64, -63, -33, -32, -31, -17, -16, -15, -8, -4, -2, -1, 0, 1, 2, 3, 4, 6, 7, 8, 12, 15, 16, 17, 24, 31, 32, 33,
  48, 60, 62, 63, 64, 65, 120, 124, 126, 128, 248, 252, 254, 255, 256, 504, 508, 512, 1016, 1020, 1023, 1024, 2040,
  2044, 2046, 2047, 2048, 4094, 0x7fe, 0xfffe, -0x100000, 0xffffe,
];
const UPPER = [0, 1, 2, 31, 32, 33, 0x3f, 0x80000, 0xfffdf, 0xfffe0, 0xfffe1, 0xffffe, 0xfffff];

function candidates(f: OperandField): number[] {
  if (f.kind === 'reg') return REGS;
  const pool = f.name === 'uimm20' ? UPPER : IMMS;
  return pool.filter((v) => operandRangeError(f, v) === null);
}

function* combos(def: InstrDef): Generator<number[]> {
  const lists = def.fields.map(candidates);
  const idx = lists.map(() => 0);
  if (lists.some((l) => l.length === 0)) return;
  for (;;) {
    yield idx.map((k, i) => lists[i][k]);
    let j = lists.length - 1;
    while (j >= 0 && ++idx[j] === lists[j].length) idx[j--] = 0;
    if (j < 0) return;
  }
}

const BASES = [
  'addi', 'addiw', 'lw', 'ld', 'sw', 'sd', 'jal', 'jalr', 'beq', 'bne', 'lui', 'srli', 'srai', 'slli', 'andi', 'add',
  'sub', 'xor', 'or', 'and', 'subw', 'addw', 'ebreak', 'ecall', 'lwu', 'lb', 'sltu', 'ori', 'sraiw',
];

describe.skipIf(!LLVM_MC)('compress vs llvm-mc +c', () => {
  if (!LLVM_MC) console.warn(LLVM_SKIP_REASON);
  it('chooses the same encoding as llvm-mc for every pattern and near miss', () => {
    const cases: { def: InstrDef; values: number[]; text: string }[] = [];
    for (const name of BASES) {
      const def = INSTRUCTION_BY_NAME.get(name)!;
      for (const values of combos(def)) cases.push({ def, values, text: formatInstr(def, values) });
    }
    const mc = llvmMc(cases.map((c) => c.text));
    const failures: string[] = [];
    let compressed = 0;
    cases.forEach((c, i) => {
      const want = mc[i];
      if (want.bits === null) {
        failures.push(`${c.text}: llvm-mc rejected it: ${want.error}`);
        return;
      }
      const cc = compress(c.def, c.values);
      const enc = cc ? encode(cc.def, cc.values) : encode(c.def, c.values);
      const got = enc.ok ? enc.bits : -1;
      if (cc) compressed++;
      if (got !== want.bits || (cc ? 2 : 4) !== want.size) {
        failures.push(`${c.text}: rvx ${cc ? cc.def.name : 'uncompressed'} ${got.toString(16)}, llvm-mc ${want.text} ${want.bits.toString(16)}`);
      }
    });
    if (failures.length) console.log(failures.join("\n"));
    expect(failures.slice(0, 40)).toEqual([]);
    expect(compressed).toBeGreaterThan(1000);
  });
});

describe('compress without LLVM', () => {
  it('leaves HINT forms and rows without a C form alone', () => {
    const addi = INSTRUCTION_BY_NAME.get('addi')!;
    expect(compress(addi, [0, 0, 1])).toBeNull(); // c.addi x0 is a HINT
    expect(compress(addi, [10, 10, 0])?.def.name).toBe('c.mv'); // addi rd, rd, 0 is a move
    expect(compress(addi, [0, 0, 0])?.def.name).toBe('c.nop');
    expect(compress(INSTRUCTION_BY_NAME.get('mul')!, [10, 10, 11])).toBeNull();
  });
});
