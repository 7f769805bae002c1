// GNU ld linker scripts: carrying one out (`rvx ld -T`). tools/ld/script/parse.ts reads the script; this
// module (1) gives each input section its output section — the first input section description, in script
// order, whose file and section patterns match it (ld manual, "Input Section Basics"), /DISCARD/ dropping it,
// SORT* ordering what one description collects, orphans (sections no description names) following an output
// section of their kind — and (2) places the output sections, evaluating the script's statements in order
// with the location counter: addresses, MEMORY regions (`> REGION`, `AT> REGION`, AT(lma), the LMA rules of
// "Output Section LMA"), symbol assignments and PROVIDE, ASSERT, BYTE..QUAD. Placement runs again after each
// round of linker relaxation, and within one placement the statements are evaluated until the symbol values
// settle (ld likewise folds the script several times), so a symbol may be used before its assignment.

import { SHF_ALLOC, SHF_EXECINSTR, SHF_TLS, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS } from '../../elf/model.js';

const SHT_RELA = 4;
import type { Diagnostic } from '../../asm/diagnostics.js';
import type { SegmentSection } from '../segments.js';
import { fillGaps, type FillGap } from './fill.js';
import { assignProgramHeaders, undeclaredPhdrs, type ScriptProgramHeader } from './phdrs.js';
import { InputSection } from '../../asm/section.js';
import { alignUp, compareBy, fileMatches, glob, kindOf } from './match.js';
import type {
  Assignment,
  AssertStatement,
  InputDescription,
  LinkerScript,
  OutputSectionStatement,
  Pos,
  ScriptExpr,
  ProgramHeaderStatement,
  SectionCommand,
} from './parse.js';

/** What layout needs of an output section (tools/asm/link.ts's OutputSection, plus the load address). */
export interface ScriptOutput extends SegmentSection {
  align: number;
  inputs: InputSection[];
  data: Uint8Array;
}

export interface ProvidedSymbol {
  value: bigint;
  section: string | null;
  /** Assigned without PROVIDE: written to the symbol table whether or not an input refers to it. */
  always?: boolean;
  hidden?: boolean;
  /** Assigned outside output sections from `.`, ORIGIN or ALIGN(n): absolute in expressions, and written
   * in the output section that holds the location counter's value at the assignment. */
  dotAt?: bigint;
}

/** The inputs' side of the link, as the script needs it. */
export interface ScriptHost {
  /** Value and output section (null: absolute) of a symbol an input defines, else undefined. */
  inputValue(name: string): { value: bigint; section: string | null } | undefined;
  /** An input refers to `name` without defining it (so PROVIDE defines it). */
  inputNeeds(name: string): boolean;
  /** A symbol the inputs define (for DEFINED and PROVIDE). */
  inputDefines(name: string): boolean;
}

export type Item = { kind: 'sec'; sec: InputSection } | { kind: 'cmd'; cmd: SectionCommand; data?: InputSection; value?: bigint; at?: bigint; end?: bigint };

export interface OutState {
  stmt: OutputSectionStatement | null;
  out: ScriptOutput;
  items: Item[];
  /** Holds input sections or data (else it exists only if its commands give it a size). */
  orphanOf?: number;
  /** The value of `= fill` (final placement). */
  fill?: bigint;
  /** An assignment to `.` inside keeps the section in the image even when it is empty (see keepsSection). */
  keptByDot?: boolean;
}

const isNum = (e: ScriptExpr, v: bigint) => e.t === 'num' && e.v === v;

/**
 * Whether `. = expr` inside an output section keeps it although empty: GNU ld (ldexp.c, exp_fold_tree_1)
 * marks the section SEC_KEEP unless the value is 0 and the expression is `0`, a symbol, `. + 0` or
 * `ALIGN(. != 0 ? x : 1)` (the form its default script ends .bss with).
 */
function keepsSection(e: ScriptExpr, offset: bigint): boolean {
  if (offset !== 0n) return true;
  if (isNum(e, 0n) || e.t === 'sym') return false;
  if (e.t === 'bin' && e.op === '+' && e.a.t === 'dot' && isNum(e.b, 0n)) return false;
  if (e.t === 'call' && e.fn === 'ALIGN' && e.args.length === 1) {
    const c = e.args[0];
    if (c.t === 'cond' && c.c.t === 'bin' && c.c.op === '!=' && c.c.a.t === 'dot' && isNum(c.c.b, 0n) && isNum(c.b, 1n)) return false;
  }
  return true;
}

class EvalError extends Error {
  constructor(
    message: string,
    public pos: Pos | null,
  ) {
    super(message);
  }
}

export class ScriptLayout {
  /** Output section statement index (in `statements`) per input section; -1: discarded. */
  private assigned = new Map<InputSection, { stmt: number; cmd: number }>();
  /** Input sections a KEEP names (roots of --gc-sections). */
  readonly kept = new Set<InputSection>();
  private statements: OutputSectionStatement[] = [];
  private states: OutState[] = [];
  /** In placement order, including orphans (those with stmt null). */
  private order: OutState[] = [];
  private byOutput = new Map<string, OutState>();
  /** Orphans by the index of the SECTIONS command they are placed before (the length: at the end). */
  private orphanAt = new Map<number, OutState[]>();
  private provided = new Map<string, ProvidedSymbol>();
  /** Symbols the script itself names in expressions (PROVIDE defines those too). */
  private scriptRefs = new Set<string>();
  private matched = false;
  /** sh_entsize of objects' mergeable sections (ObjectUnit keeps them apart from the section). */
  private entsizeOf = new Map<InputSection, number>();
  /** Statements an ONLY_IF_RO / ONLY_IF_RW constraint removed. */
  private dropped = new Set<OutputSectionStatement>();
  /** SIZEOF_HEADERS: the ELF header and program headers, when they are loaded (set by the linker). */
  sizeofHeaders = 0n;
  /** DATA_SEGMENT_ALIGN: the page start rather than the same offset in the next page (see place()). */
  private segAdjust = false;
  /** What the last evaluation saw: DATA_SEGMENT_ALIGN's value, DATA_SEGMENT_END's, the common page size. */
  private segSeen: { base: bigint; end: bigint; common: bigint } | null = null;
  private wouldAdjust = false;
  private refsDone = false;
  readonly entry: string | null;
  private dataUnit: number;

  constructor(
    readonly script: LinkerScript,
    private diags: Diagnostic[],
    dataUnit: number,
  ) {
    this.entry = script.entry;
    this.dataUnit = dataUnit;
    for (const c of script.sections ?? []) if (c.kind === 'section') this.statements.push(c);
  }

