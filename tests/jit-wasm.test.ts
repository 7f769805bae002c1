// The translation tier's WebAssembly encoder (emulator/jit/wasm.ts): LEB128 constants at their edges and a
// module with imported memory, locals, loops and memory access, checked by compiling and running it.

import { describe, expect, it } from 'vitest';
import { Code, I32, I64, Op, encodeModule } from '../emulator/jit/wasm.js';

const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });

function run(body: Code, params: number[], results: number[], locals: [number, number][] = []) {
  const bytes = encodeModule({ types: [{ params, results }], memoryPages: 1, tableSize: 0, funcs: [{ type: 0, locals, body, export: 'f' }] });
  expect(WebAssembly.validate(bytes)).toBe(true);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } }).exports.f as (...a: number[]) => unknown;
}

describe('wasm encoder', () => {
  it('encodes i64 constants at every LEB128 edge', () => {
    const values = [0n, 1n, -1n, 63n, 64n, -64n, -65n, 127n, 128n, 8191n, 8192n, -8193n, (1n << 31n) - 1n, -(1n << 31n),
      (1n << 32n), (1n << 62n), (1n << 63n) - 1n, -(1n << 63n), 0x123456789abcdefn, -0x123456789abcdefn];
    for (const v of values) expect(run(new Code().i64(v), [], [I64])(), String(v)).toBe(v);
  });

  it('encodes i32 constants at every LEB128 edge', () => {
    for (const v of [0, 1, -1, 63, 64, -64, -65, 8191, 8192, -8193, 0x7fffffff, -0x80000000]) {
      expect(run(new Code().i32(v), [], [I32])(), String(v)).toBe(v);
    }
  });

  it('runs loops over locals and memory with offsets', () => {
    // sum = 0; for (i = n; i != 0; i--) { mem[8 + 4*i] = i; sum += mem[8 + 4*i] }; return sum
    const c = new Code();
    c.open(Op.loop);
    c.get(0).i32(2).op(Op.i32_shl).get(0).mem(Op.i32_store, 2, 8);
    c.get(1).get(0).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, 8).op(Op.i32_add).set(1);
    c.get(0).i32(1).op(Op.i32_sub).tee(0).brIf(0);
    c.end();
    c.get(1);
    expect(run(c, [I32], [I32], [[1, I32]])(100)).toBe(5050);
  });
});
