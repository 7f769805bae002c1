// The rvx assembler API: assemble GNU-syntax RISC-V sources into one linked RV64 image.
//
//   const r = assemble([{ name: 'boot.s', text }], { march: 'rv64imac', base: 0x80000000n });
//   if (!r.ok) for (const d of r.diagnostics) console.error(formatDiagnostic(d));
//   const elf = r.elf();            // ELF64 executable bytes
//   r.image                         // tools/elf/model.ts ElfImage (sections, symbols, segments, entry)
//
// Stages: each source is a unit (tools/asm/unit.ts) producing sections of fragments; link.ts lays them out
// (with LLVM-style branch relaxation), places them and applies fixups; this module builds the image and the
// listing, map and flat binary views. See docs/assembler.md.

import { parseIsaString } from '../../isa/isa-string.js';
import { imageWithColumns, PF_R, PF_W, PF_X, SHF_ALLOC, SHF_EXECINSTR, SHF_TLS, SHF_WRITE, SHT_NOBITS, SymbolColumns, SYMBOL_TYPE, type ElfImage, type ElfSegment, type ElfSymbol, type ProgramHeader } from '../elf/model.js';
import { EF_RISCV_RVC, writeElf, writeElfPieces, type ElfPieces } from '../elf/write.js';
import { formatDiagnostic, type Diagnostic } from './diagnostics.js';
import { encodeAttributes, mergeAttributes, parseIsa, SHT_RISCV_ATTRIBUTES, type Isa } from './attributes.js';
import { AsmError, evaluate, symbolPlusConstant, SYM_GLOBAL, SYM_TEMP, type Expr, type RelValue, type Sym } from './expr.js';
import { checkLayout, link, parseAddress, type LayoutSpec, type LinkUnit, type OutputSection } from './link.js';
import { ObjectUnit } from '../ld/object-unit.js';
import { addObjects, type LinkInput } from '../ld/inputs.js';
import { joinPieces, writeObject } from '../ld/write-object.js';
import { parseScript, ScriptError } from '../ld/script/parse.js';
import { ScriptLayout } from '../ld/script/layout.js';
import { gnuSegments } from '../ld/segments.js';
import { wrapReferences } from '../ld/wrap.js';
import { warnCommon } from '../ld/warn-common.js';
import { applySectionStarts, describedSections, sectionStartOrder, type SectionStart } from '../ld/script/section-start.js';
import { defaultScript } from '../ld/script/default.js';
import { gnuSymbolTable, type DiscardLocals, type UnitSymbols } from '../ld/symtab.js';
import { Unit, type BinaryResolver, type IncludeResolver, type SourceFile } from './unit.js';

export type { Diagnostic } from './diagnostics.js';
export { formatDiagnostic } from './diagnostics.js';
export type { LayoutSpec, LayoutSectionSpec } from './link.js';
export { checkLayout } from './link.js';
export type { SourceFile, IncludeResolver, BinaryResolver } from './unit.js';
export { bytesStream, type SourceStream } from './source.js';

export interface AssembleOptions {
  /** rv64imac (default: C on) or rv64ima (C off). */
  march?: string;
  /** Start address of the first section (default 0x80000000). */
  base?: bigint | number | string;
  /** Linker description: section order, addresses, alignment. */
  layout?: LayoutSpec | null;
  /** Entry symbol (default `_start`, else the start of .text). */
  entry?: string;
  /** Files `.include` (text) and `.incbin` (bytes) may name, by path (relative to the including file first). */
  files?: Record<string, string | Uint8Array>;
  /**
   * Directories `.include`/`.incbin` also search, in order, after the including file's directory and the
   * name as written (GNU as `-I`). Applies to `files` lookups; custom resolvers get the same list here.
   */
  includeDirs?: string[];
  /** Custom include lookup; consulted before `files`. */
  include?: IncludeResolver;
  /** Custom `.incbin` lookup; consulted before `files`. */
  binary?: BinaryResolver;
  /** Collect the listing (default true). */
  listing?: boolean;
  /**
   * Relocatable ELF objects (from gcc, clang, GNU as) and `ar` archives (libgcc.a) linked with the sources.
   * Every object is linked; an archive member only when it defines a symbol still undefined where the
   * archive appears (GNU ld's order; see tools/ld/inputs.ts for groups).
   */
  objects?: LinkInput[];
  /** Linker relaxation of objects that allow it (R_RISCV_RELAX): tools/ld/relax.ts. Default false (for assembleObject: mark the object's code relaxable). */
  relax?: boolean;
  /** With relax: also make accesses gp-relative (needs `__global_pointer$` in gp). Default true. */
  relaxGp?: boolean;
  /** GNU ld's --gc-sections (tools/ld/gc.ts); `undefinedRoots`: its -u symbols, also kept. */
  gcSections?: boolean;
  undefinedRoots?: string[];
  /** With gcSections: told each removed section and its input file (GNU ld's --print-gc-sections). */
  onGcRemoved?: (section: string, file: string) => void;
  /** GNU layouts: the input locals left out of the symbol table (tools/ld/symtab.ts; GNU ld -x: `all`). */
  discardLocals?: DiscardLocals;
  /** GNU ld --wrap: for each SYM, undefined references to SYM go to __wrap_SYM and to __real_SYM to SYM. */
  wrap?: string[];
  /** GNU ld --warn-common: warn where common symbols meet commons or definitions (tools/ld/warn-common.ts). */
  warnCommon?: boolean;
  /** GNU ld --section-start=SECTION=ADDR (and -Tdata, -Tbss), with GNU's default layout or a script. */
  sectionStarts?: SectionStart[];
  /**
   * Whose choices to follow where GNU as and LLVM differ: 'llvm' (default; llvm-mc 14's compression and
   * `li` sequences, nops last in code alignment) or 'gnu' (GNU as 2.40's, so images and objects can be
   * compared byte for byte with GNU-built ones; objects are marked for relaxation unless relax: false).
   */
  compat?: 'llvm' | 'gnu';
  /**
   * A GNU ld linker script (`rvx ld -T`): its text and file name (for diagnostics, `script.ld:line:col`).
   * It decides output sections, addresses and symbols; `layout` and `base` are then not used.
   */
  linkerScript?: { name: string; text: string } | null;
  /** Linker scripts given as inputs (GNU ld's implicit scripts): their assignments and ASSERTs follow the
   * layout's own (the default script or -T); SECTIONS in them is refused. */
  implicitScripts?: { name: string; text: string }[];
  /** Without a script or layout: GNU ld's default layout (text segment at `base`), as `rvx ld` links. */
  gnuDefault?: boolean;
  /** GNU ld's --eh-frame-hdr: an .eh_frame_hdr with its search table and a PT_GNU_EH_FRAME header. */
  ehFrameHdr?: boolean;
  /** `--defsym SYM=EXPR` (GNU ld): with a linker script any script expression, else a number. */
  defsym?: { name: string; expr: string }[];
}

