// The XPC engine's cost in the Rocket-like core model (docs/xpc.md §7), measured on a real run of
// tests/programs/xpc/pingpong.s: a cold xcall pays for its misses, a warm one only for the capability
// read and the redirect; without the engine cache the x-entry read comes back; a blocking link stack
// adds the record's beats; ASID tagging removes the TLB refills after each switch.
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.js';
import { createCoreModel, rocketParams, type CoreParams } from '../emulator/timing/index.js';
import { createXpcHook } from '../emulator/xpc/hook.js';
import { INSTRUCTION_BY_NAME } from '../isa/index.js';
import { buildXpcProgram } from './programs/xpc/build.js';

const XCALL = INSTRUCTION_BY_NAME.get('xcall')!.id;
const XRET = INSTRUCTION_BY_NAME.get('xret')!.id;
const built = buildXpcProgram('pingpong.s');
const PP_CALL = Number(built.symbols.get('pp_call'));
const PP_BACK = Number(built.symbols.get('pp_back'));

interface Run {
  xcall: number[];
  xret: number[];
  /** Cycles from each xcall up to (not including) the instruction after it in the caller. */
  roundTrip: number[];
  itlbStalls: number[];
}

function run(tweak: (p: CoreParams) => void, program = built.program): Run {
  const m = new Machine({ stdout: () => {} });
  m.attachXpc(createXpcHook(m.hart));
  m.load(program);
  const params = rocketParams();
  tweak(params);
  const model = createCoreModel(params, m);
  const out: Run = { xcall: [], xret: [], roundTrip: [], itlbStalls: [] };
  let open = -1;
  let itlb = 0;
  const r = m.run(1_000_000, (rec) => {
    const c = model.observer!(rec);
    if (rec.pc === PP_BACK && open >= 0) {
      out.roundTrip.push(open);
      out.itlbStalls.push(itlb);
      open = -1;
    }
    if (rec.pc === PP_CALL) {
      open = 0;
      itlb = 0;
    }
    if (open >= 0) {
      open += c;
      itlb += model.lastStalls[1];
    }
    if (rec.opId === XCALL && !rec.trapped) out.xcall.push(c);
    if (rec.opId === XRET && !rec.trapped) out.xret.push(c);
    return c;
  });
  expect(r).toEqual({ reason: 'exit', code: 0 });
  expect(out.xcall.length).toBe(8);
  return out;
}

describe('XPC timing (rocket core model)', () => {
  const P = rocketParams();
  const warm = (xs: number[]) => xs[xs.length - 1];

  it('a warm xcall costs issue + capability read + redirect; the cold one pays its misses', () => {
    const r = run(() => {});
    expect(warm(r.xcall)).toBe(1 + P.loadLatencyWord + P.xretPenalty);
    // Cold: the engine cache misses (the x-entry is read: 6 beats + load latency), and so does the
    // D-cache for lines the harness has not touched yet (the capability byte's, here).
    const extra = r.xcall[0] - warm(r.xcall) - (6 - 1 + P.loadLatencyWord);
    expect(extra).toBeGreaterThan(0);
    expect(extra % (P.missLatency + 64 / P.busBytes)).toBe(0); // whole refills (the engine's reads are not replayed)
    // Warm calls are all alike.
    expect(new Set(r.xcall.slice(2)).size).toBe(1);
  });

  it('without the engine cache every xcall reads its x-entry (6 beats + load latency)', () => {
    const withCache = run(() => {});
    const without = run((p) => (p.xpc.entryCacheEntries = 0));
    expect(warm(without.xcall) - warm(withCache.xcall)).toBe(6 - 1 + P.loadLatencyWord);
  });

  it('a blocking link stack adds the 128-byte record written 8 bytes a cycle', () => {
    const nb = run(() => {});
    const b = run((p) => (p.xpc.linkPushBlocking = true));
    expect(warm(b.xcall) - warm(nb.xcall)).toBe(16);
    expect(warm(b.xret)).toBe(warm(nb.xret));
  });

  it('ASID tagging keeps the TLBs across xcall/xret: the warm round trip loses its page walks', () => {
    const off = run(() => {});
    const on = run((p) => (p.asidTagging = true));
    expect(warm(off.itlbStalls)).toBeGreaterThan(0);
    expect(warm(on.itlbStalls)).toBe(0);
    expect(warm(on.roundTrip)).toBeLessThan(warm(off.roundTrip));
    // The engine's own cost does not depend on ASIDs.
    expect(warm(on.xcall)).toBe(warm(off.xcall));
  });

  it('xprefetch fills the engine cache: the first xcall then skips its x-entry read', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('./programs/xpc/pingpong.s', import.meta.url), 'utf8');
    const marker = '        li s2, 0\n';
    expect(text).toContain(marker);
    const prefetched = buildXpcProgram('pingpong.s', text.replace(marker, marker + '        li t0, 0\n        xprefetch t0\n'));
    const plain = run(() => {});
    const pre = run(() => {}, prefetched.program);
    expect(plain.xcall[0] - pre.xcall[0]).toBe(6 - 1 + P.loadLatencyWord);
    expect(warm(pre.xcall)).toBe(warm(plain.xcall));
  });

  it('an ideal core charges one cycle per instruction, XPC included', () => {
    const m = new Machine({ stdout: () => {} });
    m.attachXpc(createXpcHook(m.hart));
    m.load(built.program);
    expect(createCoreModel('ideal').observer).toBeNull();
    expect(m.run(1_000_000)).toEqual({ reason: 'exit', code: 0 });
  });
});
