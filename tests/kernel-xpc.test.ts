// XPC under the microkernel: a call chain across three processes with a relay segment handed along and
// back (and narrowed by a seg-mask).

import { describe, expect, it } from 'vitest';
import type { CommitRecord } from '../emulator/types.js';
import { INSTRUCTION_BY_NAME } from '../isa/index.js';
import { xpcCalleeExits, xpcChain, xpcHostile, xpcIpcMix, xpcPreempt } from '../kernel-images/systems/xpc.js';
import { boot } from './kernel-helpers.js';

describe('microkernel XPC', () => {
  it('runs xcall chains A -> B -> C with the relay segment handed along and back', async () => {
    const r = await boot(xpcChain);
    expect(r.result).toEqual({ reason: 'exit', code: 0 });
    expect(r.console).toContain('client: 100 xcall chains A->B->C with the relay segment handed along and back: ok\n');
    expect(r.console).toContain('[kernel] client (pid 0) exited with code 0\n');
    expect(r.console).toContain("b: peek called, printing from b's address space\n");
    expect(r.console).toContain('relay\nclient: 100 xcall chains');
  });

  it('keeps a thread XPC state right across fastpath IPC after user-level changes (swapseg, xcall/xret), and long IPC inside an xcall uses the callee IPC buffer', async () => {
    const r = await boot(xpcIpcMix);
    expect(r.console).toContain('client: XPC state survives fastpath IPC: ok\n');
  });

  it('exit inside an xcall ends the callee process and returns E_DEAD to the caller', async () => {
    const r = await boot(xpcCalleeExits);
    expect(r.console).toContain('[kernel] svc (pid 0) exited with code 5\n');
    expect(r.console).toContain('caller: xcall(callee exits) -> -6\n');
    expect(r.console).toContain('caller: xcall(exited callee) -> -2\n');
    expect(r.console).toContain('[kernel] caller (pid 1) exited with code 0\n');
  });

  it('preempts threads inside xcalls and resumes them in the callee with their relay segment', async () => {
    const r = await boot(xpcPreempt);
    expect(r.console).toContain('client_one: 3 slow xcalls across time slices: ok\n');
    expect(r.console).toContain('client_two: 3 slow xcalls across time slices: ok\n');
    expect(r.machine.stats.interrupts).toBeGreaterThan(20);
  });

  it('the callee trampoline stays tight: a call with a 2-instruction handler is 17 instructions xcall to xret, 6 memory accesses', async () => {
    // xcall; trampoline: li (2), amoswap, csrr xcaller, bnez, sd sp, sd ra, mv sp, jal; handler: addi, ret;
    // ld ra, mv, ld sp, amoswap (release), xret (docs/kernel.md, "The trampoline").
    const XCALL = INSTRUCTION_BY_NAME.get('xcall')!.id;
    const XRET = INSTRUCTION_BY_NAME.get('xret')!.id;
    const calls: { insns: number; mem: number }[] = [];
    let cur: { insns: number; mem: number } | null = null;
    const observer = (rec: CommitRecord) => {
      if (rec.trapped) {
        cur = null; // an interrupt or a refused xcall: not a clean pass
        return 1;
      }
      if (rec.opId === XCALL) cur = { insns: 0, mem: 0 };
      if (cur) {
        cur.insns++;
        if (rec.memKind !== 0) cur.mem++;
        if (rec.opId === XRET) {
          calls.push(cur);
          cur = null;
        }
      }
      return 1;
    };
    const r = await boot(xpcHostile.ungranted, { observer });
    expect(r.console).toContain('user: 50 xcalls ok\n');
    expect(calls.length).toBeGreaterThanOrEqual(45);
    expect(Math.max(...calls.map((c) => c.insns))).toBe(17);
    expect(Math.max(...calls.map((c) => c.mem))).toBe(6);
  });
});