export interface SectionInfo {
  name: string;
  addr: bigint;
  size: number;
  type: number;
  flags: number;
  align: number;
}

export interface AssembleResult {
  /** No errors. */
  ok: boolean;
  diagnostics: Diagnostic[];
  /** The linked image (sections, symbols, segments, entry); present even with errors, for inspection. */
  image: ElfImage;
  /** ELF e_flags (EF_RISCV_RVC when C is on; soft-float ABI). */
  eFlags: number;
  entry: bigint;
  /** Every named (non-temporary) symbol: globals, then locals not shadowed by a global. */
  symbols: Map<string, bigint>;
  sections: SectionInfo[];
  /** Address, encoding and source line of every statement that emits bytes. */
  readonly listing: string;
  /** Sections, their input pieces, and symbols by address. */
  readonly map: string;
  /** ELF64 executable bytes. */
  elf(): Uint8Array;
  /** The same executable with its segments' bytes apart (tools/elf/write.ts ElfPieces). */
  elfPieces(): ElfPieces;
  /** Flat binary: the lowest loadable address to the end of the last PROGBITS section. */
  binary(): Uint8Array;
}

/**
 * The ISA string (isa/isa-string.ts, shared with `rvx run --isa`): rv64 with M and A (the assembler always
 * accepts their instructions), C or not. Extensions rvx does not implement (F, D, ...) are refused by name.
 */
function parseMarch(march: string): { rvc: boolean; error: string | null } {
  const spec = parseIsaString(march);
  if (typeof spec === 'string') return { rvc: true, error: spec.replace(/^ISA string/, '--march') };
  if (!spec.extensions.has('m') || !spec.extensions.has('a')) {
    return { rvc: true, error: `--march '${march}': rvx's assembler always assembles M and A instructions, so the ISA must include them (rv64ima or rv64imac)` };
  }
  return { rvc: spec.extensions.has('c'), error: null };
}

/** The --march instruction set in the attribute module's form (rv64imac when absent or refused). */
function marchIsa(march: string | undefined): Isa {
  const isa = parseIsa(march === undefined || parseMarch(march).error !== null ? 'rv64imac' : march);
  return typeof isa === 'string' ? { xlen: 64, exts: new Map() } : isa;
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i + 1);
}

function normalize(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return (abs ? '/' : '') + out.join('/');
}

