// The instruction table against LLVM 14: every row encoded with boundary operands (isa/codec.ts encode)
// must give llvm-mc's bytes; decode(encode(x)) must give the row and values back. XPC rows, which LLVM
// does not know, are checked against the encodings docs/xpc.md fixes.

import { describe, expect, it } from 'vitest';
import { decode, encode, expand, expansionPlan, plansFromData } from '../isa/codec.js';
import { INSTRUCTIONS, INSTRUCTION_BY_NAME, computeInstructions, tableFromData, type InstrDef, type SyntaxSlot, type TableData } from '../isa/instructions.js';
import { LLVM_MC, LLVM_SKIP_REASON, formatInstr, llvmMc, rowCases } from './isa-oracle.js';
import { disassemble } from '../isa/disasm.js';

/** LLVM 14 treats these encodings as something other than the row (HINTs with their own mnemonic). */
function llvmSpellsDifferently(def: InstrDef, values: number[]): boolean {
  // c.slli/c.srli/c.srai with shift 0 are the RV128 "c.slli64"-style HINTs in LLVM's assembler.
  if (/^c\.(slli|srli|srai)$/.test(def.name) && values[1] === 0) return true;
  return false;
}

describe('table round trip', () => {
  it('decode(encode(x)) gives the row and operand values back for every row', () => {
    const failures: string[] = [];
    for (const def of INSTRUCTIONS) {
      for (const values of rowCases(def)) {
        const enc = encode(def, values);
        if (!enc.ok) continue;
        const d = decode(enc.bits);
        // c.addi x0, 0 is the very encoding of c.nop (the spec defines C.NOP that way).
        const nop = def.name === 'c.addi' && enc.bits === 1 && d?.def.name === 'c.nop';
        if (!nop && (!d || d.def !== def || d.values.join() !== values.join())) {
          failures.push(`${formatInstr(def, values)} -> ${enc.bits.toString(16)} -> ${d ? formatInstr(d.def, d.values) : 'illegal'}`);
        }
      }
    }
    if (failures.length) console.log(failures.join('\n'));
    expect(failures.slice(0, 30)).toEqual([]);
  });

  it('expands every compressed row to its base row with the same behaviour-defining operands', () => {
    for (const def of INSTRUCTIONS.filter((d) => d.size === 2)) {
      for (const values of rowCases(def)) {
        const enc = encode(def, values);
        if (!enc.ok) continue;
        const e = expand(decode(enc.bits)!);
        expect(e.def.size).toBe(4);
        expect(encode(e.def, e.values).ok, `${formatInstr(def, values)} -> ${formatInstr(e.def, e.values)}`).toBe(true);
      }
    }
  });

  it('encodes the XPC rows as docs/xpc.md fixes them (custom-0 opcode, funct3 selects the operation)', () => {
    const enc = (name: string, v: number[]) => {
      const r = encode(INSTRUCTION_BY_NAME.get(name)!, v);
      return r.ok ? r.bits : -1;
    };
    expect(enc('xcall', [10])).toBe(0x0b | (10 << 15));
    expect(enc('xret', [])).toBe(0x0000100b);
    expect(enc('swapseg', [11])).toBe(0x0b | (2 << 12) | (11 << 15));
    expect(enc('xprefetch', [31])).toBe(0x0b | (3 << 12) | (31 << 15));
    expect(decode(0x0000100b)?.def.name).toBe('xret');
    // Every other custom-0 pattern is illegal: non-zero rd, rs2 or funct7, funct3 4..7, xret with rs1.
    const wrong: string[] = [];
    for (let rest = 0; rest < 1 << 16; rest++) {
      const word = ((rest & 0x1f) << 7) | (((rest >> 5) & 7) << 12) | (((rest >> 8) & 0x1f) << 15) | (((rest >> 13) & 7) << 20) | 0x0b;
      for (const high of [0, 1 << 25, 0x80000000, 1 << 24]) {
        const w = (word | high) >>> 0;
        const d = decode(w);
        const rd = (w >>> 7) & 31;
        const f3 = (w >>> 12) & 7;
        const rs1 = (w >>> 15) & 31;
        const legal = rd === 0 && (w >>> 20) === 0 && (f3 === 0 || f3 === 2 || f3 === 3 || (f3 === 1 && rs1 === 0));
        if ((d !== null) !== legal) wrong.push(w.toString(16));
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('rejects out-of-range operands', () => {
    const addi = INSTRUCTION_BY_NAME.get('addi')!;
    expect(encode(addi, [1, 1, 2048]).ok).toBe(false);
    expect(encode(addi, [1, 1, -2049]).ok).toBe(false);
    expect(encode(INSTRUCTION_BY_NAME.get('c.lw')!, [7, 8, 4]).ok).toBe(false);
    expect(encode(INSTRUCTION_BY_NAME.get('beq')!, [1, 1, 3]).ok).toBe(false);
    expect(encode(INSTRUCTION_BY_NAME.get('c.addi4spn')!, [8, 0]).ok).toBe(false);
  });
});

describe.skipIf(!LLVM_MC)('table vs llvm-mc', () => {
  if (!LLVM_MC) console.warn(LLVM_SKIP_REASON);
  it('encodes every row (except XPC) with boundary operands exactly as llvm-mc', () => {
    const cases: { def: InstrDef; values: number[]; text: string }[] = [];
    for (const def of INSTRUCTIONS) {
      if (def.ext.startsWith('X')) continue; // custom rows: LLVM knows none
      for (const values of rowCases(def)) {
        if (llvmSpellsDifferently(def, values)) continue;
        cases.push({ def, values, text: formatInstr(def, values) });
      }
    }
    const covered = new Set(cases.map((c) => c.def.name));
    expect(INSTRUCTIONS.filter((d) => !d.ext.startsWith('X') && !covered.has(d.name)).map((d) => d.name)).toEqual([]);
    // Base rows without +c, so that llvm-mc does not compress them; C rows with +c.
    const base = llvmMc(cases.filter((c) => c.def.size === 4).map((c) => c.text), '+m,+a,+f,+d,+zba,+zbb,+zbc,+zbs');
    const comp = llvmMc(cases.filter((c) => c.def.size === 2).map((c) => c.text), '+m,+a,+c,+f,+d');
    const mc = cases.map((c) => (c.def.size === 4 ? base : comp).shift()!);
    const failures: string[] = [];
    cases.forEach((c, i) => {
      const want = mc[i];
      const enc = encode(c.def, c.values);
      if (want.bits === null) failures.push(`${c.text}: llvm-mc rejects it: ${want.error}`);
      else if (!enc.ok || enc.bits !== want.bits || want.size !== c.def.size) {
        failures.push(`${c.text}: rvx ${enc.ok ? enc.bits.toString(16) : enc.message}, llvm-mc ${want.bits.toString(16)} (${want.text})`);
      }
    });
    if (failures.length) console.log(failures.slice(0, 80).join('\n'));
    expect(failures.slice(0, 30)).toEqual([]);
    expect(cases.length).toBeGreaterThan(3000);
  });

  it('disassembles every row to text llvm-mc reassembles to the same bytes', () => {
    // Base rows with aliases, assembled without C (so nothing is compressed); C rows in their own c.
    // spelling (aliases off), assembled with C. Targets print as addresses from pc 0, which llvm-mc reads
    // as the offset; negative offsets print as 64-bit addresses and are turned back into numbers.
    const cases: { def: InstrDef; bits: number; text: string }[] = [];
    for (const def of INSTRUCTIONS) {
      if (def.ext.startsWith('X')) continue; // custom rows: LLVM knows none
      for (const values of rowCases(def)) {
        const enc = encode(def, values);
        if (!enc.ok) continue;
        const dis = disassemble(enc.bits, 0, { aliases: def.size === 4 });
        // llvm-objdump 14 prints the c.lui x0 HINT's immediate signed, which its own llvm-mc rejects; rvx
        // prints what llvm-objdump prints.
        if (/^c\.lui\tzero, -/.test(dis.text)) continue;
        const text = dis.text.replace(/0x([0-9a-f]{9,16})\b/g, (_, h: string) => String(BigInt.asIntN(64, BigInt('0x' + h))));
        cases.push({ def, bits: enc.bits, text });
      }
    }
    const base = llvmMc(cases.filter((c) => c.def.size === 4).map((c) => c.text), '+m,+a,+f,+d,+zba,+zbb,+zbc,+zbs');
    const comp = llvmMc(cases.filter((c) => c.def.size === 2).map((c) => c.text), '+m,+a,+c,+f,+d');
    const failures: string[] = [];
    for (const c of cases) {
      const want = (c.def.size === 4 ? base : comp).shift()!;
      if (want.bits !== c.bits) failures.push(`${c.def.name} ${c.bits.toString(16)}: '${c.text}' reassembles to ${want.bits?.toString(16) ?? want.error}`);
    }
    if (failures.length) console.log(failures.slice(0, 80).join('\n'));
    expect(failures.slice(0, 30)).toEqual([]);
  });
});

describe('the table the build embeds', () => {
  it('is the table the rows compute: the same rows, fields, slots and property order', async () => {
    // What tools/build.mjs defines as RVX_ISA_TABLE, made the same way, read back as the bundles read it.
    const { isaTableJson } = await import('../tools/isa-table.mjs');
    const embedded = tableFromData(JSON.parse(await isaTableJson()) as TableData);
    const computed = computeInstructions();
    expect(embedded).toEqual(computed);
    expect(embedded.length).toBe(INSTRUCTIONS.length);
    const shared = new Map<readonly SyntaxSlot[], readonly SyntaxSlot[]>();
    for (let i = 0; i < computed.length; i++) {
      const e = embedded[i];
      const c = computed[i];
      // Same properties in the same order (one hidden class), and the operand fields are OPERANDS' own objects.
      expect(Object.keys(e)).toEqual(Object.keys(c));
      e.fields.forEach((f, k) => expect(f).toBe(c.fields[k]));
      e.slots.forEach((s, k) => {
        const t = c.slots[k];
        if (s.kind === 'field' && t.kind === 'field') expect(s.field).toBe(t.field);
        if (s.kind === 'mem' && t.kind === 'mem') {
          expect(s.offset).toBe(t.offset);
          expect(s.base).toBe(t.base);
        }
      });
      // Rows that share a syntax share its slots, as in the computed table.
      const seen = shared.get(c.slots);
      if (seen) expect(e.slots).toBe(seen);
      else shared.set(c.slots, e.slots);
    }
  });

  it('has the expansions the rows compute: the same base rows and operand sources', async () => {
    // What tools/build.mjs defines as RVX_ISA_PLANS, read back as the bundles read it (here INSTRUCTIONS and the
    // computed plans are the rows' own: this file runs unbundled).
    const { isaPlansJson } = await import('../tools/isa-table.mjs');
    const embedded = plansFromData(JSON.parse(await isaPlansJson()) as number[]);
    let n = 0;
    for (const d of INSTRUCTIONS) {
      const plan = expansionPlan(d);
      expect(embedded.get(d)).toEqual(plan);
      if (plan) {
        expect(embedded.get(d)!.base).toBe(plan.base);
        expect(plan.sources.map((s) => Object.keys(s))).toEqual(embedded.get(d)!.sources.map((s) => Object.keys(s)));
        n++;
      }
    }
    expect(embedded.size).toBe(n);
    expect(n).toBeGreaterThan(20);
  });
});
