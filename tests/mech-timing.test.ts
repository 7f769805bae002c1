// Timing of the mechanism instructions in the Rocket core model (docs/mechanisms.md §1.6, §3.6): a run
// of tests/programs/mech/gate-loop.s under the model, with each instruction's cycles observed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.js';
import { createCoreModel, ROCKET_PARAMS } from '../emulator/timing/index.js';
import { buildXpcProgram } from './programs/xpc/build.js';

function gateLoop(spec: Parameters<typeof createCoreModel>[0] = 'rocket'): { cycles: Map<string, number[]>; trapped: Map<string, boolean[]> } {
  const b = buildXpcProgram('gate-loop.s', readFileSync(new URL('./programs/mech/gate-loop.s', import.meta.url), 'utf8'));
  const m = new Machine({ stdout: () => {}, ext: ['gate'] });
  m.load(b.program);
  const core = createCoreModel(spec, m);
  const at = new Map<number, string>(['warm_gcall', 'warm_gret', 'miss_gcall'].map((n) => [Number(b.symbols.get(n)), n]));
  const cycles = new Map<string, number[]>();
  const trapped = new Map<string, boolean[]>();
  const r = m.run(1_000_000, (rec) => {
    const c = core.observer!(rec);
    const name = at.get(rec.pc);
    if (name !== undefined) {
      cycles.set(name, [...(cycles.get(name) ?? []), c]);
      trapped.set(name, [...(trapped.get(name) ?? []), rec.trapped]);
    }
    return c;
  });
  expect(r).toEqual({ reason: 'exit', code: 0 });
  return { cycles, trapped };
}

describe('gate timing (Rocket defaults)', () => {
  const { cycles, trapped } = gateLoop();
  const P = ROCKET_PARAMS;

  it('a warm gcall costs its issue slot plus the redirect into the new space: the cache lookup and the record push add nothing', () => {
    const g = cycles.get('warm_gcall')!;
    expect(g.length).toBe(32);
    // After the first call the record's line is in the D-cache and the gate in the gate cache.
    for (const c of g.slice(1)) expect(c).toBe(1 + P.xretPenalty);
  });

  it('a warm gret reads the 32-byte record (4 beats, the load latency, the valid-bit clear) and redirects', () => {
    const g = cycles.get('warm_gret')!;
    const engine = 1 + (4 - 1 + P.loadLatencyWord + 1) + P.xretPenalty;
    // gret is the first instruction fetched in B's space: without ASIDs it also pays its fetch's walk.
    for (const c of g.slice(1)) {
      expect(c).toBeGreaterThanOrEqual(engine);
      expect(c).toBeLessThan(engine + 10);
    }
    expect(new Set(g.slice(1)).size).toBe(1); // warm: the same every time
  });

  it('a gate miss is an exception: the trap penalty, no engine step beyond the lookup; the retry hits', () => {
    const g = cycles.get('miss_gcall')!;
    expect(trapped.get('miss_gcall')).toEqual([true, false]);
    expect(g[0]).toBe(1 + P.trapPenalty);
  });
});

describe('mechanism timing parameters from a core file (docs/mechanisms.md §1.6)', () => {
  it('parseCoreParams reads "mech", checks it, and the cost model charges by it', async () => {
    const { parseCoreParams, rocketParams, CoreParamsError } = await import('../emulator/timing/params.js');
    const { MechCostModel, MECH_TIMING_DEFAULTS } = await import('../emulator/timing/mech.js');
    const { GATE_EV_POP, ASL_EV_READ } = await import('../emulator/mech/events.js');
    expect(rocketParams().mech).toEqual(MECH_TIMING_DEFAULTS);
    const p = parseCoreParams({ mech: { gateRecordBytes: 64, gatePushBlocking: true, aslEntryBytes: 32, portBytes: 4, gateLookup: 1 } }, 'x.json');
    expect(p.mech).toEqual({ gateRecordBytes: 64, gatePushBlocking: true, aslEntryBytes: 32, portBytes: 4, gateLookup: 1 });
    expect(() => parseCoreParams({ mech: { gateCache: 3 } }, 'x.json')).toThrow(CoreParamsError);
    expect(() => parseCoreParams({ mech: { gateRecordBytes: 2 } }, 'x.json')).toThrow(/'mech.gateRecordBytes' must be between 8/);
    expect(() => parseCoreParams({ mech: { gatePushBlocking: 1 } }, 'x.json')).toThrow(/'mech.gatePushBlocking' must be true or false/);
    const port = { dataAccess: () => 0, loadLatency: 2, redirectPenalty: 5 };
    const rec = (ev: number) => ({ mechEvent: ev, mechPa: 0x8000_0000, trapped: false }) as unknown as Parameters<InstanceType<typeof MechCostModel>['cost']>[0];
    // gret: the record's beats - 1 + load latency + 1 (all hits here)
    expect(new MechCostModel({}, port).cost(rec(GATE_EV_POP))).toBe(4 - 1 + 2 + 1);
    expect(new MechCostModel(p.mech, port).cost(rec(GATE_EV_POP))).toBe(16 - 1 + 2 + 1);
    expect(new MechCostModel({}, port).cost(rec(ASL_EV_READ))).toBe(2 - 1 + 2);
    expect(new MechCostModel(p.mech, port).cost(rec(ASL_EV_READ))).toBe(8 - 1 + 2);
  });

  it("a core file's \"mech\" reaches the rocket model: a 64-byte gate record makes every warm gret 4 beats longer", async () => {
    const { parseCoreParams } = await import('../emulator/timing/params.js');
    const base = gateLoop().cycles.get('warm_gret')!;
    const wide = gateLoop(parseCoreParams({ mech: { gateRecordBytes: 64 } }, 'wide.json')).cycles.get('warm_gret')!;
    expect(wide.length).toBe(base.length);
    for (let i = 1; i < base.length; i++) expect(wide[i] - base[i]).toBe(4);
  });
});