/** Assemble and link `sources` into one image. Never throws for bad input: problems are diagnostics. */
export function assemble(sources: SourceFile[], options: AssembleOptions = {}): AssembleResult {
  const diags: Diagnostic[] = [];
  const march = parseMarch(options.march ?? 'rv64imac');
  if (march.error) diags.push({ file: '<options>', line: 0, col: 0, severity: 'error', message: march.error });
  let layout = options.layout ?? null;
  const layoutProblem = layout ? checkLayout(layout) : null;
  if (layoutProblem) {
    diags.push({ file: '<layout>', line: 0, col: 0, severity: 'error', message: layoutProblem });
    layout = null;
  }
  let base = 0x80000000n;
  try {
    const b = options.base ?? layout?.base;
    if (b !== undefined) base = parseAddress(b, 'base address');
  } catch (e) {
    if (!(e instanceof AsmError)) throw e;
    diags.push({ file: '<options>', line: 0, col: 0, severity: 'error', message: e.message });
  }
  const files = options.files ?? {};
  const lookup = (path: string, from: string): [string, string | Uint8Array] | null => {
    const cands = [normalize(dirname(from) + path), normalize(path), path];
    if (!path.startsWith('/')) for (const d of options.includeDirs ?? []) cands.push(normalize(`${d}/${path}`));
    for (const cand of cands) {
      if (Object.prototype.hasOwnProperty.call(files, cand)) return [cand, files[cand]];
    }
    return null;
  };
  const include: IncludeResolver = (path, from) => {
    const custom = options.include?.(path, from);
    if (custom) return custom;
    const f = lookup(path, from);
    return f ? { name: f[0], text: typeof f[1] === 'string' ? f[1] : new TextDecoder().decode(f[1]) } : null;
  };
  const binary: BinaryResolver = (path, from) => {
    const custom = options.binary?.(path, from);
    if (custom) return custom;
    const f = lookup(path, from);
    return f ? (typeof f[1] === 'string' ? new TextEncoder().encode(f[1]) : f[1]) : null;
  };
  const wantListing = options.listing ?? true;
  // COMDAT groups kept in the link: the first input with a group keeps it (sources, then objects, in order).
  const keptGroups = new Set<string>();
  const sourceUnits = sources.map((src, i) => {
    const u = new Unit(i, src.name, march.rvc, diags, include, wantListing, binary);
    u.setMarch(marchIsa(options.march));
    u.gnu = options.compat === 'gnu';
    u.keptGroups = keptGroups;
    u.run(src);
    return u;
  });
  const units: LinkUnit[] = [...sourceUnits];
  const wrap = new Set(options.wrap ?? []);
  for (const u of sourceUnits) wrapReferences(u.symbols, wrap);
  addObjects(units, options.objects ?? [], diags, keptGroups, wrap);
  if (options.warnCommon) warnCommon(units, diags);
  let script: ScriptLayout | null = null;
  // --defsym: assignments made before the script's own (GNU ld enters them first).
  const defsyms: { name: string; value: bigint }[] = [];
  const defsymStatements: ReturnType<typeof parseScript>['outside'] = [];
  for (const d of options.defsym ?? []) {
    try {
      const parsed = parseScript(`${d.name} = ${d.expr};`, '--defsym');
      const a = parsed.outside[0];
      if (parsed.outside.length !== 1 || a.kind !== 'assign' || a.name !== d.name) throw new ScriptError(`'${d.name}=${d.expr}' is not SYMBOL=EXPRESSION`, 0, 0);
      a.early = true;
      defsymStatements.push(a);
      if (!options.linkerScript) {
        if (a.expr.t !== 'num') throw new ScriptError(`'${d.expr}': without a linker script (-T) the value must be a number`, 0, 0);
        defsyms.push({ name: d.name, value: a.expr.v });
      }
    } catch (e) {
      if (!(e instanceof ScriptError)) throw e;
      diags.push({ file: '--defsym', line: 0, col: 0, severity: 'error', message: `${d.name}=${d.expr}: ${e.message}` });
    }
  }
  if (options.linkerScript) {
    try {
      const parsed = parseScript(options.linkerScript.text, options.linkerScript.name);
      parsed.outside.unshift(...defsymStatements);
      applySectionStarts(parsed, options.sectionStarts ?? []);
      script = new ScriptLayout(parsed, diags, units.length + 1);
    } catch (e) {
      if (!(e instanceof ScriptError)) throw e;
      diags.push({ file: options.linkerScript.name, line: e.line, col: e.col, severity: 'error', message: e.message });
    }
  }
  const implicit: ReturnType<typeof parseScript>['outside'] = [];
  for (const f of options.implicitScripts ?? []) {
    try {
      const parsed = parseScript(f.text, f.name);
      if (parsed.sections || parsed.memory.length) throw new ScriptError('a linker script given as an input may only assign symbols (use -T for SECTIONS and MEMORY)', 1, 1);
      implicit.push(...parsed.outside);
      if (!script && !options.gnuDefault) throw new ScriptError("a linker script input needs GNU ld's layout or -T (not --base/--layout/--rvx-layout)", 1, 1);
    } catch (e) {
      if (!(e instanceof ScriptError)) throw e;
      diags.push({ file: f.name, line: e.line, col: e.col, severity: 'error', message: e.message });
    }
  }
  script?.script.outside.push(...implicit);
  let linked: ReturnType<typeof link> | null = null;
  try {
    if (options.linkerScript && !script) throw new AsmError('');
    linked = link(units, { script, defsyms, implicit, ehFrameHdr: options.ehFrameHdr ?? false, gnuDefault: options.gnuDefault ?? false, base, layout, entry: options.entry ?? null, relax: options.relax ?? false, relaxGp: options.relaxGp ?? true, gcSections: options.gcSections ?? false, undefinedRoots: options.undefinedRoots ?? [], onGcRemoved: options.onGcRemoved, sectionStarts: options.sectionStarts }, diags);
  } catch (e) {
    if (!(e instanceof AsmError) && !(e instanceof RangeError)) throw e;
    if (e.message) diags.push({ file: '<link>', line: 0, col: 0, severity: 'error', message: e instanceof RangeError ? `symbol definitions nested too deeply (${e.message})` : (e as Error).message });
  }
  const outputs = linked?.outputs ?? [];
  // GNU layouts get GNU ld's symbol table order (tools/ld/symtab.ts).
  const unitSymbols: UnitSymbols[] | undefined = linked?.gnuSegments ? [] : undefined;
  const image = buildImage(units, outputs, linked?.entry ?? base, diags, linked?.resolve ?? null, wrap.size === 0, linked?.gnuSegments, unitSymbols);
  if (linked?.tls) image.tls = linked.tls;
  if (linked?.ehFrameHdr) image.ehFrameHdr = linked.ehFrameHdr;
  // .riscv.attributes: the units' attributes merged as ld merges them (arch: the union of extensions).
  const defaultIsa = parseIsa(march.error === null ? (options.march ?? 'rv64imac') : 'rv64imac');
  const attrs = mergeAttributes(units.map((u) => ({ ...u.attrs, arch: u.attrs.arch ?? (typeof defaultIsa === 'string' ? null : defaultIsa) })));
  const attrData = encodeAttributes(attrs);
  const attrSection = { name: '.riscv.attributes', type: SHT_RISCV_ATTRIBUTES, flags: 0, addr: 0n, data: attrData, size: attrData.length, align: 1 };
  // After the section GNU ld would place it after (tools/asm/link.ts), else last.
  const afterName = linked?.gnuSegments?.attributesAfter;
  const after = afterName ? image.sections.findIndex((s) => s.name === afterName) : -1;
  const firstNonAlloc = afterName === '' ? image.sections.findIndex((s) => !(s.flags & SHF_ALLOC)) : -1;
  if (after >= 0) image.sections.splice(after + 1, 0, attrSection);
  else if (firstNonAlloc >= 0) image.sections.splice(firstNonAlloc, 0, attrSection);
  else image.sections.push(attrSection);
  if (options.sectionStarts?.length && linked?.gnuSegments) {
    const described = describedSections(script?.script ?? parseScript(defaultScript(0n), '<default script>'));
    image.sections = sectionStartOrder(image.sections, options.sectionStarts, described);
  }
  const linkerLocals: ElfSymbol[] = [];
  for (const p of linked?.providedSymbols ?? []) {
    // A PROVIDE_HIDDEN or HIDDEN symbol is local in the executable (ld turns hidden symbols local).
    const sym: ElfSymbol = { name: p.name, value: p.value, size: 0, bind: p.hidden ? 'local' : 'global', type: p.type ?? 'notype', section: p.section };
    image.symbols.push(sym);
    if (p.hidden) linkerLocals.push(sym);
  }
  if (unitSymbols) {
    // Inputs in the order GNU ld writes their symbols: that of their first section in the output sections
    // (the linker's GOT sections count for the input it made them in: tools/ld/got.ts), then the rest.
    const rank = new Map<number, number>();
    const gotHost = units.find((u) => u.name !== '<linker>' && u.sections.some((sec) => sec.fixupCount() > 0));
    for (const o of outputs) {
      for (const sec of o.inputs) {
        const owner = units.find((u) => u.index === sec.unit);
        const u = !owner || owner.name === '<linker>' ? gotHost : owner;
        if (u && !rank.has(u.index)) rank.set(u.index, rank.size);
      }
    }
    const listed = units.map((u, i) => ({ u, sym: unitSymbols[i], i })).filter((x) => x.sym);
    // An object with nothing in the output (all garbage-collected) has no FILE symbol there.
    for (const x of listed) if (!rank.has(x.u.index)) x.sym.ownFile = false;
    listed.sort((a, b) => (rank.get(a.u.index) ?? 1e9 + a.i) - (rank.get(b.u.index) ?? 1e9 + b.i));
    image.symbols = gnuSymbolTable(image.sections, listed.map((x) => x.sym), image.symbols.filter((x) => x.bind !== 'local'), linkerLocals, options.discardLocals);
  }
  // e_flags: RVC when any input uses C; the float ABI of the objects, which GNU ld refuses to mix among
  // objects with code (bfd elfnn-riscv.c, _bfd_riscv_elf_merge_private_bfd_data: the first one sets it).
  let eFlags = march.rvc && sourceUnits.length ? EF_RISCV_RVC : 0;
  const floatAbi = ['soft-float', 'single-float', 'double-float', 'quad-float'];
  let abiFrom: ObjectUnit | null = null;
  for (const u of units) {
    if (!(u instanceof ObjectUnit)) continue;
    eFlags |= u.eFlags & EF_RISCV_RVC;
    if (!u.hasCode) continue;
    if (!abiFrom) abiFrom = u;
    else if ((u.eFlags ^ abiFrom.eFlags) & 0x6) {
      diags.push({ file: u.name, line: 0, col: 0, severity: 'error', message: `can't link ${floatAbi[(u.eFlags >> 1) & 3]} modules with ${floatAbi[(abiFrom.eFlags >> 1) & 3]} modules` });
    }
  }
  if (abiFrom) eFlags |= abiFrom.eFlags & 0x6;
  else for (const u of units) if (u instanceof ObjectUnit) eFlags |= u.eFlags & 0x6;
  if (!units.some((u) => u instanceof ObjectUnit) && march.rvc) eFlags |= EF_RISCV_RVC;
  // Built on first use (the CLI writing an image never asks for it).
  let symbols: Map<string, bigint> | null = null;
  const symbolMap = (): Map<string, bigint> => {
    if (symbols) return symbols;
    symbols = new Map<string, bigint>();
    for (const s of image.symbols) if (s.bind !== 'local' && s.type !== 'file') symbols.set(s.name, BigInt.asUintN(64, s.value));
    for (const s of image.symbols) if (s.bind === 'local' && s.type !== 'file' && !symbols.has(s.name)) symbols.set(s.name, BigInt.asUintN(64, s.value));
    return symbols;
  };
  const sorted = sortDiagnostics(diags);
  let listingText: string | null = null;
  let mapText: string | null = null;
  return {
    ok: !sorted.some((d) => d.severity === 'error'),
    diagnostics: sorted,
    image,
    eFlags,
    entry: image.entry,
    get symbols() {
      return symbolMap();
    },
    sections: outputs.map((o) => ({ name: o.name, addr: o.addr, size: o.size, type: o.type, flags: o.flags, align: o.align })),
    get listing() {
      return (listingText ??= formatListing(units, outputs));
    },
    get map() {
      return (mapText ??= formatMap(outputs, image));
    },
    elf: () => writeElf(image, { flags: eFlags }),
    elfPieces: () => writeElfPieces(image, { flags: eFlags }),
    binary: () => flatBinary(outputs),
  };
}

