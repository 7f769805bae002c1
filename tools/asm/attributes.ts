// RISC-V ELF attributes (psABI "RISC-V ELF Attributes"): the `.riscv.attributes` section (type
// SHT_RISCV_ATTRIBUTES) that tells tools such as llvm-objdump which extensions the code uses, and the ISA
// string in it, normalised as GNU as 2.40 does (canonical order, explicit versions, implied extensions).
//
// Section format (psABI): 'A', then one subsection: uint32 length, "riscv\0", then the file-scope tag
// Tag_File (1), uint32 length, and attributes as (uleb128 tag, value) with a uleb128 value for even tags
// and a NUL-terminated string for odd ones.

export const SHT_RISCV_ATTRIBUTES = 0x70000003;
export const TAG_STACK_ALIGN = 4;
export const TAG_ARCH = 5;
export const TAG_UNALIGNED_ACCESS = 6;
export const TAG_PRIV_SPEC = 8;
export const TAG_PRIV_SPEC_MINOR = 10;
export const TAG_PRIV_SPEC_REVISION = 12;

/** Attribute names `.attribute name, value` accepts, with their tags. */
export const ATTRIBUTE_TAGS: Record<string, number> = {
  stack_align: TAG_STACK_ALIGN, arch: TAG_ARCH, unaligned_access: TAG_UNALIGNED_ACCESS, priv_spec: TAG_PRIV_SPEC,
  priv_spec_minor: TAG_PRIV_SPEC_MINOR, priv_spec_revision: TAG_PRIV_SPEC_REVISION,
};

/** Default versions (GNU as 2.40, ISA spec 20191213). */
const VERSIONS: Record<string, [number, number]> = {
  i: [2, 1], e: [2, 0], m: [2, 0], a: [2, 1], f: [2, 2], d: [2, 2], q: [2, 2], c: [2, 0], b: [1, 0], v: [1, 0], h: [1, 0],
  zicsr: [2, 0], zifencei: [2, 0], zmmul: [1, 0], zicntr: [2, 0], zihpm: [2, 0], zihintpause: [2, 0],
  zba: [1, 0], zbb: [1, 0], zbc: [1, 0], zbs: [1, 0], zfh: [1, 0], zfhmin: [1, 0], zicbom: [1, 0], zicbop: [1, 0], zicboz: [1, 0],
};

/** What an extension brings with it (GNU as riscv_implicit_subsets, the ones for the extensions above). */
const IMPLIES: Record<string, string[]> = {
  g: ['i', 'm', 'a', 'f', 'd', 'zicsr', 'zifencei'], e: ['i'], m: ['zmmul'], q: ['d'], d: ['f'], f: ['zicsr'],
  zfh: ['zfhmin'], zfhmin: ['f'], v: ['d'], zicntr: ['zicsr'], zihpm: ['zicsr'], b: ['zba', 'zbb', 'zbs'],
};

const ORDER = 'iemafdqlcbkjtpvnh';

export interface Isa {
  xlen: number;
  /** Extension name -> version [major, minor]. */
  exts: Map<string, [number, number]>;
}

/** Parse an ISA string such as rv64gc or rv64i2p1_m2p0_zicsr2p0; null with a reason when malformed. */
export function parseIsa(text: string): Isa | string {
  const t = text.trim().toLowerCase();
  const m = /^rv(32|64)(.*)$/.exec(t);
  if (!m) return `ISA string '${text}' must start with rv32 or rv64`;
  const exts = new Map<string, [number, number]>();
  const add = (name: string, maj: string | undefined, min: string | undefined) => {
    const def = VERSIONS[name] ?? [1, 0];
    exts.set(name, maj !== undefined ? [Number(maj), min !== undefined ? Number(min) : 0] : def);
  };
  const parts = m[2].split('_');
  const single = parts[0];
  let p = 0;
  const ver = /^(\d+)(?:p(\d+))?/;
  while (p < single.length) {
    const c = single[p];
    if (c === 'z' || c === 's' || c === 'x') break;
    if (!/[a-z]/.test(c)) return `unexpected '${c}' in ISA string '${text}'`;
    p++;
    const v = ver.exec(single.slice(p));
    if (v) p += v[0].length;
    add(c, v?.[1], v?.[2]);
  }
  const multi = [single.slice(p), ...parts.slice(1)].filter((x) => x !== '');
  for (const x of multi) {
    const v = /^([a-z]+?)(?:(\d+)(?:p(\d+))?)?$/.exec(x);
    if (!v) return `bad extension '${x}' in ISA string '${text}'`;
    if (v[1].length === 1) add(v[1], v[2], v[3]);
    else add(v[1], v[2], v[3]);
  }
  if (!exts.has('i') && !exts.has('e') && !exts.has('g')) return `ISA string '${text}' has no base (i, e or g)`;
  // Implied extensions, to a fixed point.
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of [...exts.keys()]) {
      for (const imp of IMPLIES[name] ?? []) {
        if (!exts.has(imp)) {
          exts.set(imp, VERSIONS[imp] ?? [1, 0]);
          changed = true;
        }
      }
    }
  }
  exts.delete('g');
  return { xlen: Number(m[1]), exts };
}

