// The call-gate kernel port (docs/mechanisms.md §1.7, docs/kernel.md "Call gates") booted on rvx with
// the gate extension: round trips, refusals, a callee's death, revocation and a forged return.
import { describe, expect, it } from 'vitest';
import { GATE_EXT, GATE_KERNEL, gateCalls } from '../kernel-images/systems/gates.js';
import { boot } from './kernel-helpers.js';

describe('gate kernel', () => {
  it('gate-calls: every step as expected, the server killed by its fault, the client by its forged gret', async () => {
    const r = await boot(gateCalls, { ext: [...GATE_EXT] }, GATE_KERNEL);
    expect(r.console).toContain('gserver: gates ready');
    expect(r.console).toContain('gclient: 100 gate calls ok');
    expect(r.console).toContain('gclient: refusals ok');
    expect(r.console).toContain('gclient: full return stack E_NOMEM, preempted callee ok');
    expect(r.console).toMatch(/killed gserver \(pid 0\): load page fault/);
    expect(r.console).toContain('gclient: callee died, E_DEAD ok');
    expect(r.console).toContain('gclient: revoked gate refused ok');
    expect(r.console).toMatch(/killed gclient \(pid 1\): gate-stack fault/);
    expect(r.console).not.toContain('FAIL');
    expect(r.result).toEqual({ reason: 'exit', code: 0 });
  });

  it('a gate image on a machine without the gate extension: the first gate CSR access is a kernel trap', async () => {
    const r = await boot(gateCalls, { ext: [] }, GATE_KERNEL);
    expect(r.console).not.toContain('gate calls ok');
  });
});

describe('gate kernel timing (Rocket defaults)', () => {
  it('a warm gate round trip under the kernel: gcall + the handler + gret, and the caller\'s first instruction back', async () => {
    const { Machine } = await import('../emulator/machine.js');
    const { createCoreModel } = await import('../emulator/timing/index.js');
    const { readElf } = await import('../tools/elf/read.js');
    const { toLoadable } = await import('../tools/elf/load.js');
    const { GATE_EV_POP, GATE_EV_PUSH } = await import('../emulator/mech/events.js');
    const { build } = await import('./kernel-helpers.js');
    const image = await build(gateCalls, GATE_KERNEL);
    const m = new Machine({ ramMiB: 64, stdout: () => {}, ext: [...GATE_EXT] });
    m.load(toLoadable(readElf(image.elf)));
    const core = createCoreModel('rocket', m);
    const trips: number[] = [];
    const back: number[] = [];
    let acc = -1;
    let after = false;
    m.run(40_000_000, (rec) => {
      const c = core.observer!(rec);
      if (after) {
        back.push(c);
        after = false;
      }
      if (!rec.trapped && (rec.mechEvent & GATE_EV_PUSH) !== 0) acc = 0;
      if (acc >= 0) acc += c;
      if (!rec.trapped && (rec.mechEvent & GATE_EV_POP) !== 0 && acc >= 0) {
        trips.push(acc);
        acc = -1;
        after = true;
      }
      return c;
    });
    // The 100 add calls (the first one after its refill) and the E_PERM call.
    expect(trips.length).toBeGreaterThanOrEqual(100);
    const warm = trips.slice(10, 100).sort((x, y) => x - y);
    const median = warm[warm.length >> 1];
    const backMedian = back.slice(10, 100).sort((x, y) => x - y)[45];
    // gcall 6 + add 1 (+ its fetch walk in the callee's space) + gret 12 (+ its own fetch) — docs/mechanisms.md §1.6.
    expect(median).toBeGreaterThanOrEqual(6 + 1 + 12);
    expect(median).toBeLessThan(80);
    console.log(`gate round trip (warm, Rocket defaults, no ASIDs): gcall..gret median ${median} cycles (min ${warm[0]}, max ${warm[warm.length - 1]}); first caller instruction back: median ${backMedian} cycles`);
  });
});