export interface ObjectResult {
  ok: boolean;
  diagnostics: Diagnostic[];
  /** The ELF64 relocatable object (present even with errors, for inspection); made from `pieces` when read. */
  readonly bytes: Uint8Array;
  /** The object's bytes in consecutive pieces, to be written one after another without joining them. */
  pieces: readonly Uint8Array[];
}

/**
 * Assemble one source into a relocatable object (`rvx asm -c`), for GNU ld, lld or `rvx ld`.
 * `mabi` sets the float-ABI bits of e_flags (lp64, lp64f, lp64d), which linkers check across inputs.
 */
export function assembleObject(source: SourceFile, options: AssembleOptions & { mabi?: string; relax?: boolean } = {}): ObjectResult {
  const diags: Diagnostic[] = [];
  const march = parseMarch(options.march ?? 'rv64imac');
  if (march.error) diags.push({ file: '<options>', line: 0, col: 0, severity: 'error', message: march.error });
  const abi = { lp64: 0, lp64f: 2, lp64d: 4 }[options.mabi ?? 'lp64'];
  if (abi === undefined) diags.push({ file: '<options>', line: 0, col: 0, severity: 'error', message: `unsupported --mabi '${options.mabi}' (expected lp64, lp64f or lp64d)` });
  const files = options.files ?? {};
  const include: IncludeResolver = (path, from) => {
    const custom = options.include?.(path, from);
    if (custom) return custom;
    const f = files[normalize(dirname(from) + path)] ?? files[path];
    return f === undefined ? null : { name: path, text: typeof f === 'string' ? f : new TextDecoder().decode(f) };
  };
  const binary: BinaryResolver = (path, from) => options.binary?.(path, from) ?? null;
  const u = new Unit(0, source.name, march.rvc, diags, include, false, binary);
  u.setMarch(marchIsa(options.march));
  u.gnu = options.compat === 'gnu';
  u.gnuRelaxObject = u.gnu && (options.relax ?? true);
  u.objectFile = true;
  u.run(source);
  const isa = parseIsa(march.error === null ? (options.march ?? 'rv64imac') : 'rv64imac');
  // Relaxation marks are on unless asked off, as GNU as and clang's integrated assembler write objects.
  const file = writeObject(u, { relax: options.relax ?? true, floatAbi: abi ?? 0, defaultAttrs: { ints: new Map(), strs: new Map(), arch: typeof isa === 'string' ? null : isa } }, diags);
  let joined: Uint8Array | null = null;
  return {
    ok: !diags.some((d) => d.severity === 'error'),
    diagnostics: diags,
    get bytes() {
      return (joined ??= joinPieces(file));
    },
    pieces: file.pieces,
  };
}

