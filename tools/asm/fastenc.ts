// A fast path for isa/codec.ts's encode(): the same field placement and range rules, precompiled per table
// row from its operand descriptions (isa/operands.ts) into integer arithmetic, with no allocation. When any
// operand is out of range it returns -1 and the caller asks encode() for the error message, so there is one
// source of truth for what is valid.

import type { InstrDef } from '../../isa/instructions.js';

interface CompiledField {
  reg: boolean;
  prime: boolean;
  upper20: boolean;
  nonzero: boolean;
  /** Values the row reserves for another instruction (c.lui's rd = sp is c.addi16sp). */
  excluded: readonly number[] | null;
  min: number;
  max: number;
  alignMask: number;
  /** Pieces as [instLo, width, valLo] triples. */
  pieces: Int32Array;
  /** Field width in bits (for two's complement of negative values). */
  bits: number;
}

const compiled = new Map<InstrDef, CompiledField[]>();

function compile(def: InstrDef): CompiledField[] {
  const out = def.fields.map((f): CompiledField => {
    const nonzero = def.nonzero.includes(f.name);
    const excluded = def.excluded?.[f.name] ?? null;
    if (f.kind === 'reg') {
      return { reg: true, prime: f.prime, upper20: false, nonzero, excluded, min: f.prime ? 8 : 0, max: f.prime ? 15 : 31, alignMask: 0, pieces: Int32Array.of(f.lo, f.hi - f.lo + 1, 0), bits: 5 };
    }
    const min = f.signed ? -(2 ** (f.bits - 1)) : 0;
    const max = (f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1) - (2 ** f.align - 1);
    const pieces = new Int32Array(f.pieces.length * 3);
    f.pieces.forEach(([hi, lo, valLo], i) => pieces.set([lo, hi - lo + 1, valLo], i * 3));
    return { reg: false, prime: false, upper20: !!f.upper20, nonzero, excluded, min, max, alignMask: 2 ** f.align - 1, pieces, bits: f.bits };
  });
  compiled.set(def, out);
  return out;
}

/** The instruction bits for `values` (parallel to def.fields), or -1 if some operand is not encodable. */
export function fastEncode(def: InstrDef, values: readonly number[]): number {
  let fields = compiled.get(def);
  if (fields === undefined) fields = compile(def);
  let bits = def.match;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    let v = values[i];
    if (v !== (v | 0) && !(v >= 0 && v <= 0xffffffff && Number.isInteger(v))) return -1;
    if (f.nonzero && v === 0) return -1;
    if (f.excluded !== null && f.excluded.includes(v)) return -1;
    if (f.reg) {
      if (v < f.min || v > f.max) return -1;
      bits |= (f.prime ? v - 8 : v) << f.pieces[0];
      continue;
    }
    if (f.upper20) {
      // c.lui: the 20-bit upper immediate, non-zero, whose sign-extended low 6 bits the field holds.
      if (!((v >= 1 && v <= 31) || (v >= 0xfffe0 && v <= 0xfffff))) return -1;
      v &= 0x3f;
    } else {
      if (v < f.min || v > f.max || (v & f.alignMask) !== 0) return -1;
      if (v < 0) v += 2 ** f.bits;
    }
    const p = f.pieces;
    for (let k = 0; k < p.length; k += 3) {
      const width = p[k + 1];
      bits |= ((v >>> p[k + 2]) & (width === 32 ? -1 : (1 << width) - 1)) << p[k];
    }
  }
  return bits >>> 0;
}
