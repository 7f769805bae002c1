// ISA strings as Spike, GCC and LLVM users write them (`rv64imac`, `rv64gc`, `rv64imac_zicsr_zifencei`,
// `rv64i2p1_m2p0_a2p1_c2p0`), parsed once for every command (`rvx run/trace/profile --isa`,
// `rvx asm --march`). The naming rules are the unprivileged spec's chapter "ISA Extension Naming
// Conventions" (Volume I, 20191213, ch. 27; ch. 36 in the 2024 manual):
//   - case does not matter; `rv64` then the base: `i`, `e`, or `g` (= imafd_zicsr_zifencei);
//   - single-letter extensions follow in the canonical order of the table below;
//   - each name may carry a version, `2p1` = 2.1 (`2` alone = 2.0), and names may be separated by `_`;
//   - multi-letter extensions (`z...`, `s...`, `x...`) come after the single letters, each after `_`.
// Extensions rvx does not implement are refused with their name. The table is the one place to change
// when an extension is added: set `implemented: true` on its row.

export interface ExtensionRow {
  /** Lower-case name: 'm', 'zicsr'. */
  name: string;
  /** What it is, for messages. */
  title: string;
  implemented: boolean;
  /** Extensions it brings with it (the spec's "implies"). */
  implies?: string[];
}

/**
 * Known extensions. Single letters are listed in the spec's canonical order (Table 27.1 of the 20191213
 * manual: I E M A F D G Q L C B J T P V N, with H after them in later editions); the parser checks the
 * order against this list.
 */
export const EXTENSIONS: readonly ExtensionRow[] = [
  { name: 'i', title: 'base integer ISA', implemented: true, implies: ['zicsr', 'zifencei'] },
  { name: 'e', title: 'embedded base ISA, 16 registers', implemented: false },
  { name: 'm', title: 'integer multiply and divide', implemented: true },
  { name: 'a', title: 'atomic instructions', implemented: true },
  { name: 'f', title: 'single-precision floating point', implemented: true, implies: ['zicsr'] },
  { name: 'd', title: 'double-precision floating point', implemented: true, implies: ['f'] },
  { name: 'q', title: 'quad-precision floating point', implemented: false, implies: ['d'] },
  { name: 'l', title: 'decimal floating point', implemented: false },
  { name: 'c', title: 'compressed instructions', implemented: true },
  // B (ratified 2024) is Zba, Zbb and Zbs together, as Spike's --isa takes it (rv64gcb); Zbc is not in it.
  { name: 'b', title: 'bit manipulation (Zba, Zbb, Zbs)', implemented: true, implies: ['zba', 'zbb', 'zbs'] },
  { name: 'k', title: 'scalar cryptography', implemented: false },
  { name: 'j', title: 'dynamically translated languages', implemented: false },
  { name: 't', title: 'transactional memory', implemented: false },
  { name: 'p', title: 'packed SIMD', implemented: false },
  { name: 'v', title: 'vector', implemented: false },
  { name: 'n', title: 'user-level interrupts', implemented: false },
  { name: 'h', title: 'hypervisor', implemented: false },
  // Multi-letter extensions. The hart always has Zicsr and Zifencei (the privileged architecture needs
  // them; ISA strings from before their 2019 split from I imply them), so naming them or not is the same.
  { name: 'zicsr', title: 'control and status registers', implemented: true },
  { name: 'zifencei', title: 'instruction-fetch fence', implemented: true },
  { name: 'zicntr', title: 'base counters (cycle, time, instret)', implemented: true, implies: ['zicsr'] },
  { name: 'zihpm', title: 'hardware performance counters', implemented: true, implies: ['zicsr'] },
  { name: 'zmmul', title: 'multiply only', implemented: true },
  // A's and C's halves: rvx's hart has them only whole, so they are named through A and C.
  { name: 'zaamo', title: 'atomic memory operations alone (rvx has them with LR/SC, as A)', implemented: false },
  { name: 'zalrsc', title: 'LR/SC alone (rvx has them with the AMOs, as A)', implemented: false },
  { name: 'zca', title: 'compressed integer instructions alone (rvx has them as C)', implemented: false },
  { name: 'zihintpause', title: 'pause hint', implemented: true },
  { name: 'zfh', title: 'half-precision floating point', implemented: false, implies: ['f'] },
  { name: 'zfinx', title: 'floating point in integer registers', implemented: false },
  { name: 'zba', title: 'address generation (bit manipulation)', implemented: true },
  { name: 'zbb', title: 'basic bit manipulation', implemented: true },
  { name: 'zbc', title: 'carry-less multiply', implemented: true },
  { name: 'zbs', title: 'single-bit instructions', implemented: true },
  { name: 'zicbom', title: 'cache-block management', implemented: false },
  { name: 'zicboz', title: 'cache-block zero', implemented: false },
  { name: 'zicond', title: 'integer conditional operations', implemented: false },
  { name: 'zacas', title: 'atomic compare-and-swap', implemented: false },
  { name: 'zcb', title: 'additional compressed instructions', implemented: false },
  { name: 'zve32x', title: 'embedded vector', implemented: false },
  { name: 'svinval', title: 'fine-grained TLB invalidation', implemented: false },
  { name: 'svnapot', title: 'NAPOT translation contiguity', implemented: false },
  { name: 'svpbmt', title: 'page-based memory types', implemented: false },
  { name: 'sstc', title: 'supervisor timer compare', implemented: false },
  { name: 'sscofpmf', title: 'counter overflow and mode-based filtering', implemented: false },
  { name: 'smstateen', title: 'state enable', implemented: false },
];