function sortDiagnostics(d: Diagnostic[]): Diagnostic[] {
  // Keep input order per file (already in line order for straight-line input); stable.
  return d.slice();
}

const SHT_RELA = 4;
const SHF_MERGE = 0x10;

function buildImage(units: LinkUnit[], outputs: OutputSection[], entry: bigint, diags: Diagnostic[], resolve: ((s: Sym) => RelValue | null) | null, distinctNames: boolean, gnu?: ReturnType<typeof link>['gnuSegments'], collect?: UnitSymbols[]): ElfImage {
  const sections = outputs.map((o) => ({ name: o.name, type: o.type, flags: o.flags, addr: o.addr, data: o.type === SHT_NOBITS ? new Uint8Array(0) : o.data, size: o.size, align: o.align, ...outputEntsize(o) }));
  if (gnu?.programHeaders) return { ...phdrsImage(gnu.programHeaders, (gnu.headerSize - 64) / 56), entry, sections, symbols: imageSymbols(units, outputs, diags, resolve, collect) };
  if (gnu) return { ...gnuImage(outputs, gnu.headerSize, gnu.loadPhdrs), entry, sections, symbols: imageSymbols(units, outputs, diags, resolve, collect) };
  // Segments: runs of allocated sections with the same permissions, contiguous within a page.
  const segments: ElfSegment[] = [];
  const alloc = outputs.filter((o) => o.flags & SHF_ALLOC && o.size > 0).sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  let group: OutputSection[] = [];
  const flush = () => {
    if (!group.length) return;
    const first = group[0];
    const last = group[group.length - 1];
    let fileEnd = first.addr;
    for (const o of group) if (o.type !== SHT_NOBITS) fileEnd = o.addr + BigInt(o.size);
    // A segment of one section with contents (the usual .text) is that section's bytes, not a copy: the
    // program's largest array would otherwise be copied once more into fresh memory (nothing changes
    // either array afterwards).
    const size = Number(fileEnd - first.addr);
    let data: Uint8Array;
    if (first.type !== SHT_NOBITS && first.data.length === size && (group.length === 1 || group[1].type === SHT_NOBITS)) data = first.data;
    else {
      data = new Uint8Array(size);
      for (const o of group) if (o.type !== SHT_NOBITS) data.set(o.data, Number(o.addr - first.addr));
    }
    segments.push({ vaddr: first.addr, paddr: first.lma ?? first.addr, data, memsz: Number(last.addr + BigInt(last.size) - first.addr), flags: permissions(first.flags) });
    group = [];
  };
  for (const o of alloc) {
    const prev = group[group.length - 1];
    if (prev) {
      const prevEnd = prev.addr + BigInt(prev.size);
      const sameFlags = permissions(prev.flags) === permissions(o.flags);
      const close = o.addr - prevEnd < 0x1000n;
      const fileOk = !(prev.type === SHT_NOBITS && o.type !== SHT_NOBITS);
      // Loaded where the addresses say (a script's AT>): one segment only while both advance together.
      // (.bss too: its place in the segment is where the loader zeroes it, and where tohost is looked for.)
      const loadOk = (o.lma ?? o.addr) - (group[0].lma ?? group[0].addr) === o.addr - group[0].addr;
      if (!(sameFlags && close && fileOk && loadOk)) flush();
    }
    group.push(o);
  }
  flush();
  // The symbols as columns (tools/elf/model.ts): an ElfSymbol each only if something reads image.symbols.
  let capacity = 0;
  for (const u of units) capacity += u.symbols.size + 1;
  const columns = new SymbolColumns(capacity);
  // One source unit, its symbols not renamed by --wrap: their names are its symbol Map's keys, none its FILE symbol's.
  const only = units.length === 1 && !(units[0] instanceof ObjectUnit) ? units[0] : null;
  columns.distinct = distinctNames && only !== null && !only.symbols.has(fileSymbolName(only));
  imageSymbols(units, outputs, diags, resolve, undefined, columns);
  return imageWithColumns({ entry, sections, symbols: [], segments }, columns);
}

