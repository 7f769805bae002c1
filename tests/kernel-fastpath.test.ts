// The IPC fastpath's length, counted from an instruction trace: trap entry to sret for call and for
// reply_recv, targets 240 and 270 instructions (seL4's RV64 fastpath is about 238 / 268). Also the
// region accounting `rvx profile --regions` uses, over the phase labels docs/kernel.md lists.

import { describe, expect, it } from 'vitest';
import type { CommitRecord } from '../emulator/types.js';
import { bootImage } from '../kernel-images/boot.js';
import { echoServer, pingpong, roundTripClient } from '../kernel-images/systems/ipc.js';
import { RegionAccounting, addrPoint } from '../tools/trace/regions.js';
import { build } from './kernel-helpers.js';

describe('IPC fastpath length', () => {
  it('call and reply_recv stay under 240 / 270 instructions from trap entry to sret', async () => {
    const image = await build({ ...pingpong, programs: [echoServer(), roundTripClient('client', 400, 7)] });
    const sym = (n: string) => {
      const v = image.symbols.get(n);
      if (v === undefined) throw new Error(`no symbol ${n}`);
      return v;
    };
    const entry = sym('trap_entry');
    const fpCall = sym('fastpath_call');
    const fpRr = sym('fastpath_reply_recv');
    const slow = sym('syscall_slow');
    const ends = new Set([sym('fastpath_sret'), sym('fastpath_rr_sret')]);
    const samples = { call: [] as number[], rr: [] as number[] };
    let n = -1;
    let kind: 'call' | 'rr' | null = null;
    let isSlow = false;
    const regions = new RegionAccounting([
      { name: 'call', start: addrPoint(fpCall, 'fastpath_call'), end: addrPoint(sym('fastpath_sret'), 'fastpath_sret'), endInclusive: true },
      { name: 'switch', start: addrPoint(sym('fastpath_switch_as'), 'fastpath_switch_as'), end: addrPoint(sym('fastpath_restore'), 'fastpath_restore'), endInclusive: false },
      { name: 'restore', start: addrPoint(sym('fastpath_restore'), 'fastpath_restore'), end: addrPoint(sym('fastpath_sret'), 'fastpath_sret'), endInclusive: true },
    ]);
    const observer = (rec: CommitRecord) => {
      regions.observe(rec, 1);
      if (rec.trapped) return 1;
      if (rec.pc === entry) {
        n = 0;
        kind = null;
        isSlow = false;
      }
      if (n < 0) return 1;
      n++;
      if (rec.pc === fpCall) kind = 'call';
      if (rec.pc === fpRr) kind = 'rr';
      if (rec.pc === slow) isSlow = true;
      if (ends.has(rec.pc)) {
        if (kind && !isSlow) samples[kind].push(n);
        n = -1;
      }
      return 1;
    };
    const r = bootImage(image, { observer, maxInsns: 5_000_000 });
    expect(r.console).toContain('client: round trips 400, errors 0');
    expect(samples.call.length).toBeGreaterThan(390);
    expect(samples.rr.length).toBeGreaterThan(390);
    const max = (xs: number[]) => Math.max(...xs);
    expect(max(samples.call)).toBeLessThanOrEqual(240);
    expect(max(samples.rr)).toBeLessThanOrEqual(270);
    const rep = regions.report();
    expect(rep[0].count).toBeGreaterThan(390);
    expect(rep[0].maxCycles).toBeLessThan(240);
    expect(rep[1].minCycles).toBeGreaterThanOrEqual(3); // satp write, sfence.vma, ...
    // Report the figures (visible with --reporter verbose).
    console.log(`fastpath call: ${max(samples.call)} instructions trap entry to sret; reply_recv: ${max(samples.rr)}; ` +
      `regions call ${rep[0].meanInstructions} switch ${rep[1].meanInstructions} restore ${rep[2].meanInstructions}`);
  });
});