  /**
   * The symbols the script's active statements name: every statement but a PROVIDE, and a PROVIDE whose
   * symbol an input needs or an active statement names (ld defines a PROVIDEd symbol only when it is
   * referenced; one only an unused PROVIDE names stays undefined).
   */
  private computeRefs(host: ScriptHost): void {
    const refs = (e: ScriptExpr, into: Set<string>): void => {
      if (e.t === 'sym') into.add(e.name);
      else if (e.t === 'un') refs(e.a, into);
      else if (e.t === 'bin') (refs(e.a, into), refs(e.b, into));
      else if (e.t === 'cond') (refs(e.c, into), refs(e.a, into), refs(e.b, into));
      else if (e.t === 'call') for (const a of e.args) refs(a, into);
    };
    const active = new Set<string>();
    const provides: Assignment[] = [];
    const cmd = (c: SectionCommand | Assignment | AssertStatement | OutputSectionStatement): void => {
      if (c.kind === 'assign' && c.provide) provides.push(c);
      else if (c.kind === 'assign' || c.kind === 'assert' || c.kind === 'data' || c.kind === 'fill') refs(c.expr, active);
      else if (c.kind === 'section') {
        for (const e of [c.address, c.at, c.align, c.subalign]) if (e) refs(e, active);
        for (const x of c.commands) cmd(x);
      }
    };
    for (const c of this.script.sections ?? []) cmd(c);
    for (const c of this.script.outside) cmd(c);
    for (const m of this.script.memory) (refs(m.origin, active), refs(m.length, active));
    const done = new Set<Assignment>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const p of provides) {
        if (done.has(p) || host.inputDefines(p.name) || !(host.inputNeeds(p.name) || active.has(p.name))) continue;
        done.add(p);
        active.add(p.name);
        refs(p.expr, active);
        changed = true;
      }
    }
    this.scriptRefs = active;
  }

  private error(pos: Pos | null, message: string): void {
    this.diags.push({ file: this.script.file, line: pos?.line ?? 0, col: pos?.col ?? 0, severity: 'error', message });
  }

  /** Match every input section against the input section descriptions (before --gc-sections). */
  match(units: { sections: InputSection[]; name: string }[]): void {
    const first = !this.matched;
    this.matched = true;
    // Walk descriptions in script order; each takes the matching sections not already taken.
    for (let si = 0; si < this.statements.length; si++) {
      const st = this.statements[si];
      if (this.dropped.has(st)) continue;
      if (st.constraint && first) {
        // ONLY_IF_RO / ONLY_IF_RW: the statement exists only if every section it would take is read-only /
        // writable; else it is dropped and its sections go to later descriptions (ld manual).
        const would: InputSection[] = [];
        for (const c of st.commands) {
          if (c.kind !== 'input') continue;
          for (const u of units) {
            if (!this.fileTaken(c, u.name)) continue;
            for (const sec of u.sections) if (!this.assigned.has(sec) && this.sectionMatches(c, sec, u.name)) would.push(sec);
          }
        }
        const ok = st.constraint === 'ro' ? would.every((sec) => !(sec.flags & SHF_WRITE)) : would.every((sec) => sec.flags & SHF_WRITE);
        if (!ok) {
          this.dropped.add(st);
          continue;
        }
      }
      st.commands.forEach((c, ci) => {
        if (c.kind !== 'input') return;
        for (const u of units) {
          if (!this.fileTaken(c, u.name)) continue;
          for (const sec of u.sections) {
            if (this.assigned.has(sec)) continue;
            if (!this.sectionMatches(c, sec, u.name)) continue;
            this.assigned.set(sec, { stmt: st.name === '/DISCARD/' ? -1 : si, cmd: ci });
            if (c.keep) this.kept.add(sec);
          }
        }
      });
    }
  }

  private fileTaken(c: InputDescription, unitName: string): boolean {
    if (!fileMatches(c.file, unitName)) return false;
    return !c.excludeFiles.some((p) => fileMatches(p, unitName));
  }

  private sectionMatches(c: InputDescription, sec: InputSection, unitName: string): boolean {
    if (c.sections.length === 0) return true;
    return this.patternFor(c, sec, unitName) >= 0;
  }

  private patternFor(c: InputDescription, sec: InputSection, unitName: string): number {
    for (let i = 0; i < c.sections.length; i++) {
      const p = c.sections[i];
      if (!glob(p.pattern).test(sec.name)) continue;
      if (p.excludeFiles.some((x) => fileMatches(x, unitName))) continue;
      return i;
    }
    return -1;
  }

  /** Remove /DISCARD/ed sections from the units; returns them. */
  discard(units: { sections: InputSection[] }[]): InputSection[] {
    const gone: InputSection[] = [];
    for (const u of units) {
      const keep = u.sections.filter((s) => this.assigned.get(s)?.stmt !== -1);
      if (keep.length !== u.sections.length) {
        for (const s of u.sections) if (this.assigned.get(s)?.stmt === -1) gone.push(s);
        u.sections = keep;
      }
    }
    return gone;
  }

  /** The output section an input section goes to (its own name for an orphan). */
  outputNameOf(sec: InputSection): string {
    const a = this.assigned.get(sec);
    if (a && a.stmt >= 0) return this.statements[a.stmt].name;
    // An orphan: its own name (COMMON into .bss, as ld's orphan rules give it); an allocated relocation
    // table goes to .rela.dyn (ld's -z combreloc, on by default).
    if (sec.type === SHT_RELA && sec.flags & SHF_ALLOC) return '.rela.dyn';
    return sec.name === 'COMMON' ? '.bss' : sec.name;
  }

  /**
   * Build the output sections from the (merged, laid out) input sections: those a description names in
   * script order, orphans after the last output section of their kind. Returns them in address order of
   * the script.
   */
  build(units: { sections: InputSection[]; name: string; index: number; entsize?: Map<InputSection, number> }[]): ScriptOutput[] {
    for (const u of units) if (u.entsize instanceof Map) for (const [sec, n] of u.entsize) this.entsizeOf.set(sec, n);
    this.states = this.statements.map((stmt) => ({ stmt, out: this.newOut(stmt.name), items: [] as Item[] }));
    this.byOutput.clear();
    for (const s of this.states) if (!this.dropped.has(s.stmt!) && !this.byOutput.has(s.out.name)) this.byOutput.set(s.out.name, s);
    // Per description, the sections it took, in input order (file by file, each file's sections in order).
    const taken = new Map<string, InputSection[]>();
    const orphans: InputSection[] = [];
    for (const u of units) {
      for (const sec of u.sections) {
        if (sec.size === 0 && !sec.hasLabels) continue;
        const a = this.assigned.get(sec);
        if (!a) {
          orphans.push(sec);
          continue;
        }
        if (a.stmt < 0) continue;
        const key = `${a.stmt}:${a.cmd}`;
        let l = taken.get(key);
        if (!l) taken.set(key, (l = []));
        l.push(sec);
      }
    }
    const unitOf = new Map<InputSection, string>();
    for (const u of units) for (const sec of u.sections) unitOf.set(sec, u.name);
    this.states.forEach((state, si) => {
      const st = state.stmt!;
      st.commands.forEach((c, ci) => {
        if (c.kind !== 'input') {
          const item: Item = { kind: 'cmd', cmd: c };
          if (c.kind === 'data') {
            const d = new InputSection('<script data>', SHT_PROGBITS, SHF_ALLOC, this.dataUnit, this.script.file);
            d.putLE(0n, c.size);
            d.size = c.size;
            d.fOff[0] = 0;
            item.data = d;
          }
          state.items.push(item);
          return;
        }
        let secs = taken.get(`${si}:${ci}`) ?? [];
        const sorted = c.sections.some((p) => p.sort.length && p.sort[0] !== 'none') || c.fileSort;
        if (sorted) {
          const idx = new Map(secs.map((s, i) => [s, i]));
          const keyOf = (s: InputSection) => c.sections[this.patternFor(c, s, unitOf.get(s) ?? '')]?.sort ?? [];
          secs = secs.slice().sort((a, b) => {
            if (c.fileSort) {
              const fa = unitOf.get(a) ?? '';
              const fb = unitOf.get(b) ?? '';
              if (fa !== fb) return fa < fb ? -1 : 1;
            }
            const ka = keyOf(a);
            const kb = keyOf(b);
            // Sections of an unsorted pattern keep their input order after the sorted ones.
            if (!ka.length || !kb.length) return ka.length ? -1 : kb.length ? 1 : idx.get(a)! - idx.get(b)!;
            for (let k = 0; k < Math.max(ka.length, kb.length); k++) {
              const r = compareBy(ka[k] ?? ka[0], a, b);
              if (r) return r;
            }
            // SORT_BY_NAME alone falls back to alignment, SORT_BY_ALIGNMENT to name (ld's compare_section).
            const r = ka[0] === 'alignment' ? compareBy('name', a, b) : ka[0] === 'name' ? 0 : 0;
            return r || idx.get(a)! - idx.get(b)!;
          });
        }
        for (const sec of secs) state.items.push({ kind: 'sec', sec });
      });
    });
    for (const state of this.states) for (const it of state.items) if (it.kind === 'sec') this.addInput(state.out, it.sec);
    // Orphans (ld's ldelf_place_orphan): an output section of the same name takes them; else a new one after
    // the output section that holds their kind in a usual script (.text, .rodata, .tdata, .data or .sdata,
    // .bss) when the script has one, after orphans already put there; else after the last one of their kind.
    this.order = [...this.states];
    const lastAfterHold = new Map<OutState, OutState>();
    for (const sec of orphans) {
      const name = this.outputNameOf(sec);
      let st = this.byOutput.get(name);
      if (!st) {
        st = { stmt: null, out: this.newOut(name), items: [] };
        this.byOutput.set(name, st);
        const kind = kindOf(sec.type, sec.flags);
        const small = /^\.(sdata|sbss|srodata)/.test(sec.name);
        // An allocated relocation table has no hold section of its own (ld: output_rel_find): it follows the
        // last read-only section there is; other orphans do not count it as one of their kind.
        const rela = sec.type === SHT_RELA;
        const holdName = rela ? '' : [ '.text', '.rodata', '.tdata', '.tdata', small ? '.sdata' : '.data', '.bss', ''][kind];
        const hold = holdName ? this.byOutput.get(holdName) : undefined;
        if (hold && hold.stmt) {
          const after = lastAfterHold.get(hold) ?? hold;
          this.order.splice(this.order.indexOf(after) + 1, 0, st);
          lastAfterHold.set(hold, st);
          st.items.push({ kind: 'sec', sec });
          this.addInput(st.out, sec);
          continue;
        }
        let at = -1;
        for (let i = 0; i < this.order.length; i++) {
          const o = this.order[i];
          if (!this.hasInputs(o)) continue;
          const k = kindOf(o.out.type, o.out.flags);
          if (k === kind && (rela || o.out.type !== SHT_RELA)) at = i;
        }
        if (at < 0 && kind !== 6) {
          // No section of its kind: after the last allocated one of a lower kind.
          for (let i = 0; i < this.order.length; i++) {
            const o = this.order[i];
            if (this.hasInputs(o) && kindOf(o.out.type, o.out.flags) < kind) at = i;
          }
        }
        if (at < 0) at = kind === 6 ? this.order.length - 1 : -1;
        this.order.splice(at + 1, 0, st);
      }
      st.items.push({ kind: 'sec', sec });
      this.addInput(st.out, sec);
    }
    this.anchorOrphans();
    for (const state of this.order) {
      // GNU ld 2.40 never makes an output section named .text writable (writable inputs such as the
      // .init_array picolibc.ld puts there leave it "AX"); other names take the union of their inputs' flags.
      if (state.out.name === '.text') state.out.flags &= ~SHF_WRITE;
      // Only commands (`. += 0x800`): ld allocates it without contents (SHT_NOBITS, "WA").
      if (state.out.inputs.length === 0 && state.items.length) {
        state.out.type = SHT_NOBITS;
        state.out.flags = SHF_ALLOC | SHF_WRITE;
      }
      for (const it of state.items) if (it.kind === 'sec') it.sec.outputName = state.out.name;
      const st = state.stmt;
      if (st?.type === 'NOLOAD' && state.out.flags & SHF_ALLOC) state.out.type = SHT_NOBITS;
      if (st?.type === 'INFO' || st?.type === 'COPY' || st?.type === 'DSECT') state.out.flags &= ~SHF_ALLOC;
      const data = state.items.filter((i) => i.kind === 'cmd' && i.data);
      for (const d of data) {
        if (d.kind === 'cmd' && d.data) {
          d.data.outputName = state.out.name;
          state.out.inputs.push(d.data);
          if (!state.out.inputs.some((s) => s !== d.data)) state.out.flags = SHF_ALLOC;
          state.out.type = SHT_PROGBITS;
        }
      }
    }
    // SHF_LINK_ORDER inputs (gcc's __patchable_function_entries) take the order of the sections they are
    // linked to, by output section and then place in it, in the slots they had (bfd elflink.c,
    // elf_fixup_link_order).
    const rank = new Map<InputSection, number>();
    this.order.forEach((state, i) => state.items.forEach((it, j) => it.kind === 'sec' && rank.set(it.sec, i * 2 ** 26 + j)));
    for (const state of this.order) {
      const slots: number[] = [];
      state.items.forEach((it, j) => it.kind === 'sec' && it.sec.linkedTo && rank.has(it.sec.linkedTo) && slots.push(j));
      if (slots.length < 2) continue;
      const sorted = slots.map((j) => state.items[j]).sort((a, b) => rank.get((a as { sec: InputSection }).sec.linkedTo!)! - rank.get((b as { sec: InputSection }).sec.linkedTo!)!);
      slots.forEach((j, k) => (state.items[j] = sorted[k]));
    }
    // Input order within each output: the order of its items.
    for (const state of this.order) {
      const order = new Map<InputSection, number>();
      let n = 0;
      for (const it of state.items) {
        if (it.kind === 'sec') order.set(it.sec, n++);
        else if (it.data) order.set(it.data, n++);
      }
      state.out.inputs.sort((a, b) => order.get(a)! - order.get(b)!);
    }
    return this.order.map((s) => s.out);
  }

  /**
   * Where in the SECTIONS commands each orphan is placed (ld's lang_insert_orphan): after the output section
   * it follows and the assignments after that one, but before a run of assignments to `.` that leads to the
   * next allocated output section (those belong to it), the first such assignment of the script excepted.
   */
  private anchorOrphans(): void {
    this.orphanAt.clear();
    const cmds = this.script.sections ?? [];
    const firstSection = cmds.findIndex((c) => c.kind === 'section');
    let anchor: OutState | null = null;
    for (const st of this.order) {
      if (st.stmt) {
        anchor = st;
        continue;
      }
      let at = 0;
      if (anchor) {
        const i = cmds.indexOf(anchor.stmt!);
        let assign = -1;
        let ignoreFirst = i === firstSection;
        at = cmds.length;
        for (let j = i + 1; j < cmds.length; j++) {
          const c = cmds[j];
          if (c.kind === 'assign') {
            if (assign < 0 && c.name === '.') {
              if (!ignoreFirst) assign = j;
              ignoreFirst = false;
            }
            continue;
          }
          if (c.kind === 'assert') continue;
          const next = this.byOutput.get(c.name);
          at = assign >= 0 && (!next || !next.out.inputs.length || next.out.flags & SHF_ALLOC) ? assign : j;
          break;
        }
      }
      let l = this.orphanAt.get(at);
      if (!l) this.orphanAt.set(at, (l = []));
      l.push(st);
    }
  }

  private hasInputs(s: OutState): boolean {
    return s.out.inputs.length > 0;
  }

  private newOut(name: string): ScriptOutput {
    return { name, type: SHT_PROGBITS, flags: 0, addr: 0n, size: 0, align: 1, inputs: [], data: new Uint8Array(0) };
  }

  private addInput(o: ScriptOutput, sec: InputSection): void {
    // SHF_MERGE|SHF_STRINGS stay when every input has the same ones and entry size (ld's lang_add_section).
    const MS = 0x30;
    if (o.inputs.length === 0) {
      o.type = sec.type;
      o.flags = sec.flags & ~0x200;
    } else {
      if (o.type !== sec.type && sec.type === SHT_PROGBITS) o.type = SHT_PROGBITS;
      const first = o.inputs[0];
      const ent = (x: InputSection) => this.entsizeOf.get(x) ?? x.entsize;
      const sameMerge = (o.flags & MS) === (sec.flags & MS) && ent(first) === ent(sec);
      o.flags |= sec.flags & ~0x200 & ~MS;
      if (!sameMerge) o.flags &= ~MS;
    }
    o.inputs.push(sec);
    if (sec.align > o.align) o.align = sec.align;
  }

  /** Output sections present in the image: those with inputs, data or a size (ld drops empty ones). */
  outputs(): ScriptOutput[] {
    return this.order.filter((s) => this.present(s)).map((s) => s.out);
  }

  /** In the image: ld removes an output section of size 0, whatever its inputs and symbol assignments
   * (its symbols move to a neighbour), unless an assignment to `.` in it keeps it (keepsSection). */
  private present(s: OutState): boolean {
    return s.out.size > 0 || s.keptByDot === true;
  }

  /**
   * Whether the last place() found DATA_SEGMENT_ALIGN's page-saving adjustment applies. ld then sizes the
   * sections twice in each round of relaxation (ldlang.c lang_size_sections: the pass at the same offset in
   * the next page, then lang_size_segment's pass from the page start), relaxing in both, so the code is
   * relaxed once against data at either address.
   */
  segmentAdjusts(): boolean {
    return this.wouldAdjust;
  }

  providedSymbols(): Map<string, ProvidedSymbol> {
    return this.provided;
  }

  /**
   * Place every output section and input section and assign the script's symbols. `host` answers for the
   * inputs' symbols. Errors are reported only by the last evaluation (earlier ones may see symbols that are
   * assigned later in the script).
   */
  place(host: ScriptHost, final: boolean, adjust = true): void {
    if (!this.refsDone) {
      this.computeRefs(host);
      this.refsDone = true;
    }
    let prevValues = '';
    for (let pass = 0; pass < 6; pass++) {
      const last = pass === 5;
      let errors: { pos: Pos | null; message: string }[] = [];
      // DATA_SEGMENT_ALIGN as ld sizes sections (ldlang.c's lang_size_segment): laid out at the same offset in
      // the next page first; then, when the data segment's first and last partial pages together fit in one
      // common page, laid out again from the page start, saving that page.
      // With `adjust` false the first layout is kept (what ld's relaxation sees in the second sizing pass of a
      // round: see segmentAdjusts).
      this.segAdjust = false;
      this.segSeen = null;
      this.evaluate(host, errors);
      const seg = this.segSeen as { base: bigint; end: bigint; common: bigint } | null;
      this.wouldAdjust = false;
      if (seg && seg.common > 0n) {
        const first = -seg.base & (seg.common - 1n);
        const lastPart = seg.end & (seg.common - 1n);
        this.wouldAdjust = !!first && !!lastPart && seg.base / seg.common !== seg.end / seg.common && first + lastPart <= seg.common;
        if (this.wouldAdjust && adjust) {
          this.segAdjust = true;
          errors = [];
          this.evaluate(host, errors);
        }
      }
      const values = [...this.provided].map(([k, v]) => `${k}=${v.value}`).join(',') + '|' + this.order.map((s) => `${s.out.addr}:${s.out.size}:${s.out.lma}`).join(',');
      const settled = values === prevValues;
      prevValues = values;
      if (settled || last) {
        if (final) for (const e of errors) this.error(e.pos, e.message);
        return;
      }
    }
  }

  private evaluate(host: ScriptHost, errors: { pos: Pos | null; message: string }[]): void {
    const script = this.script;
    const symbols = new Map<string, ProvidedSymbol>();
    const sectionByName = new Map<string, OutState>();
    for (const s of this.order) if (!sectionByName.has(s.out.name)) sectionByName.set(s.out.name, s);
    let dot = 0n;
    let cur: OutState | null = null;
    let lastPlaced: OutState | null = null;
    const report = (pos: Pos | null, message: string) => errors.push({ pos, message });

    // Values follow ld's "The Section of an Expression": a plain number (N), an absolute address (A) or an
    // address relative to an output section (R). `v` is always the absolute value; arithmetic between an R and
    // an N, or two Rs of one section, works on the offset in the section. Outside output sections literals are
    // absolute addresses; inside, numbers (an N assigned to a symbol there is an offset in the section).
    // `.`, ORIGIN and ALIGN(n) outside a section are absolute but make the symbol assigned relative to the
    // current section (ld's rel_from_abs).
    type V = { v: bigint; k: 'num' | 'abs' | 'rel'; sec: OutState | null };
    const u64 = (x: bigint) => BigInt.asUintN(64, x);
    const N = (v: bigint): V => ({ v: u64(v), k: 'num', sec: null });
    const A = (v: bigint): V => ({ v: u64(v), k: 'abs', sec: null });
    const R = (sec: OutState, offset: bigint): V => ({ v: u64(sec.out.addr + offset), k: 'rel', sec });
    let relFromAbs = false;
    let dataSegStart: bigint | null = null;
    const here = (v: bigint): V => {
      if (cur) return R(cur, v - cur.out.addr);
      relFromAbs = true;
      return A(v);
    };
    const part = (x: V): bigint => u64(x.k === 'rel' ? x.v - x.sec!.out.addr : x.v);
    const previous = this.provided;
    const defined = (name: string): boolean => symbols.has(name) || host.inputDefines(name);
    const symValue = (name: string, pos: Pos): V => {
      const s = symbols.get(name) ?? previous.get(name);
      let value: bigint;
      let secName: string | null;
      if (s) {
        value = s.value;
        secName = s.dotAt !== undefined ? null : s.section;
      } else {
        const d = host.inputValue(name);
        if (d === undefined) throw new EvalError(`undefined symbol '${name}' referenced in expression`, pos);
        value = d.value;
        secName = d.section;
      }
      const st = secName !== null ? sectionByName.get(secName) : undefined;
      if (st) return R(st, value - st.out.addr);
      // Inside an output section an absolute symbol is a number (ld without SANE_EXPR).
      return cur ? N(value) : A(value);
    };
    const section = (name: string, pos: Pos, fn: string): OutState => {
      const s = sectionByName.get(name);
      if (!s) throw new EvalError(`${fn}: undefined section '${name}' referenced in expression`, pos);
      return s;
    };
    const region = (name: string, pos: Pos, fn: string) => {
      const r = regions.get(name);
      if (!r) throw new EvalError(`${fn}: undefined memory region '${name}' referenced in expression`, pos);
      return r;
    };
    const COMPARE = new Set(['==', '!=', '<', '>', '<=', '>=', '&&', '||']);
    const binary = (op: string, a: V, b: V, pos: Pos): V => {
      let x = a;
      let y = b;
      // Different sections, or an address with an absolute value: both absolute first.
      if (x.k !== 'num' && y.k !== 'num' && !(x.k === y.k && x.sec === y.sec)) {
        x = A(x.v);
        y = A(y.v);
      }
      const p = part(x);
      const q = part(y);
      let r: bigint;
      switch (op) {
        case '+': r = p + q; break;
        case '-': r = p - q; break;
        case '*': r = p * q; break;
        case '/':
        case '%':
          if (q === 0n) throw new EvalError(op === '/' ? 'division by zero' : 'modulo by zero', pos);
          r = op === '/' ? p / q : p % q;
          break;
        case '<<': r = q >= 64n ? 0n : p << q; break;
        case '>>': r = q >= 64n ? 0n : p >> q; break;
        case '&': r = p & q; break;
        case '|': r = p | q; break;
        case '^': r = p ^ q; break;
        case '&&': r = p !== 0n && q !== 0n ? 1n : 0n; break;
        case '||': r = p !== 0n || q !== 0n ? 1n : 0n; break;
        case '==': r = p === q ? 1n : 0n; break;
        case '!=': r = p !== q ? 1n : 0n; break;
        case '<': r = p < q ? 1n : 0n; break;
        case '>': r = p > q ? 1n : 0n; break;
        case '<=': r = p <= q ? 1n : 0n; break;
        case '>=': r = p >= q ? 1n : 0n; break;
        case 'MAX': r = p >= q ? p : q; break;
        case 'MIN': r = p <= q ? p : q; break;
        case 'ALIGN': r = alignUp(p, q); break;
        default:
          throw new EvalError(`unknown operator ${op}`, pos);
      }
      if (COMPARE.has(op)) return N(r);
      // The result's kind: the non-number operand's; for two of one kind, arithmetic gives a number inside
      // an output section and an absolute address outside (MAX, MIN and ALIGN keep the kind).
      const k = x.k === 'num' ? y : x;
      if (x.k === y.k && x.k !== 'num' && op !== 'MAX' && op !== 'MIN' && op !== 'ALIGN') return cur ? N(r) : A(r);
      if (k.k === 'rel') return R(k.sec!, r);
      return k.k === 'abs' ? A(r) : N(r);
    };
    const ev = (e: ScriptExpr): V => {
      switch (e.t) {
        case 'num':
          return cur ? N(e.v) : A(e.v);
        case 'dot':
          return here(dot);
        case 'sym':
          return symValue(e.name, e.pos);
        case 'un': {
          const a = ev(e.a);
          const p = part(a);
          const r = e.op === '-' ? -p : e.op === '~' ? ~p : p === 0n ? 1n : 0n;
          return a.k === 'rel' ? R(a.sec!, r) : a.k === 'abs' ? A(r) : N(r);
        }
        case 'cond':
          return ev(e.c).v !== 0n ? ev(e.a) : ev(e.b);
        case 'bin':
          return binary(e.op, ev(e.a), ev(e.b), e.pos);
        case 'call': {
          const name = e.name ?? '';
          switch (e.fn) {
            case 'ALIGN':
              if (e.args.length === 1) return here(alignUp(dot, part(ev(e.args[0]))));
              return binary('ALIGN', ev(e.args[0]), ev(e.args[1]), e.pos);
            case 'NEXT':
            case 'BLOCK':
              return here(alignUp(dot, part(ev(e.args[0]))));
            case 'DATA_SEGMENT_ALIGN': {
              // ld manual: the next page at the same offset within it, or the page start when that needs
              // fewer common pages for the data segment (as long as it was at the last placement).
              const maxp = part(ev(e.args[0]));
              const common = part(ev(e.args[1]));
              const page = alignUp(dot, maxp);
              const keep = page + (dot & (maxp - 1n));
              const start = common < maxp ? page + ((dot + common - 1n) & (maxp - common)) : page;
              dataSegStart = this.segAdjust ? start : keep;
              if (!this.segAdjust && dataSegStart !== null) this.segSeen = { base: keep, end: keep, common };
              return here(dataSegStart);
            }
            case 'DATA_SEGMENT_RELRO_END':
              return ev(e.args[1]);
            case 'DATA_SEGMENT_END': {
              const r = ev(e.args[0]);
              if (dataSegStart !== null && this.segSeen && !this.segAdjust) this.segSeen.end = r.v;
              return r;
            }
            case 'MAX':
            case 'MIN':
              return binary(e.fn, ev(e.args[0]), ev(e.args[1]), e.pos);
            case 'ABSOLUTE':
              return A(ev(e.args[0]).v);
            case 'LOG2CEIL': {
              const a = part(ev(e.args[0]));
              let n = 0n;
              while (1n << n < a) n++;
              return N(n);
            }
            case 'SIZEOF_HEADERS':
              return N(this.sizeofHeaders);
            case 'CONSTANT':
              return N(0x1000n);
            case 'SEGMENT_START':
              return here(ev(e.args[0]).v);
            case 'DEFINED':
              return N(defined(name) ? 1n : 0n);
            case 'ORIGIN':
              return here(region(name, e.pos, e.fn).origin);
            case 'LENGTH':
              return N(region(name, e.pos, e.fn).length);
            case 'ADDR': {
              const s = section(name, e.pos, e.fn);
              return R(s, 0n);
            }
            case 'LOADADDR': {
              const s = section(name, e.pos, e.fn).out;
              return A(s.lma ?? s.addr);
            }
            case 'SIZEOF':
              return N(BigInt(sectionByName.get(name) ? section(name, e.pos, e.fn).out.size : 0));
            case 'ALIGNOF':
              return N(BigInt(sectionByName.get(name) ? section(name, e.pos, e.fn).out.align : 0));
          }
          throw new EvalError(`unknown function ${e.fn}`, e.pos);
        }
      }
    };
    const value = (e: ScriptExpr): bigint => ev(e).v;

    const regions = new Map<string, { origin: bigint; length: bigint; cur: bigint; attrs: string; notAttrs: string; pos: Pos; overflowReported: boolean }>();
    /** A region a section without `>` goes to by the regions' attributes (ld's lang_memory_default). */
    const defaultRegion = (o: ScriptOutput) => {
      for (const [name, r] of regions) {
        if (!r.attrs && !r.notAttrs) continue;
        const has = (c: string): boolean =>
          c === 'r' ? true : c === 'w' ? !!(o.flags & SHF_WRITE) : c === 'x' ? !!(o.flags & SHF_EXECINSTR) : c === 'a' ? !!(o.flags & SHF_ALLOC) : c === 'i' || c === 'l' ? o.type !== SHT_NOBITS : false;
        if ([...r.notAttrs].some(has)) continue;
        // ld: a section matches a region when one of the region's (non-negated) attributes fits it.
        if (r.attrs && ![...r.attrs].some((c) => c !== 'r' && has(c))) {
          if (!(r.attrs.includes('r') && !(o.flags & (SHF_WRITE | SHF_EXECINSTR)))) continue;
        }
        return name;
      }
      return null;
    };

    const assign = (a: Assignment, inSection: OutState | null, secStart: bigint): void => {
      if (a.provide) {
        // PROVIDE: only for a symbol an input or the script refers to and no input defines.
        if (host.inputDefines(a.name)) return;
        if (!host.inputNeeds(a.name) && !this.scriptRefs.has(a.name)) return;
      }
      let r: V;
      relFromAbs = false;
      try {
        r = ev(a.expr);
        if (a.op !== '=') r = binary(a.op, a.name === '.' ? here(dot) : symValue(a.name, a.pos), r, a.pos);
      } catch (err) {
        if (!(err instanceof EvalError)) throw err;
        report(err.pos ?? a.pos, err.message);
        return;
      }
      if (a.name === '.') {
        // Inside an output section a number is an offset from its start (ld manual, "The Location Counter").
        const to = inSection && r.k === 'num' ? secStart + r.v : r.v;
        if (inSection && to < dot) {
          report(a.pos, `cannot move location counter backwards (from 0x${dot.toString(16)} to 0x${to.toString(16)})`);
          return;
        }
        dot = to;
        if (!inSection) dotSince = true;
        return;
      }
      let value = r.v;
      let owner: OutState | null = null;
      if (r.k === 'rel') owner = r.sec;
      else if (r.k === 'num' && inSection) {
        owner = inSection;
        value = u64(secStart + r.v);
      }
      const sym: ProvidedSymbol = { value, section: owner ? owner.out.name : null, always: !a.provide, hidden: a.hidden };
      if (r.k === 'abs' && !inSection && relFromAbs) {
        // ld: such a symbol belongs to the output section before it, or — after an assignment to `.` that
        // leads to the next allocated output section, or before any — to that next one.
        sym.dotAt = dot;
        if (prevSec && !dotSince) sym.section = prevSec.out.name;
        else pending.push(sym);
      }
      symbols.set(a.name, sym);
    };
    const check = (a: AssertStatement): void => {
      try {
        if (value(a.expr) === 0n) report(a.pos, a.message);
      } catch (err) {
        if (!(err instanceof EvalError)) throw err;
        report(err.pos ?? a.pos, err.message);
      }
    };

    // The previous allocated output section (for the LMA rule) and its regions.
    let prev: { out: ScriptOutput; region: string | null; lmaRegion: string | null } | null = null;
    let prevSec: OutState | null = null;
    let dotSince = false;
    let pending: ProvidedSymbol[] = [];
    const placeSection = (state: OutState): void => {
      placeOne(state);
      if (state.out.flags & SHF_ALLOC || (state.out.inputs.length === 0 && state.out.type === SHT_NOBITS)) {
        for (const sym of pending) sym.section = state.out.name;
        pending = [];
        prevSec = state;
        dotSince = false;
      }
    };
    const placeOne = (state: OutState): void => {
      const o = state.out;
      const st = state.stmt;
      const present = o.inputs.some((sec) => sec.size > 0) || (st !== null && st.commands.some((c) => c.kind !== 'input'));
      let align = 1n;
      for (const sec of o.inputs) if (BigInt(sec.align) > align) align = BigInt(sec.align);
      try {
        if (st?.align) {
          const a = value(st.align);
          if (a > align) align = a;
        }
      } catch (err) {
        if (!(err instanceof EvalError)) throw err;
        report(err.pos ?? st!.pos, err.message);
      }
      if (align & (align - 1n)) report(st?.pos ?? null, `alignment of section '${o.name}' is not a power of two`);
      o.align = Number(align);
      const alloc = !!(o.flags & SHF_ALLOC) || (o.inputs.length === 0 && o.type !== SHT_NOBITS && st?.type !== 'INFO');
      let regionName = st?.region ?? null;
      if (regionName !== null && !regions.has(regionName)) {
        report(st!.pos, `memory region '${regionName}' not declared`);
        regionName = null;
      }
      if (regionName === null && !st?.address && alloc && o.inputs.length) regionName = defaultRegion(o);
      const reg = regionName !== null ? regions.get(regionName)! : null;
      let vma: bigint;
      try {
        if (st?.address) vma = value(st.address);
        else if (!alloc) vma = 0n;
        else vma = alignUp(reg ? reg.cur : dot, present ? align : 1n);
      } catch (err) {
        if (!(err instanceof EvalError)) throw err;
        report(err.pos ?? st!.pos, err.message);
        vma = dot;
      }
      o.addr = vma;
      const saveDot = dot;
      const saveCur = cur;
      cur = state;
      dot = vma;
      let subalign = 0n;
      try {
        if (st?.subalign) subalign = value(st.subalign);
      } catch (err) {
        if (!(err instanceof EvalError)) throw err;
        report(err.pos ?? st!.pos, err.message);
      }
      state.fill = undefined;
      if (st?.fill) {
        try {
          state.fill = value(st.fill);
        } catch (err) {
          if (!(err instanceof EvalError)) throw err;
          report(err.pos ?? st.pos, err.message);
        }
      }
      for (const it of state.items) {
        if (it.kind === 'sec') {
          dot = alignUp(dot, subalign || BigInt(it.sec.align));
          it.sec.addr = dot;
          dot += BigInt(it.sec.size);
          continue;
        }
        const c = it.cmd;
        it.at = dot;
        if (c.kind === 'assign') {
          assign(c, state, vma);
          it.end = dot;
          if (c.name === '.' && !c.provide && keepsSection(c.op === '=' ? c.expr : { t: 'bin', op: c.op, a: { t: 'dot', pos: c.pos }, b: c.expr, pos: c.pos }, dot - vma)) state.keptByDot = true;
        }
        else if (c.kind === 'assert') check(c);
        else if (c.kind === 'fill') {
          try {
            it.value = value(c.expr);
          } catch (err) {
            if (!(err instanceof EvalError)) throw err;
            report(err.pos ?? c.pos, err.message);
          }
        } else if (c.kind === 'data' && it.data) {
          it.data.addr = dot;
          try {
            it.value = value(c.expr);
          } catch (err) {
            if (!(err instanceof EvalError)) throw err;
            report(err.pos ?? c.pos, err.message);
          }
          dot += BigInt(c.size);
        }
      }
      o.size = Number(dot - vma);
      cur = saveCur;
      if (!alloc) {
        dot = saveDot;
        return;
      }
      // LMA: AT(), AT> region, or the previous section's VMA-LMA difference (ld manual, "Output Section LMA").
      let lmaRegion = st?.lmaRegion ?? null;
      if (lmaRegion !== null && !regions.has(lmaRegion)) {
        report(st!.pos, `memory region '${lmaRegion}' not declared`);
        lmaRegion = null;
      }
      if (!st?.at && lmaRegion === null && !st?.address && prev && prev.region === regionName && regionName !== null) lmaRegion = prev.lmaRegion;
      let lma = vma;
      try {
        if (st?.at) lma = value(st.at);
        else if (lmaRegion !== null && lmaRegion !== regionName) lma = alignUp(regions.get(lmaRegion)!.cur, align);
        else if (lmaRegion === null && !st?.address && prev && prev.out.lma !== undefined && (regionName === null || prev.region === regionName)) lma = vma + (prev.out.lma - prev.out.addr);
      } catch (err) {
        if (!(err instanceof EvalError)) throw err;
        report(err.pos ?? st!.pos, err.message);
      }
      o.lma = lma;
      const end = vma + BigInt(o.size);
      // A TLS NOBITS section (.tbss) takes no address space of its own: the next section starts where it does.
      const tbss = (o.flags & SHF_TLS) !== 0 && o.type === SHT_NOBITS;
      if (reg) {
        if (!tbss) reg.cur = end;
        if (end > reg.origin + reg.length && !reg.overflowReported && o.size > 0) {
          reg.overflowReported = true;
          report(st?.pos ?? reg.pos, `section '${o.name}' will not fit in region '${regionName}': region '${regionName}' overflowed by ${end - (reg.origin + reg.length)} bytes`);
        }
      }
      if (lmaRegion !== null && lmaRegion !== regionName && o.type !== SHT_NOBITS) {
        const lr = regions.get(lmaRegion)!;
        lr.cur = lma + BigInt(o.size);
        if (lr.cur > lr.origin + lr.length && !lr.overflowReported && o.size > 0) {
          lr.overflowReported = true;
          report(st?.pos ?? lr.pos, `section '${o.name}' will not fit in region '${lmaRegion}': region '${lmaRegion}' overflowed by ${lr.cur - (lr.origin + lr.length)} bytes`);
        }
      }
      dot = tbss ? vma : end;
      if (present) {
        prev = { out: o, region: regionName, lmaRegion: lmaRegion ?? regionName };
        lastPlaced = state;
      }
    };

    // --defsym first (ld enters them before reading the script), then MEMORY.
    for (const c of script.outside) if (c.kind === 'assign' && c.early) assign(c, null, 0n);
    for (const m of script.memory) {
      let origin = 0n;
      let length = 0n;
      try {
        origin = value(m.origin);
        length = value(m.length);
      } catch (err) {
        if (!(err instanceof EvalError)) throw err;
        report(err.pos ?? m.pos, err.message);
      }
      regions.set(m.name, { origin, length, cur: origin, attrs: m.attrs, notAttrs: m.notAttrs, pos: m.pos, overflowReported: false });
    }
    for (const c of script.outside) if (c.kind === 'assign' && !c.early) assign(c, null, 0n);
    const cmds = script.sections ?? [];
    for (let ci = 0; ci <= cmds.length; ci++) {
      for (const o of this.orphanAt.get(ci) ?? []) placeSection(o);
      if (ci === cmds.length) break;
      const c = cmds[ci];
      if (c.kind === 'assign') assign(c, null, 0n);
      else if (c.kind === 'assert') check(c);
      else {
        const state = this.states[this.statements.indexOf(c)];
        if (c.name === '/DISCARD/') {
          // Its assignments are still carried out (ld); it takes no address.
          for (const x of c.commands) if (x.kind === 'assign') assign(x, null, 0n);
          continue;
        }
        if (this.dropped.has(c)) continue;
        // ONLY_IF_RO / ONLY_IF_RW pairs name one output section twice: each is its own statement.
        if (this.byOutput.get(c.name) !== state && !c.constraint && !this.byOutput.get(c.name)?.stmt?.constraint) {
          // A second statement for a name already used: its inputs went to the first one.
          report(c.pos, `output section '${c.name}' is described twice (rvx ld merges only one description per name)`);
          continue;
        }
        placeSection(state);
      }
    }
    for (const c of script.outside) if (c.kind === 'assert') check(c);
    for (const sym of pending) sym.section = prevSec ? (prevSec as OutState).out.name : null;
    // A symbol in an output section that is not in the image moves to a kept neighbour (bfd's
    // _bfd_nearby_section): the previous one, unless the next one is of the same kind and not above it.
    for (const sym of symbols.values()) {
      const st = sym.section !== null ? sectionByName.get(sym.section) : undefined;
      if (!st || this.present(st)) continue;
      const i = this.order.indexOf(st);
      let before: OutState | null = null;
      let after: OutState | null = null;
      for (let j = i - 1; j >= 0 && !before; j--) if (this.present(this.order[j]) && this.order[j].out.flags & SHF_ALLOC) before = this.order[j];
      for (let j = i + 1; j < this.order.length && !after; j++) if (this.present(this.order[j]) && this.order[j].out.flags & SHF_ALLOC) after = this.order[j];
      let best = after ?? before;
      if (before && after) {
        const b = before.out;
        const a = after.out;
        // bfd's flags: ALLOC, THREAD_LOCAL, LOAD, READONLY, CODE; the dropped section has none when nothing
        // went into it (ld never gave it any) and never LOAD.
        const ALLOC = 1, TLS = 2, LOAD = 4, RO = 8, CODE = 16;
        const bfd = (x: ScriptOutput, load: boolean) =>
          (x.flags & SHF_ALLOC ? ALLOC : 0) | (x.flags & SHF_TLS ? TLS : 0) | (load && x.flags & SHF_ALLOC && x.type !== SHT_NOBITS ? LOAD : 0) | (x.flags & SHF_WRITE ? 0 : RO) | (x.flags & SHF_EXECINSTR ? CODE : 0);
        const pf = bfd(b, true);
        const nf = bfd(a, true);
        const sf = st.out.inputs.length ? bfd(st.out, false) : 0;
        if ((pf ^ nf) & (ALLOC | TLS | LOAD)) {
          if ((nf ^ sf) & (ALLOC | TLS) || (pf & LOAD && !(nf & LOAD))) best = before;
        } else if ((pf ^ nf) & RO) {
          if ((nf ^ sf) & RO) best = before;
        } else if ((pf ^ nf) & CODE) {
          if ((nf ^ sf) & CODE) best = before;
        } else if (sym.value < a.addr) best = before;
      }
      sym.section = best ? best.out.name : null;
    }
    this.provided = symbols;
    // PHDRS: AT() and FLAGS() values.
    // GNU ld reads FLAGS() without failing on what it cannot evaluate: an undefined symbol makes the flags 0
    // (riscv-tests' test.ld writes FLAGS(SHF_ALLOC | SHF_EXECINSTR), names no linker defines).
    this.phdrValues = this.script.phdrs.map((ph) => {
      const get = (e: ScriptExpr | null, lenient: boolean): bigint | null => {
        if (!e) return null;
        try {
          return value(e);
        } catch (err) {
          if (!(err instanceof EvalError)) throw err;
          if (lenient) return 0n;
          report(err.pos ?? ph.pos, err.message);
          return null;
        }
      };
      return { at: get(ph.at, false), flags: get(ph.flags, true) };
    });
  }

  private phdrValues: { at: bigint | null; flags: bigint | null }[] = [];

  /** PHDRS's headers with their output sections (tools/ld/script/phdrs.ts); null without PHDRS. */
  programHeaders(): ScriptProgramHeader[] | null {
    const states = this.order.filter((st) => !(st.stmt && this.dropped.has(st.stmt)));
    return assignProgramHeaders(this.script.phdrs, this.phdrValues, states, (st) => this.present(st));
  }

  /** `:name`s that no PHDRS entry declares. */
  unknownPhdrs(): { pos: Pos; message: string }[] {
    return undeclaredPhdrs(this.script.phdrs, this.statements);
  }

  /** The gaps of the output sections and their fill patterns (tools/ld/script/fill.ts). */
  fillGaps(): FillGap[] {
    return fillGaps(this.order.filter((st) => this.present(st)));
  }

  /** Write BYTE/SHORT/LONG/QUAD values (as the final placement evaluated them). */
  writeData(write: (sec: InputSection, value: bigint, size: number) => void): void {
    for (const state of this.order) {
      for (const it of state.items) if (it.kind === 'cmd' && it.data && it.cmd.kind === 'data') write(it.data, it.value ?? 0n, it.cmd.size);
    }
  }
}
