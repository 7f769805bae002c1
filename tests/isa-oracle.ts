// Test helper: run LLVM's assembler and disassembler as oracles (LLVM 14: llvm-mc, llvm-objdump).
// Tests call `llvmAvailable()` and skip with a message when the tools are absent.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstrDef } from '../isa/instructions.js';
import { fpRegisterName, registerName, ROUNDING_MODES } from '../isa/registers.js';
import { operandRangeError, type OperandField } from '../isa/operands.js';
import { encode } from '../isa/codec.js';

function has(tool: string): boolean {
  return spawnSync('which', [tool], { encoding: 'utf8' }).status === 0;
}

export const LLVM_MC = has('llvm-mc');
export const LLVM_OBJDUMP = has('llvm-objdump');
export const LLVM_SKIP_REASON = 'llvm-mc / llvm-objdump (LLVM 14) not installed: skipping the differential tests against LLVM';

export interface McLine {
  /** Encoded bytes as a little-endian number (2 or 4 bytes), or null when llvm-mc rejected the line. */
  bits: number | null;
  size: number;
  /** The text llvm-mc printed for the line (mnemonic and operands, whitespace normalised). */
  text: string;
  error?: string;
}

/**
 * Assemble each line with `llvm-mc -show-encoding` (one process for all lines). Lines must each hold one
 * instruction. Rejected lines get bits = null and the error message.
 */
