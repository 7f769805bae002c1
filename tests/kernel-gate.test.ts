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
