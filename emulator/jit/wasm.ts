// A small WebAssembly binary encoder: just what the translation tier emits (WebAssembly Core
// Specification 1.0, §5 "Binary Format"): one function type per module, imported memory and table, local
// declarations, structured control, integer loads, stores and arithmetic. No dependency, no validation
// beyond what WebAssembly.Module does when it compiles the bytes.

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
const FUNCREF = 0x70;
const EMPTY_BLOCK = 0x40;

/** Opcodes (§5.4). */
export const Op = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, br_if: 0x0d,
  return: 0x0f, call: 0x10, call_indirect: 0x11, drop: 0x1a, select: 0x1b,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22,
  i32_load: 0x28, i64_load: 0x29, f64_load: 0x2b, i32_load8_u: 0x2d, i32_load16_u: 0x2f, f64_store: 0x39, i32_store8: 0x3a, i64_load8_s: 0x30, i64_load8_u: 0x31, i64_load16_s: 0x32,
  i64_load16_u: 0x33, i64_load32_s: 0x34, i64_load32_u: 0x35, i32_store: 0x36, i64_store: 0x37,
  i64_store8: 0x3c, i64_store16: 0x3d, i64_store32: 0x3e,
  i32_const: 0x41, i64_const: 0x42, f64_const: 0x44,
  i32_gt_s: 0x4a, i32_gt_u: 0x4b, i32_le_s: 0x4c, i32_le_u: 0x4d,
  f64_eq: 0x61, f64_ne: 0x62, f64_lt: 0x63, f64_gt: 0x64, f64_le: 0x65, f64_ge: 0x66,
  f64_ceil: 0x9b, f64_floor: 0x9c, f64_trunc: 0x9d, f64_add: 0xa0, f64_sub: 0xa1, f64_mul: 0xa2, f64_div: 0xa3, f64_min: 0xa4, f64_max: 0xa5,
  i32_trunc_f64_s: 0xaa, i64_trunc_f64_s: 0xb0, f64_convert_i32_s: 0xb7, f64_convert_i32_u: 0xb8, f64_convert_i64_s: 0xb9,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  i64_clz: 0x79, i64_eqz: 0x50, i64_eq: 0x51, i64_ne: 0x52, i64_lt_s: 0x53, i64_lt_u: 0x54, i64_ge_s: 0x59, i64_ge_u: 0x5a,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_div_s: 0x6d, i32_div_u: 0x6e, i32_rem_s: 0x6f,
  i32_rem_u: 0x70, i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74, i32_shr_s: 0x75, i32_shr_u: 0x76,
  i64_add: 0x7c, i64_sub: 0x7d, i64_mul: 0x7e, i64_div_s: 0x7f, i64_div_u: 0x80, i64_rem_s: 0x81,
  i64_rem_u: 0x82, i64_and: 0x83, i64_or: 0x84, i64_xor: 0x85, i64_shl: 0x86, i64_shr_s: 0x87, i64_shr_u: 0x88,
  i32_wrap_i64: 0xa7, i64_extend_i32_s: 0xac, i64_extend_i32_u: 0xad,
  // Bit counts and rotates (§5.4.7 numeric instructions) and the sign-extension operators (WebAssembly 2.0).
  i32_clz: 0x67, i32_ctz: 0x68, i32_popcnt: 0x69, i32_rotl: 0x77, i32_rotr: 0x78,
  i64_ctz: 0x7a, i64_popcnt: 0x7b, i64_rotl: 0x89, i64_rotr: 0x8a, i64_gt_s: 0x55, i64_gt_u: 0x56,
  i64_extend8_s: 0xc2, i64_extend16_s: 0xc3,
} as const;

/** A growable byte buffer with the LEB128 encodings of §5.2.2. */
export class Bytes {
  buf: Uint8Array<ArrayBuffer> = new Uint8Array(256);
  len = 0;

  byte(b: number): void {
    if (this.len === this.buf.length) {
      const n = new Uint8Array(this.buf.length * 2);
      n.set(this.buf);
      this.buf = n;
    }
    this.buf[this.len++] = b;
  }

  bytes(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) this.byte(b[i]);
  }

  u32(v: number): void {
    v >>>= 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
  }

  s32(v: number): void {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  s64(v: bigint): void {
    v = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  name(s: string): void {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
  }

  /** A vector of already-encoded bytes, prefixed by its length. */
  sized(inner: Bytes): void {
    this.u32(inner.len);
    this.bytes(inner.buf.subarray(0, inner.len));
  }

  result(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.len);
  }
}