export function llvmMc(lines: readonly string[], mattr = '+m,+a,+c,+f,+d', extraArgs: string[] = []): McLine[] {
  const r = spawnSync('llvm-mc', ['-triple=riscv64', `-mattr=${mattr}`, '-show-encoding', ...extraArgs], {
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const errors = new Map<number, string>();
  for (const m of r.stderr.matchAll(/^<stdin>:(\d+):\d+: error: (.*)$/gm)) {
    const n = Number(m[1]) - 1;
    if (!errors.has(n)) errors.set(n, m[2]);
  }
  const out: string[] = r.stdout.split('\n').filter((l) => l.includes('# encoding:'));
  const result: McLine[] = [];
  let k = 0;
  for (let i = 0; i < lines.length; i++) {
    if (errors.has(i)) {
      result.push({ bits: null, size: 0, text: '', error: errors.get(i) });
      continue;
    }
    const l = out[k++];
    if (l === undefined) throw new Error(`llvm-mc produced fewer lines than expected at input line ${i + 1}: ${lines[i]}\n${r.stderr}`);
    const m = /^\s*(.*?)\s*# encoding: \[([^\]]*)\]/.exec(l)!;
    const bytes = m[2].split(',').map((b) => Number(b.trim()));
    let bits = 0;
    bytes.forEach((b, j) => (bits += b * 2 ** (8 * j)));
    result.push({ bits, size: bytes.length, text: m[1].replace(/\s+/g, ' ').trim() });
  }
  return result;
}

/** Disassemble a buffer of instruction bytes at address 0 with llvm-objdump; one entry per instruction. */
export function llvmObjdumpRaw(code: Uint8Array, mattr = '+m,+a,+c,+f,+d', extraArgs: string[] = []): { addr: number; hex: string; text: string }[] {
  // Wrap the bytes into an object file through llvm-mc's .byte directives, then disassemble it.
  const dir = mkdtempSync(join(tmpdir(), 'rvx-objdump-'));
  try {
    const src = join(dir, 'x.s');
    const obj = join(dir, 'x.o');
    const parts: string[] = ['.text'];
    for (let i = 0; i < code.length; i += 64) parts.push('.byte ' + Array.from(code.subarray(i, i + 64)).join(','));
    writeFileSync(src, parts.join('\n') + '\n');
    const a = spawnSync('llvm-mc', ['-triple=riscv64', `-mattr=${mattr}`, '-filetype=obj', '-o', obj, src], { encoding: 'utf8' });
    if (a.status !== 0) throw new Error(a.stderr);
    const d = spawnSync('llvm-objdump', ['-d', `--mattr=${mattr}`, ...extraArgs, obj], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (d.status !== 0) throw new Error(d.stderr);
    const out: { addr: number; hex: string; text: string }[] = [];
    for (const line of d.stdout.split('\n')) {
      const m = /^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*(.*)$/.exec(line);
      if (!m) continue;
      out.push({ addr: parseInt(m[1], 16), hex: m[2].trim(), text: m[3].replace(/\s+/g, ' ').trim() });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FENCE = 'iorw';
function fenceSet(v: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) if (v & (8 >> i)) s += FENCE[i];
  return s || '0';
}

function fieldText(f: OperandField, v: number): string {
  if (f.kind === 'reg') return f.file === 'f' ? fpRegisterName(v) : registerName(v);
  if (f.print === 'rm') return ROUNDING_MODES[v];
  if (f.print === 'fence') return fenceSet(v);
  return String(v);
}

/**
 * A row's canonical assembly (no aliases) from field values parallel to def.fields, as llvm-mc parses it.
 */
export function formatInstr(def: InstrDef, values: readonly number[]): string {
  const val = (f: OperandField) => values[def.fields.indexOf(f)];
  const ops = def.slots.map((s) => {
    if (s.kind === 'field') return fieldText(s.field, val(s.field));
    if (s.kind === 'fixedReg') return registerName(s.reg);
    const base = typeof s.base === 'number' ? registerName(s.base) : registerName(val(s.base));
    return `${s.offset ? val(s.offset) : ''}(${base})`;
  });
  return ops.length ? `${def.name} ${ops.join(', ')}` : def.name;
}

/**
 * Assemble groups of lines (e.g. one `li` each, which llvm-mc expands to several instructions) and return
 * each group's bytes concatenated. Groups are separated in llvm-mc's output by a `fence.tso` marker.
 */
export function llvmMcGroups(groups: readonly string[], mattr = '+m,+a,+c,+f,+d'): (Uint8Array | string)[] {
  const lines: string[] = [];
  const groupOfLine: number[] = [];
  groups.forEach((g, i) => {
    lines.push(g, 'fence.tso');
    groupOfLine.push(i, -1);
  });
  const r = spawnSync('llvm-mc', ['-triple=riscv64', `-mattr=${mattr}`, '-show-encoding'], {
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const errors = new Map<number, string>();
  for (const m of r.stderr.matchAll(/^<stdin>:(\d+):\d+: error: (.*)$/gm)) errors.set(groupOfLine[Number(m[1]) - 1], m[2]);
  const out: (Uint8Array | string)[] = [];
  let cur: number[] = [];
  for (const l of r.stdout.split('\n')) {
    const m = /# encoding: \[([^\]]*)\]/.exec(l);
    if (!m) continue;
    const bytes = m[1].split(',').map((b) => Number(b.trim()));
    if (bytes.join(',') === '15,0,48,131') {
      out.push(Uint8Array.from(cur));
      cur = [];
    } else cur.push(...bytes);
  }
  return out.map((b, i) => errors.get(i) ?? b);
}

/** Boundary values of an operand: smallest, largest, zero, ±one step, and a mid value. */
export function boundaryValues(f: OperandField): number[] {
  if (f.kind === 'reg') return f.prime ? [8, 10, 15] : [0, 1, 2, 10, 31];
  if (f.upper20) return [1, 31, 0xfffe0, 0xfffff, 5];
  if (f.print === 'fence') return [1, 3, 8, 15, 6];
  if (f.print === 'rm') return [0, 1, 2, 3, 4, 7]; // 5 and 6 are reserved
  const step = 2 ** f.align;
  const lo = f.signed ? -(2 ** (f.bits - 1)) : 0;
  const hi = (f.signed ? 2 ** (f.bits - 1) : 2 ** f.bits) - step;
  const mid = Math.floor(hi / 3 / step) * step;
  const vals = [lo, lo + step, -step, 0, step, hi - step, hi, mid, -mid];
  return [...new Set(vals)].filter((v) => operandRangeError(f, v) === null);
}

/** Operand value lists of a row: the cross product of boundary values, trimmed to a few hundred. */
export function rowCases(def: InstrDef): number[][] {
  const lists = def.fields.map(boundaryValues);
  let out: number[][] = [[]];
  for (const l of lists) out = out.flatMap((prefix) => l.map((v) => [...prefix, v]));
  return out.filter((vals) => encode(def, vals).ok);
}

