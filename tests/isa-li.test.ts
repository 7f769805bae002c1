// `li` materialisation (isa/li.ts) against llvm-mc 14, with and without the C extension, and with the
// bit-manipulation extensions Zba, Zbb and Zbs (which LLVM 14's RISCVMatInt uses when they are on).

import { describe, expect, it } from 'vitest';
import { materialize, type MaterializeFeatures } from '../isa/li.js';
import { compress } from '../isa/compress.js';
import { encode } from '../isa/codec.js';
import { INSTRUCTION_BY_NAME } from '../isa/instructions.js';
import { registerName } from '../isa/registers.js';
import { LLVM_MC, LLVM_SKIP_REASON, llvmMcGroups } from './isa-oracle.js';

/** A deterministic pseudo-random 64-bit generator (xorshift64*), so failures reproduce. */
function rng(seed: bigint): () => bigint {
  let s = seed;
  return () => {
    s ^= s >> 12n;
    s ^= (s << 25n) & 0xffffffffffffffffn;
    s ^= s >> 27n;
    return (s * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  };
}

function trickyConstants(): bigint[] {
  const set = new Set<bigint>();
  const add = (v: bigint) => set.add(BigInt.asIntN(64, v));
  for (let k = 0n; k < 64n; k++) {
    const p = 1n << k;
    for (const d of [-1n, 0n, 1n, 0x7ffn, 0x800n, -0x800n, 0x801n, -0x801n, 0xfffn]) add(p + d);
    add(~p);
    add(p - 1n); // trailing-ones masks
    add(-p); // leading-ones masks
    add((p - 1n) << 12n);
    add(((p - 1n) << 32n) | 0xffffn);
    add((0xfffn << k) & 0xffffffffffffffffn);
    add((0x12345n << k) ^ 0x800n);
  }
  // Shapes the bit-manipulation sequences aim at: int32 multiples of 3, 5 and 9 (sh*add), rotated 12-bit
  // immediates (rori), int32s with bits of the upper word set or cleared (bseti/bclri), uint32s (zext.w, slli.uw).
  const next0 = rng(0x2545f4914f6cdd1dn);
  for (let i = 0; i < 120; i++) {
    const r = next0();
    const i32 = BigInt.asIntN(32, r);
    for (const m of [3n, 5n, 9n]) {
      add(i32 * m);
      add(((i32 * m) & ~0xfffn) + BigInt.asIntN(12, r >> 40n));
    }
    const imm12 = BigInt.asIntN(12, r);
    const rot = r % 64n;
    const u = BigInt.asUintN(64, imm12);
    add((u >> rot) | ((u << (64n - rot)) & 0xffffffffffffffffn));
    add((r & 0xffffffffn) | (1n << (32n + ((r >> 32n) % 32n))));
    add(i32 ^ (1n << (32n + ((r >> 40n) % 32n))) ^ (1n << (32n + ((r >> 50n) % 32n))));
    add(r & 0xffffffffn);
    add((r & 0xffffffffn) << ((r >> 58n) % 32n));
  }
  for (const v of [
    0n, 1n, -1n, 2047n, 2048n, -2048n, -2049n, 0x7fffffffn, 0x80000000n, -0x80000000n, -0x80000001n, 0xffffffffn,
    0x100000000n, 0x7ffff800n, 0x7ffff7ffn, 0x7ffffffffffff800n, 0x8000000000000000n, 0x7fffffffffffffffn,
    0x123456789abcdef0n, 0xfedcba9876543210n, 0xdeadbeefn, 0xdeadbeefcafebaben, 0x80000000000007ffn,
    0x0000800000000800n, 0xaaaaaaaaaaaaaaaan, 0x5555555555555555n, 0x00ff00ff00ff00ffn, 0x8000000080000000n,
    0xffffffff00000000n, 0x00000000fffff000n, 0x0000000080000800n, 0x1000000001n, 0xfffffffffffff801n,
  ]) add(v);
  const next = rng(0x9e3779b97f4a7c15n);
  for (let i = 0; i < 200; i++) {
    const r = next();
    add(r);
    add(r >> BigInt(Number(r & 63n))); // sparse high bits cleared
    add(r & 0xfffff800000fffffn);
    add(BigInt.asIntN(32 + Number(r & 31n), r));
  }
  return [...set];
}

function ourBytes(rd: number, value: bigint, rvc: boolean, features?: MaterializeFeatures): Uint8Array {
  const out: number[] = [];
  materialize(value, features).forEach((step, i) => {
    const def = INSTRUCTION_BY_NAME.get(step.op)!;
    const src = i === 0 ? 0 : rd;
    let values = step.op === 'lui' ? [rd, step.imm] : [rd, src, step.imm];
    if (step.op === 'add.uw') values = [rd, src, 0];
    if (/^sh[123]add$/.test(step.op)) values = [rd, src, src];
    const c = rvc ? compress(def, values) : null;
    const r = c ? encode(c.def, c.values) : encode(def, values);
    if (!r.ok) throw new Error(`li ${value}: ${step.op} ${step.imm}: ${r.message}`);
    const n = c ? 2 : 4;
    for (let b = 0; b < n; b++) out.push((r.bits >>> (8 * b)) & 0xff);
  });
  return Uint8Array.from(out);
}

const hex = (b: Uint8Array | string) => (typeof b === 'string' ? b : Buffer.from(b).toString('hex'));

describe.skipIf(!LLVM_MC)('li vs llvm-mc', () => {
  if (!LLVM_MC) console.warn(LLVM_SKIP_REASON);
  const constants = trickyConstants();
  const zb = (zba: boolean, zbb: boolean, zbs: boolean): MaterializeFeatures => ({ zba, zbb, zbs });
  for (const [mattr, rvc, features] of [
    ['+m,+a,+c', true, undefined], ['+m,+a', false, undefined],
    ['+m,+a,+c,+zba', true, zb(true, false, false)], ['+m,+a,+c,+zbb', true, zb(false, true, false)],
    ['+m,+a,+c,+zbs', true, zb(false, false, true)], ['+m,+a,+c,+zba,+zbb,+zbs', true, zb(true, true, true)],
    ['+m,+a,+zba,+zbb,+zbs', false, zb(true, true, true)],
  ] as const) {
    it(`matches llvm-mc -mattr=${mattr} byte for byte on ${constants.length} constants x 4 registers`, () => {
      const cases: { rd: number; value: bigint }[] = [];
      for (const rd of [10, 28, 2, 0]) for (const value of constants) cases.push({ rd, value });
      const want = llvmMcGroups(cases.map((c) => `li ${registerName(c.rd)}, ${c.value}`), mattr);
      const failures: string[] = [];
      cases.forEach((c, i) => {
        const got = hex(ourBytes(c.rd, c.value, rvc, features));
        const exp = hex(want[i]);
        if (got !== exp) {
          const steps = materialize(c.value, features).map((s) => `${s.op} ${s.imm}`).join('; ');
          failures.push(`li ${registerName(c.rd)}, 0x${BigInt.asUintN(64, c.value).toString(16)}: rvx ${got} (${steps}), llvm-mc ${exp}`);
        }
      });
      if (failures.length) console.log(failures.slice(0, 60).join('\n'));
      expect(failures.slice(0, 20)).toEqual([]);
    });
  }
});

describe('materialize', () => {
  it('uses every bit-manipulation step on the test constants when Zba (and Zbb, Zbs) are on', () => {
    const used = new Set<string>();
    for (const features of [{ zba: true, zbb: true, zbs: true }, { zba: true }]) {
      for (const v of trickyConstants()) for (const s of materialize(v, features)) used.add(s.op);
    }
    for (const op of ['slli.uw', 'add.uw', 'sh1add', 'sh2add', 'sh3add', 'rori', 'bseti', 'bclri']) expect(used.has(op), op).toBe(true);
  });
  it('accepts unsigned 64-bit inputs by wrapping', () => {
    expect(materialize(0xffffffffffffffffn)).toEqual(materialize(-1n));
    expect(materialize(-1n)).toEqual([{ op: 'addi', imm: -1 }]);
  });
  it('computes the value it claims (simulated), with and without Zba/Zbb/Zbs', () => {
    for (const features of [undefined, { zba: true, zbb: true, zbs: true }, { zba: true }, { zbb: true }, { zbs: true }]) {
      for (const v of trickyConstants()) {
        let x = 0n;
        for (const s of materialize(v, features)) {
          const imm = BigInt(s.imm);
          const u = BigInt.asUintN(64, x);
          if (s.op === 'lui') x = BigInt.asIntN(64, BigInt.asIntN(32, imm << 12n));
          else if (s.op === 'addi') x = BigInt.asIntN(64, x + imm);
          else if (s.op === 'addiw') x = BigInt.asIntN(32, x + imm);
          else if (s.op === 'slli') x = BigInt.asIntN(64, x << imm);
          else if (s.op === 'srli') x = BigInt.asIntN(64, u >> imm);
          else if (s.op === 'slli.uw') x = BigInt.asIntN(64, BigInt.asUintN(32, x) << imm);
          else if (s.op === 'add.uw') x = BigInt.asUintN(32, x);
          else if (s.op === 'sh1add' || s.op === 'sh2add' || s.op === 'sh3add') x = BigInt.asIntN(64, (x << BigInt(s.op[2])) + x);
          else if (s.op === 'rori') x = BigInt.asIntN(64, (u >> imm) | (u << (64n - imm)));
          else if (s.op === 'bseti') x = BigInt.asIntN(64, x | (1n << imm));
          else if (s.op === 'bclri') x = BigInt.asIntN(64, x & ~(1n << imm));
          else throw new Error(`no simulation of ${s.op}`);
        }
        expect(x, `0x${BigInt.asUintN(64, v).toString(16)} ${JSON.stringify(features)}`).toBe(BigInt.asIntN(64, v));
      }
    }
  });
});
