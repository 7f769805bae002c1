// The microkernel booted on rvx: banner, IPC round trips, long messages, badges, notifications and
// timer preemption. Every test builds its image with rvx's assembler and runs it on rvx's machine.

import { describe, expect, it } from 'vitest';
import { hello } from '../kernel-images/systems/hello.js';
import { badges, longmsg, notify, pingpong, priorities, reclaim, timeshare } from '../kernel-images/systems/ipc.js';
import { Tcb, Endpoint, CapSlot, XEntry, Linkage } from '../kernel-images/layout.js';
import { LINKAGE_BYTES, SEGLIST_ENTRY_BYTES, XENTRY_BYTES } from '../emulator/xpc/engine.js';
import { SegEntry } from '../kernel-images/layout.js';
import { boot } from './kernel-helpers.js';

describe('microkernel', () => {
  it('boots to a banner and runs two processes to their exit', async () => {
    const r = await boot(hello);
    expect(r.result).toEqual({ reason: 'exit', code: 0 });
    expect(r.console.startsWith('rvx microkernel: booting\n')).toBe(true);
    expect(r.console).toContain('hello from user mode, pid 0\n');
    expect(r.console).toContain('world: second process\n');
    expect(r.console).toContain('[kernel] world (pid 1) exited with code 7\n');
    expect(r.console).toContain('[kernel] halt: nothing runnable; 2 exited, 0 killed\n');
  });

  it('runs without XPC when built without it, and an XPC image refuses a machine without the engine', async () => {
    const plain = await boot(hello, { xpc: false }, { xpc: false });
    expect(plain.console).toContain('[kernel] halt: nothing runnable; 2 exited, 0 killed\n');
    const refused = await boot(hello, { xpc: false });
    expect(refused.result).toEqual({ reason: 'exit', code: 4 });
    expect(refused.console).toContain('no XPC engine (misa.X clear)');
  });

  it('emits commented, readable assembly with the fastpath phase labels', async () => {
    const r = await boot(hello, { maxInsns: 1 });
    const k = r.image.sources[0];
    expect(k.name).toBe('hello-kernel.s');
    for (const l of ['fastpath_call_entry:', 'fastpath_call:', 'fastpath_switch_as:', 'fastpath_restore:', 'fastpath_sret:', 'fastpath_reply_recv:']) {
      expect(k.text).toContain(`\n${l}`);
    }
    expect(k.text).toMatch(/# IPC fastpath \(seL4 style\)/);
    expect(r.image.sources.map((s) => s.name)).toEqual(['hello-kernel.s', 'hello-hello.s', 'hello-world.s']);
  });

  it('struct offsets in the assembly are the ones layout.ts defines', async () => {
    const r = await boot(hello, { maxInsns: 1 });
    const text = r.image.sources[0].text;
    for (const s of [Tcb, Endpoint, CapSlot, XEntry, Linkage]) {
      for (const f of s.fields) expect(text).toContain(`.equ ${s.prefix}_${f.name.toUpperCase()}, ${f.offset} `);
      expect(text).toContain(`.equ ${s.prefix}_SIZE, ${s.size}\n`);
    }
    // The XPC structures are the engine's (docs/xpc.md section 3).
    expect(XEntry.size).toBe(XENTRY_BYTES);
    expect(Linkage.size).toBe(LINKAGE_BYTES);
    expect(SegEntry.size).toBe(SEGLIST_ENTRY_BYTES);
    expect([Linkage.off.ret_pc, Linkage.off.h_va, Linkage.off.flags]).toEqual([8, 72, 104]);
    expect([XEntry.off.pc, XEntry.off.flags]).toEqual([8, 40]);
  });

  it('makes thousands of call/reply_recv round trips with checked contents', async () => {
    const r = await boot(pingpong);
    expect(r.result).toEqual({ reason: 'exit', code: 0 });
    expect(r.console).toContain('client: round trips 2000, errors 0\n');
  });

  it('delivers each caller its own badge', async () => {
    const r = await boot(badges);
    for (const n of ['alpha', 'beta', 'gamma']) expect(r.console).toContain(`${n}: round trips 200, errors 0\n`);
  });

  it('carries long messages of every length 0..4096 both ways and refuses 4097 bytes', async () => {
    const r = await boot(longmsg);
    expect(r.console).toContain('client: long messages 4097, errors 0\n');
    expect(r.console).toContain('[kernel] client (pid 1) exited with code 0\n');
  });

  it('wakes a notification waiter with the OR of the signallers badges', async () => {
    const r = await boot(notify);
    expect(r.console).toContain('waiter: got badge bits 3\n');
    expect(r.console).toContain('[kernel] signal1 (pid 1) exited with code 0');
    expect(r.console).toContain('[kernel] signal2 (pid 2) exited with code 0');
  });

  it('runs the highest priority first, through timer preemption', async () => {
    const r = await boot(priorities);
    const order = [...r.console.matchAll(/prio(\d): done/g)].map((m) => m[1]);
    expect(order).toEqual(['3', '1', '0']);
    expect(r.machine.stats.interrupts).toBeGreaterThan(5); // the high one was preempted by the timer, and resumed
  });

  it('preempts CPU-bound processes with the timer so both progress', async () => {
    const r = await boot(timeshare);
    expect(r.console).toContain('spin_a: saw the other process progress 3 times\n');
    expect(r.console).toContain('spin_b: saw the other process progress 3 times\n');
    expect(r.console).toContain('2 exited, 0 killed');
  });

  it('reclaims the pages of a dead process and hands them out again', async () => {
    const r = await boot(reclaim);
    expect(r.console).toContain('late: registered x-entry 0\n');
    const early = /reclaimed (\d+) pages from early/.exec(r.console);
    const late = /reclaimed (\d+) pages from late/.exec(r.console);
    expect(early && late).toBeTruthy();
    // Walk the kernel's free list in the machine's memory: early's pages, less the 4 context pages and
    // the page-table page late's registration took from it, plus late's own pages.
    const sym = (n: string) => r.image.symbols.get(n)!;
    const rd = (pa: number) => r.machine.readPhys64(pa)!;
    let count = 0;
    for (let p = rd(sym('free_list')); p !== 0n; p = rd(Number(p))) count++;
    expect(count).toBe(Number(early![1]) - 5 + Number(late![1]));
  });
});