const BY_NAME = new Map(EXTENSIONS.map((e) => [e.name, e]));
const SINGLE_ORDER = EXTENSIONS.filter((e) => e.name.length === 1).map((e) => e.name);

export interface IsaSpec {
  xlen: 64;
  /** Every extension named or implied, lower case ('i', 'm', 'zicsr', ...). */
  extensions: ReadonlySet<string>;
  /** Canonical form, e.g. 'rv64imac_zicsr_zifencei'. */
  canonical: string;
}

const G_EXPANSION = ['i', 'm', 'a', 'f', 'd', 'zicsr', 'zifencei'];

/**
 * Parse an ISA string. Returns the spec, or a one-line reason naming the offending part (unknown or
 * unimplemented extension, wrong order, not RV64).
 */
export function parseIsaString(text: string): IsaSpec | string {
  const s = text.trim().toLowerCase();
  const quote = `'${text}'`;
  const m = /^rv(32|64|128)(.*)$/.exec(s);
  if (!m) return `ISA string ${quote}: expected rv64 followed by extensions, e.g. rv64imac or rv64gc`;
  if (m[1] !== '64') return `ISA string ${quote}: rvx implements RV64 only, not RV${m[1]}`;
  let rest = m[2];
  const named: string[] = [];
  const version = /^\d+(p\d+)?/;
  // Single-letter part: the base first, then letters in canonical order, each with an optional version.
  const base = rest[0];
  if (base !== 'i' && base !== 'e' && base !== 'g') {
    return `ISA string ${quote}: the base must follow rv64: i, e or g (got '${base ?? ''}')`;
  }
  rest = rest.slice(1).replace(version, '');
  if (base === 'g') named.push(...G_EXPANSION);
  else named.push(base);
  let lastIndex = base === 'g' ? SINGLE_ORDER.indexOf('d') : SINGLE_ORDER.indexOf(base);
  while (rest.length > 0) {
    if (rest[0] === '_') {
      rest = rest.slice(1);
      if (rest.length === 0) return `ISA string ${quote}: ends with '_'`;
      if (/^[zsx]/.test(rest)) break;
      continue;
    }
    if (/^[zsx]/.test(rest)) break;
    const ch = rest[0];
    const idx = SINGLE_ORDER.indexOf(ch);
    if (idx < 0 || ch === 'i' || ch === 'e' || ch === 'g') {
      return `ISA string ${quote}: '${ch}' is not a single-letter extension${ch === 'g' || ch === 'i' || ch === 'e' ? ' here (the base comes right after rv64)' : ''}`;
    }
    if (idx < lastIndex || named.includes(ch)) {
      return `ISA string ${quote}: extension '${ch}' is ${named.includes(ch) ? 'named twice' : 'out of order'} (the canonical order is ${SINGLE_ORDER.join('').toUpperCase()})`;
    }
    lastIndex = idx;
    named.push(ch);
    rest = rest.slice(1).replace(version, '');
  }
  // Multi-letter part: `_`-separated names, each an optional version at its end.
  if (rest.length > 0) {
    for (const part of rest.split('_')) {
      if (part === '') return `ISA string ${quote}: empty extension name between '_'`;
      const pm = /^([a-z]+?)(\d+(p\d+)?)?$/.exec(part);
      if (!pm || !/^[zsx]/.test(pm[1])) return `ISA string ${quote}: '${part}' is not an extension name (multi-letter names start with z, s or x)`;
      const name = pm[1];
      if (named.includes(name) && !(base === 'g' && G_EXPANSION.includes(name) && named.indexOf(name) === named.lastIndexOf(name))) return `ISA string ${quote}: extension '${name}' is named twice`;
      named.push(name);
    }
  }
  // Every extension named must be known and implemented, and so must everything it implies.
  const all = new Set<string>();
  const add = (name: string, why: string | null): string | null => {
    if (all.has(name)) return null;
    const row = BY_NAME.get(name);
    if (!row) return `ISA string ${quote}: unknown extension '${name}'`;
    if (!row.implemented) {
      const upper = name.length === 1 ? name.toUpperCase() : name[0].toUpperCase() + name.slice(1);
      return `ISA string ${quote}: extension ${upper} (${row.title})${why ? `, implied by ${why},` : ''} is not implemented in rvx (it has ${implementedSummary()})`;
    }
    all.add(name);
    for (const sub of row.implies ?? []) {
      const err = add(sub, name.length === 1 ? name.toUpperCase() : name);
      if (err) return err;
    }
    return null;
  };
  for (const name of named) {
    const err = add(name, base === 'g' && G_EXPANSION.includes(name) && name !== 'i' ? 'G' : null);
    if (err) return err;
  }
  const singles = SINGLE_ORDER.filter((c) => all.has(c)).join('');
  const multi = EXTENSIONS.filter((e) => e.name.length > 1 && all.has(e.name)).map((e) => e.name);
  return { xlen: 64, extensions: all, canonical: `rv64${singles}${multi.length ? '_' + multi.join('_') : ''}` };
}

/** "I, M, A, C, Zicsr, Zifencei, ..." for messages. */
export function implementedSummary(): string {
  const singles = EXTENSIONS.filter((e) => e.implemented && e.name.length === 1).map((e) => e.name.toUpperCase());
  return `${singles.join('')} with Zicsr and Zifencei, optionally Zba, Zbb, Zbc and Zbs`;
}
