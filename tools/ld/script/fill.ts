// Fill patterns of a linker script's output sections (ld manual, "Output Section Fill"): `= fill` and
// `FILL(e)` fill the gaps — alignment between inputs, room an assignment to `.` leaves — as GNU ld writes
// its padding statements.

import { SHT_NOBITS } from '../../elf/model.js';
import type { OutState, ScriptOutput } from './layout.js';
import type { ScriptExpr } from './parse.js';

export interface FillGap {
  out: ScriptOutput;
  /** Offsets in the output section. */
  from: number;
  to: number;
  pattern: Uint8Array;
}

/**
 * The gaps of each output section with contents and the pattern in effect there: `= fill`, replaced from a
 * `FILL(e)` on. Each gap starts the pattern afresh; an assignment to `.` pads on its own (what it skips is
 * one gap, alignment before the next input another). Zero patterns are left out (the bytes are zero).
 */
export function fillGaps(states: OutState[]): FillGap[] {
  const gaps: FillGap[] = [];
  for (const state of states) {
    const o = state.out;
    if (o.type === SHT_NOBITS) continue;
    let pattern = state.stmt?.fill ? fillPattern(state.stmt.fill, state.fill ?? 0n) : null;
    let at = 0;
    const gap = (to: number) => {
      if (to > at && pattern && pattern.some((b) => b !== 0)) gaps.push({ out: o, from: at, to, pattern });
    };
    for (const it of state.items) {
      const sec = it.kind === 'sec' ? it.sec : it.data;
      if (it.kind === 'cmd' && it.cmd.kind === 'fill') pattern = fillPattern(it.cmd.expr, it.value ?? 0n);
      if (it.kind === 'cmd' && it.cmd.kind === 'assign' && it.cmd.name === '.' && it.at !== undefined && it.end !== undefined) {
        for (const p of [Number(it.at - o.addr), Number(it.end - o.addr)]) {
          if (p > at) {
            gap(p);
            at = p;
          }
        }
      }
      if (!sec || !o.inputs.includes(sec)) continue;
      const start = Number(sec.addr - o.addr);
      gap(start);
      at = Math.max(at, start + sec.size);
    }
    gap(o.size);
  }
  return gaps;
}

/** A fill expression's bytes: a plain `0x...` literal's digits as written (two per byte, big-endian, leading
 * zeros kept); any other expression's value as four big-endian bytes. */
export function fillPattern(e: ScriptExpr, v: bigint): Uint8Array {
  if (e.t === 'num' && e.hex !== undefined) {
    const digits = e.hex.length % 2 ? `0${e.hex}` : e.hex;
    const out = new Uint8Array(digits.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  const x = Number(BigInt.asUintN(32, v));
  return new Uint8Array([x >>> 24, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff]);
}