/** The little-endian bytes of an f64 constant (§5.2.3), through one reused buffer. */
const F64_SCRATCH = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64_SCRATCH.buffer);

/** Instruction emitter for one function body. */
export class Code extends Bytes {
  op(o: number): this {
    this.byte(o);
    return this;
  }
  get(l: number): this {
    this.byte(Op.local_get);
    this.u32(l);
    return this;
  }
  set(l: number): this {
    this.byte(Op.local_set);
    this.u32(l);
    return this;
  }
  tee(l: number): this {
    this.byte(Op.local_tee);
    this.u32(l);
    return this;
  }
  i32(v: number): this {
    this.byte(Op.i32_const);
    this.s32(v);
    return this;
  }
  i64(v: bigint): this {
    this.byte(Op.i64_const);
    this.s64(v);
    return this;
  }
  f64(v: number): this {
    this.byte(Op.f64_const);
    F64_SCRATCH[0] = v;
    for (let i = 0; i < 8; i++) this.byte(F64_BYTES[i]);
    return this;
  }
  call(f: number): this {
    this.byte(Op.call);
    this.u32(f);
    return this;
  }
  /** A load or store with its memarg (alignment exponent, constant offset). */
  mem(o: number, align: number, offset: number): this {
    this.byte(o);
    this.u32(align);
    this.u32(offset);
    return this;
  }
  /** block/loop/if with no result. */
  open(o: number): this {
    this.byte(o);
    this.byte(EMPTY_BLOCK);
    return this;
  }
  end(): this {
    this.byte(Op.end);
    return this;
  }
  br(depth: number): this {
    this.byte(Op.br);
    this.u32(depth);
    return this;
  }
  brIf(depth: number): this {
    this.byte(Op.br_if);
    this.u32(depth);
    return this;
  }
}

export interface FuncDef {
  /** Index into the module's types. */
  type: number;
  /** Extra locals after the parameters, as [count, valtype] runs. */
  locals: [number, number][];
  body: Code;
  /** Export name, if any. */
  export?: string;
}

export interface ModuleDef {
  types: { params: number[]; results: number[] }[];
  /** Import the memory as env.mem (minimum pages) and, when tableSize > 0, a funcref table as env.tab. */
  memoryPages: number;
  tableSize: number;
  /** Imported functions env.<name> of the given types: function indexes 0.. before funcs'. */
  funcImports?: { name: string; type: number }[];
  funcs: FuncDef[];
}

function section(out: Bytes, id: number, body: Bytes): void {
  out.byte(id);
  out.sized(body);
}

/** Encode a module (§5.5). */
export function encodeModule(m: ModuleDef): Uint8Array<ArrayBuffer> {
  const out = new Bytes();
  out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const types = new Bytes();
  types.u32(m.types.length);
  for (const t of m.types) {
    types.byte(0x60);
    types.u32(t.params.length);
    types.bytes(t.params);
    types.u32(t.results.length);
    types.bytes(t.results);
  }
  section(out, 1, types);
  const imports = new Bytes();
  const funcImports = m.funcImports ?? [];
  imports.u32((m.tableSize > 0 ? 2 : 1) + funcImports.length);
  for (const fi of funcImports) {
    imports.name('env');
    imports.name(fi.name);
    imports.byte(0x00);
    imports.u32(fi.type);
  }
  imports.name('env');
  imports.name('mem');
  imports.byte(0x02);
  imports.byte(0x00);
  imports.u32(m.memoryPages);
  if (m.tableSize > 0) {
    imports.name('env');
    imports.name('tab');
    imports.byte(0x01);
    imports.byte(FUNCREF);
    imports.byte(0x00);
    imports.u32(m.tableSize);
  }
  section(out, 2, imports);
  const funcs = new Bytes();
  funcs.u32(m.funcs.length);
  for (const f of m.funcs) funcs.u32(f.type);
  section(out, 3, funcs);
  const exports = new Bytes();
  const exported = m.funcs.map((f, i) => [f.export, i + funcImports.length] as const).filter(([n]) => n !== undefined);
  exports.u32(exported.length);
  for (const [n, i] of exported) {
    exports.name(n!);
    exports.byte(0x00);
    exports.u32(i);
  }
  section(out, 7, exports);
  const code = new Bytes();
  code.u32(m.funcs.length);
  for (const f of m.funcs) {
    const body = new Bytes();
    body.u32(f.locals.length);
    for (const [n, t] of f.locals) {
      body.u32(n);
      body.byte(t);
    }
    body.bytes(f.body.buf.subarray(0, f.body.len));
    body.byte(Op.end);
    code.sized(body);
  }
  section(out, 10, code);
  return out.result();
}
