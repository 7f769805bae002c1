// The sel4 kernel flavour (kernel-images/kernel/fastpath-sel4.ts): the same IPC semantics as the minimal
// fastpath (badges, every reply checked, long messages through the slow path), its fastpath taken on
// the hot path, and its generated assembly citing the seL4 source it follows.

import { describe, expect, it } from 'vitest';
import type { CommitRecord } from '../emulator/types.js';
import { bootImage } from '../kernel-images/boot.js';
import { SEL4_COMMIT } from '../kernel-images/kernel/fastpath-sel4.js';
import { badges, longmsg } from '../kernel-images/systems/ipc.js';
import { build } from './kernel-helpers.js';

describe('sel4 kernel flavour', () => {
  for (const xpc of [false, true]) {
    it(`badged call/reply_recv run through its fastpath (XPC kernel: ${xpc})`, async () => {
      const image = await build(badges, { flavour: 'sel4', xpc });
      const sym = (n: string) => image.symbols.get(n)!;
      const count = { call: 0, rr: 0, sret: 0, slow: 0 };
      const at = new Map([[sym('sel4_call'), 'call'], [sym('sel4_reply_recv'), 'rr'], [sym('fastpath_sret'), 'sret'], [sym('fastpath_rr_sret'), 'sret'], [sym('syscall_slow'), 'slow']] as const);
      const observer = (rec: CommitRecord) => {
        const k = at.get(rec.pc);
        if (k && !rec.trapped) count[k]++;
        return 1;
      };
      const r = bootImage(image, { observer, maxInsns: 20_000_000, xpc });
      for (const n of ['alpha', 'beta', 'gamma']) expect(r.console).toContain(`${n}: round trips 200, errors 0`);
      // 600 calls and as many replies: nearly all through the fastpath (the first receive is slow)
      expect(count.call).toBeGreaterThanOrEqual(600);
      expect(count.sret).toBeGreaterThan(1000);
      expect(count.slow).toBeLessThan(count.sret / 4);
    });
  }

  it('long messages (slow path) interleave with fastpath replies correctly', async () => {
    const r = bootImage(await build(longmsg, { flavour: 'sel4', xpc: false }), { maxInsns: 40_000_000, xpc: false });
    expect(r.console).toMatch(/errors 0/);
    expect(r.console).not.toMatch(/killed [a-z]/);
  });

  it('the generated assembly cites the seL4 source, function by function', async () => {
    const image = await build(badges, { flavour: 'sel4', xpc: false });
    const k = image.sources[0].text;
    expect(k).toContain(SEL4_COMMIT);
    for (const f of ['fastpath_mi_check', 'lookup_fp', 'isValidVTableRoot_fp', 'isHighestPrio', 'cap_reply_cap_ptr_new_np',
      'fastpath_copy_mrs', 'switchToThread_fp', 'fastpath_restore', 'fastpath_reply_cap_check', 'traps.S trap_entry',
      'POINT OF NO RETURN', 'capCanGrant', 'CanReceive', 'mdbPrev']) {
      expect(k, f).toContain(f);
    }
    expect(k).toContain('csrw sstatus');
    // the minimal flavour has none of it
    const m = (await build(badges, { xpc: false })).sources[0].text;
    expect(m).not.toContain('lookup_fp');
  });
});