/** A copy of an ISA (the assembler keeps its state per `.option push` level). */
export function copyIsa(isa: Isa): Isa {
  return { xlen: isa.xlen, exts: new Map(isa.exts) };
}

/** `.option arch, +name`: the extension at its default version, with what it implies (GNU as 2.40). */
export function addExtension(isa: Isa, name: string, version?: [number, number]): void {
  if (!isa.exts.has(name) || version) isa.exts.set(name, version ?? VERSIONS[name] ?? [1, 0]);
  for (const imp of IMPLIES[name] ?? []) if (!isa.exts.has(imp)) addExtension(isa, imp);
}

/** The bit-manipulation extensions the assembler gates, as a mask (ZB_BITS). */
export const ZB_BITS: Readonly<Record<string, number>> = { zba: 1, zbb: 2, zbc: 4, zbs: 8 };

export function zbMask(isa: Isa): number {
  let m = 0;
  for (const [name, bit] of Object.entries(ZB_BITS)) if (isa.exts.has(name)) m |= bit;
  return m;
}

function rankOf(name: string): [number, number, string] {
  if (name.length === 1) return [0, ORDER.indexOf(name) < 0 ? 99 : ORDER.indexOf(name), name];
  const cls = name[0] === 'z' ? 1 : name[0] === 's' ? 2 : 3;
  const second = ORDER.indexOf(name[1]);
  return [cls, cls === 1 ? (second < 0 ? 99 : second) : 0, name];
}

/** The canonical string: single letters in ISA order, then z (by their category letter), s, x; with versions. */
export function formatIsa(isa: Isa): string {
  const names = [...isa.exts.keys()].sort((a, b) => {
    const ra = rankOf(a);
    const rb = rankOf(b);
    return ra[0] - rb[0] || ra[1] - rb[1] || (ra[2] < rb[2] ? -1 : ra[2] > rb[2] ? 1 : 0);
  });
  let out = `rv${isa.xlen}`;
  names.forEach((n, i) => {
    const [maj, min] = isa.exts.get(n)!;
    out += `${i > 0 ? '_' : ''}${n}${maj}p${min}`;
  });
  return out;
}

/** Union of several ISAs (what ld writes for the linked image): every extension, at its highest version. */
export function mergeIsas(list: Isa[]): Isa | null {
  if (!list.length) return null;
  const exts = new Map<string, [number, number]>();
  for (const isa of list) {
    for (const [n, v] of isa.exts) {
      const old = exts.get(n);
      if (!old || v[0] > old[0] || (v[0] === old[0] && v[1] > old[1])) exts.set(n, v);
    }
  }
  return { xlen: list[0].xlen, exts };
}

export interface Attributes {
  /** Integer attributes by tag (zero values are not written, as GNU as). */
  ints: Map<number, bigint>;
  /** String attributes by tag (arch is kept separately). */
  strs: Map<number, string>;
  arch: Isa | null;
}

function uleb(out: number[], v: bigint): void {
  let x = BigInt.asUintN(64, v);
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x) b |= 0x80;
    out.push(b);
  } while (x);
}

/** The section contents for one set of file attributes, tags in increasing order. */
export function encodeAttributes(a: Attributes): Uint8Array {
  const body: number[] = [];
  const tags = new Set<number>([...a.ints.keys(), ...a.strs.keys()]);
  if (a.arch) tags.add(TAG_ARCH);
  for (const tag of [...tags].sort((x, y) => x - y)) {
    if (tag % 2 === 0) {
      const v = a.ints.get(tag) ?? 0n;
      if (v === 0n) continue;
      uleb(body, BigInt(tag));
      uleb(body, v);
    } else {
      const s = tag === TAG_ARCH && a.arch ? formatIsa(a.arch) : (a.strs.get(tag) ?? '');
      uleb(body, BigInt(tag));
      for (const ch of new TextEncoder().encode(s)) body.push(ch);
      body.push(0);
    }
  }
  const vendor = [...new TextEncoder().encode('riscv'), 0];
  const fileLen = 1 + 4 + body.length;
  const subLen = 4 + vendor.length + fileLen;
  const out = new Uint8Array(1 + subLen);
  const v = new DataView(out.buffer);
  out[0] = 0x41;
  v.setUint32(1, subLen, true);
  out.set(vendor, 5);
  let p = 5 + vendor.length;
  out[p] = 1;
  v.setUint32(p + 1, fileLen, true);
  out.set(body, p + 5);
  return out;
}

/** Merge the attributes of the linked units: arch is the union; integers keep the largest value. */
export function mergeAttributes(list: Attributes[]): Attributes {
  const ints = new Map<number, bigint>();
  const strs = new Map<number, string>();
  for (const a of list) {
    for (const [t, v] of a.ints) if (!ints.has(t) || v > ints.get(t)!) ints.set(t, v);
    for (const [t, s] of a.strs) if (!strs.has(t)) strs.set(t, s);
  }
  return { ints, strs, arch: mergeIsas(list.map((a) => a.arch).filter((x): x is Isa => x !== null)) };
}
