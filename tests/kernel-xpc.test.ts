// XPC under the microkernel: a call chain across three processes with a relay segment handed along and
// back (and narrowed by a seg-mask).

import { describe, expect, it } from 'vitest';
import { xpcCalleeExits, xpcChain, xpcIpcMix, xpcPreempt } from '../kernel-images/systems/xpc.js';
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
});