/**
 * sh_entsize and sh_link of an output section, as GNU ld sets them: a relocation table's entry size and
 * symbol table (.rela.dyn), the GOT's slot size, and a mergeable section's item size when all its inputs
 * agree (SHF_MERGE is kept only then).
 */
function outputEntsize(o: OutputSection): { entsize?: number; linksSymtab?: boolean } {
  if (o.type === SHT_RELA) return { entsize: 24, linksSymtab: true };
  // SHT_INIT_ARRAY, SHT_FINI_ARRAY, SHT_PREINIT_ARRAY: tables of addresses (bfd sets their entry size).
  if (o.type === 14 || o.type === 15 || o.type === 16) return { entsize: 8 };
  if (o.inputs.some((s) => s.unitName === '<linker>' && (s.name === '.got' || s.name === '.got.plt'))) return { entsize: 8 };
  if (o.flags & SHF_MERGE && o.inputs.length) return { entsize: o.inputs[0].entsize };
  return {};
}

/**
 * The program headers of a script's PHDRS, as GNU ld writes them: each covers its sections (from the first
 * one's address, less the ELF header and program headers when it holds them: FILEHDR, PHDRS), at AT()'s load
 * address if given; flags FLAGS() or R plus W and X as its sections need; PT_LOADs aligned to the page,
 * others to their largest section alignment; PT_PHDR describes the program header table wherever a
 * PT_LOAD with PHDRS loads it.
 */
function phdrsImage(list: NonNullable<NonNullable<ReturnType<typeof link>['gnuSegments']>['programHeaders']>, phnum: number): { segments: ElfSegment[]; headersLoaded: boolean; attributesPhdr: boolean; programHeaders: ProgramHeader[] } {
  const segments: ElfSegment[] = [];
  const headers: ProgramHeader[] = [];
  let headersLoaded = false;
  let table: { vaddr: bigint; paddr: bigint } | null = null;
  for (const e of list) {
    const extra = BigInt((e.ph.filehdr ? 64 : 0) + (e.ph.phdrs ? 56 * phnum : 0));
    const secs = e.sections;
    const first = secs[0];
    const vaddr = first ? first.addr - extra : 0n;
    const lma = first ? (first.lma ?? first.addr) - extra : 0n;
    const paddr = e.at ?? lma;
    let fileEnd = vaddr + extra;
    let memEnd = vaddr + extra;
    let align = e.ph.type === 6 ? 8 : 1;
    let flags = PF_R;
    for (const o of secs) {
      const end = o.addr + BigInt(o.size);
      if (o.type !== SHT_NOBITS && end > fileEnd) fileEnd = end;
      const tbss = o.flags & SHF_TLS && o.type === SHT_NOBITS;
      if ((!tbss || e.ph.type === 7) && end > memEnd) memEnd = end;
      if (o.align > align) align = o.align;
      if (o.flags & SHF_WRITE) flags |= PF_W;
      if (o.flags & SHF_EXECINSTR) flags |= PF_X;
    }
    if (e.flags !== null) flags = Number(BigInt.asUintN(32, e.flags));
    const h: ProgramHeader = { type: e.ph.type, flags, align, vaddr, paddr, filesz: Number(fileEnd - vaddr), memsz: Number(memEnd - vaddr) };
    if (e.ph.type === 1) {
      h.align = 0x1000;
      const data = new Uint8Array(h.filesz);
      for (const o of secs) if (o.type !== SHT_NOBITS) data.set(o.data, Number(o.addr - vaddr));
      h.segment = segments.length;
      if (segments.length === 0 && e.ph.filehdr) headersLoaded = true;
      segments.push({ vaddr, paddr, data, memsz: h.memsz, flags });
      if (e.ph.phdrs && !table) table = { vaddr: vaddr + (e.ph.filehdr ? 64n : 0n), paddr: paddr + (e.ph.filehdr ? 64n : 0n) };
    }
    headers.push(h);
  }
  list.forEach((e, i) => {
    if (e.ph.type !== 6 || e.sections.length) return;
    const h = headers[i];
    h.atPhdrs = true;
    h.vaddr = table?.vaddr ?? 0n;
    h.paddr = e.at ?? table?.paddr ?? 0n;
    h.filesz = h.memsz = 56 * phnum;
    if (e.flags === null) h.flags = PF_R;
  });
  return { segments, headersLoaded, attributesPhdr: true, programHeaders: headers };
}

/** A linker script's image: program headers as GNU ld makes them (tools/ld/segments.ts), the headers loaded
 * when the layout leaves room for them, and PT_RISCV_ATTRIBUTES. */
function gnuImage(outputs: OutputSection[], headerSize: number, loadPhdrs = false): { segments: ElfSegment[]; headersLoaded: boolean; attributesPhdr: boolean } {
  const plans = gnuSegments(outputs.filter((o) => o.flags & SHF_ALLOC), 0x1000n, headerSize, loadPhdrs);
  const segments: ElfSegment[] = [];
  let headersLoaded = false;
  plans.forEach((p, i) => {
    if (i === 0 && p.vaddr < p.sections[0].addr) headersLoaded = true;
    let fileEnd = p.vaddr;
    let memEnd = p.vaddr;
    for (const o of p.sections) {
      const tbss = o.flags & SHF_TLS && o.type === SHT_NOBITS;
      if (o.type !== SHT_NOBITS) fileEnd = o.addr + BigInt(o.size);
      if (!tbss && o.addr + BigInt(o.size) > memEnd) memEnd = o.addr + BigInt(o.size);
    }
    const data = new Uint8Array(Number(fileEnd - p.vaddr));
    for (const o of p.sections) if (o.type !== SHT_NOBITS) data.set(o.data, Number(o.addr - p.vaddr));
    segments.push({ vaddr: p.vaddr, paddr: p.paddr, data, memsz: Number(memEnd - p.vaddr), flags: PF_R | (p.writable ? PF_W : 0) | (p.exec ? PF_X : 0) });
  });
  return { segments, headersLoaded, attributesPhdr: true };
}

/**
 * The image's symbols: per unit a FILE symbol and its locals, then all globals. Those in .tdata/.tbss are
 * STT_TLS (written as offsets in the TLS template, as GNU ld does: tools/elf/write.ts). Into `columns` when
 * given (then the list returned is empty): the locals, then the globals, made as ElfSymbols here (they
 * are fewer, and kept until all units are seen).
 */
function imageSymbols(units: LinkUnit[], outputs: OutputSection[], diags: Diagnostic[], resolve: ((s: Sym) => RelValue | null) | null, collect?: UnitSymbols[], columns: SymbolColumns | null = null): ElfSymbol[] {
  const tlsOutputs = new Set(outputs.filter((o) => o.flags & SHF_TLS).map((o) => o.name));
  const symbols: ElfSymbol[] = [];
  const globalsOut: ElfSymbol[] = [];
  const seenGlobal = new Set<string>();
  // A global's visibility: the most constraining any object gives it (gABI "Symbol Visibility").
  const visibility = new Map<string, number>();
  for (const u of units) {
    if (!(u instanceof ObjectUnit)) continue;
    for (const [s, v] of u.visibility) if (s.global) visibility.set(s.name, Math.min(visibility.get(s.name) ?? 4, v));
  }
  for (const u of units) {
    const fileName = u.fileSymbols[u.fileSymbols.length - 1] ?? u.name;
    if (columns) columns.add(fileSymbolName(u), 0n, 0, SYMBOL_TYPE.file, 0, null);
    else symbols.push({ name: fileName.slice(fileName.lastIndexOf('/') + 1), value: 0n, size: 0, bind: 'local', type: 'file', section: null });
    // The unit's locals follow its FILE symbol: straight into `symbols` unless they are collected for GNU
    // ld's order (not one more array of 100,000s of symbols, grown and copied as it fills).
    const locals: ElfSymbol[] = collect ? [] : symbols;
    const globalNames: string[] = [];
    // Per unit, not per symbol: whether it is an object, and the look-ups that cannot find anything.
    const object = u instanceof ObjectUnit ? u : null;
    const mapping = collect && object ? object.mappingSyms : null;
    const ownVisibility = object && object.visibility.size ? object.visibility : null;
    const anyGlobalVisibility = visibility.size > 0;
    const anyTls = tlsOutputs.size > 0;
    for (const s of u.symbols.values()) {
      // (The flags from bits: no accessor calls while this loop runs unoptimised.)
      const bits = s.bits;
      const temp = (bits & SYM_TEMP) !== 0;
      const global = (bits & SYM_GLOBAL) !== 0;
      if (collect && !temp && (global || s.kind === 0)) globalNames.push(s.name);
      if (s.kind === 0 || (temp && !mapping?.has(s))) continue;
      if (mapping && object!.discardedSyms.has(s)) continue;
      // (Most symbols are labels with no size or type: their rare fields' record is null.)
      const rare = s.rare !== null;
      let size = 0;
      if (rare && s.size && resolve) {
        try {
          size = evalSize(s.size, resolve);
        } catch (e) {
          if (!(e instanceof AsmError)) throw e;
          diags.push({ file: s.defCtx?.file ?? u.name, line: s.defCtx ? s.defLine : 0, col: s.defCtx ? s.defCol : 0, severity: 'error', message: `in .size of '${s.name}': ${e.message}` });
        }
      }
      // sectionOf(s), without the call for a label of its own (most symbols).
      const section = s.kind === 1 && !s.overriddenBy && s.section ? s.section.outputName || null : sectionOf(s);
      const tls = anyTls && section !== null && tlsOutputs.has(section);
      const vis = global ? (anyGlobalVisibility ? visibility.get(s.name) : undefined) : ownVisibility ? ownVisibility.get(s) : undefined;
      // GNU ld drops the locals of sections not in the output (garbage-collected, discarded).
      if (collect && !global && s.kind === 1 && section === null) continue;
      if (columns && !global) {
        // (Binding STB_LOCAL: 0.)
        columns.add(s.name, s.address, size, tls ? SYMBOL_TYPE.tls : rare ? SYMBOL_TYPE[s.type] : SYMBOL_TYPE.notype, vis ?? 0, section);
        continue;
      }
      const sym: ElfSymbol = { name: s.name, value: s.address, size, bind: global ? (s.weak ? 'weak' : 'global') : 'local', type: tls ? 'tls' : s.type, section };
      if (vis) sym.visibility = vis;
      if (global) {
        // A weak or common definition another unit overrides is not in the output, as with ld.
        if (s.overriddenBy || seenGlobal.has(s.name)) continue;
        seenGlobal.add(s.name);
        globalsOut.push(sym);
      } else locals.push(sym);
    }
    if (collect) {
      // An archive member is named by its member name (`libc.a(memset.o)`: memset.o), as bfd names it.
      const base = fileName.slice(fileName.lastIndexOf('/') + 1);
      collect.push({ file: /^[^(]*\((.*)\)$/.exec(base)?.[1] ?? base, ownFile: u instanceof ObjectUnit && u.ownFileSymbol, locals, globalNames });
      // One by one: spreading 100,000s of symbols as arguments would overflow the stack.
      for (const s of locals) symbols.push(s);
    }
  }
  if (columns) {
    columns.locals = columns.count;
    for (const s of globalsOut) columns.addSymbol(s);
    columns.trim();
    return symbols;
  }
  for (const s of globalsOut) symbols.push(s);
  return symbols;
}

/** The name of a unit's FILE symbol: its last `.file` name (else its own), less any directories. */
function fileSymbolName(u: LinkUnit): string {
  const fileName = u.fileSymbols[u.fileSymbols.length - 1] ?? u.name;
  return fileName.slice(fileName.lastIndexOf('/') + 1);
}

/** The output section a symbol is in: a label's, or for an alias (`.set a, b + 4`) its target's. */
function sectionOf(s: Sym, depth = 0): string | null {
  if (s.overriddenBy) s = s.overriddenBy;
  if (s.kind === 1 && s.section) return s.section.outputName || null;
  if (s.kind === 3 && s.expr && depth < 32) {
    const t = symbolPlusConstant(s.expr);
    if (t) return sectionOf(t.sym, depth + 1);
  }
  return null;
}

function evalSize(e: Expr, resolve: (s: Sym) => RelValue | null): number {
  const v = evaluate(e, resolve);
  if (!v) throw new AsmError('cannot evaluate');
  if (v.off < 0n || v.off > BigInt(Number.MAX_SAFE_INTEGER)) throw new AsmError(`size ${v.off} out of range`);
  return Number(v.off);
}

function permissions(flags: number): number {
  return PF_R | (flags & SHF_WRITE ? PF_W : 0) | (flags & SHF_EXECINSTR ? PF_X : 0);
}

function hex(v: bigint, width: number): string {
  return BigInt.asUintN(64, v).toString(16).padStart(width, '0');
}

function flatBinary(outputs: OutputSection[]): Uint8Array {
  const loadable = outputs.filter((o) => o.flags & SHF_ALLOC && o.size > 0);
  const progbits = loadable.filter((o) => o.type !== SHT_NOBITS);
  if (!progbits.length) return new Uint8Array(0);
  let lo = loadable[0].addr;
  for (const o of loadable) if (o.addr < lo) lo = o.addr;
  let hi = lo;
  for (const o of progbits) if (o.addr + BigInt(o.size) > hi) hi = o.addr + BigInt(o.size);
  const size = hi - lo;
  if (size > 1n << 30n) throw new AsmError(`flat binary would be ${size} bytes (sections too far apart)`);
  const out = new Uint8Array(Number(size));
  for (const o of progbits) out.set(o.data, Number(o.addr - lo));
  return out;
}

function formatListing(units: LinkUnit[], outputs: OutputSection[]): string {
  const out: string[] = [];
  const byName = new Map(outputs.map((o) => [o.name, o]));
  const wide = outputs.some((o) => o.addr + BigInt(o.size) > 0xffffffffn);
  for (const u of units) {
    let lastFile = '';
    for (const l of u.listing) {
      const o = byName.get(l.section.outputName);
      const start = l.section.addr + BigInt(l.section.fOff[l.startFrag] + l.startOff);
      const end = l.section.addr + BigInt(l.section.fOff[l.endFrag] + l.endOff);
      const size = Number(end - start);
      if (l.file !== lastFile) {
        out.push(`# ${l.file}`);
        lastFile = l.file;
      }
      let bytes = '';
      if (o && o.type !== SHT_NOBITS && size > 0) {
        const at = Number(start - o.addr);
        const b = o.data.subarray(at, at + Math.min(size, 8));
        bytes = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
        if (size > 8) bytes += ' ...';
      } else if (size > 0) bytes = `(${size} bytes)`;
      if (size === 0) continue;
      const text = l.src.slice(l.start, l.end).trim().replace(/\t/g, ' ');
      out.push(`${hex(start, wide ? 16 : 8)}  ${bytes.padEnd(27)} ${String(l.line).padStart(5)}  ${text}`);
    }
  }
  return out.join('\n') + (out.length ? '\n' : '');
}

function formatMap(outputs: OutputSection[], image: ElfImage): string {
  const wide = outputs.some((o) => o.addr + BigInt(o.size) > 0xffffffffn);
  const w = wide ? 16 : 8;
  const lines: string[] = ['Sections:', `  ${'name'.padEnd(16)} ${'address'.padEnd(w)} ${'size'.padEnd(8)} flags  align`];
  for (const o of outputs) {
    const flags = `${o.flags & SHF_ALLOC ? 'a' : '-'}${o.flags & SHF_WRITE ? 'w' : '-'}${o.flags & SHF_EXECINSTR ? 'x' : '-'}${o.type === SHT_NOBITS ? ' nobits' : ''}`;
    lines.push(`  ${o.name.padEnd(16)} ${hex(o.addr, w)} ${o.size.toString(16).padStart(8, '0')} ${flags.padEnd(6)} ${o.align}`);
    for (const sec of o.inputs) lines.push(`    ${sec.unitName}(${sec.name}) ${hex(sec.addr, w)} ${sec.size.toString(16).padStart(8, '0')}`);
  }
  lines.push('', `Entry: ${hex(image.entry, w)}`, '', 'Symbols:');
  const syms = image.symbols.filter((s) => s.type !== 'file');
  const order = syms.map((s, i) => ({ s, i }));
  order.sort((a, b) => (a.s.value < b.s.value ? -1 : a.s.value > b.s.value ? 1 : a.s.name < b.s.name ? -1 : a.s.name > b.s.name ? 1 : a.i - b.i));
  for (const { s } of order) {
    lines.push(`  ${hex(s.value, w)} ${s.bind === 'local' ? 'l' : s.bind === 'weak' ? 'w' : 'g'} ${(s.section ?? '*ABS*').padEnd(10)} ${s.size.toString(16).padStart(8, '0')} ${s.name}`);
  }
  return lines.join('\n') + '\n';
}

export { formatDiagnostic as format };
/** All diagnostics as text lines. */
export function formatDiagnostics(r: { diagnostics: Diagnostic[] }): string {
  return r.diagnostics.map((d) => formatDiagnostic(d) + '\n').join('');
}
