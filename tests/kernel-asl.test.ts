// The address-space-list kernel port (docs/kernel.md §8b) booted on rvx with `asl`.
import { describe, expect, it } from 'vitest';
import { ASL_EXT, ASL_KERNEL, aslCalls, aslLeak } from '../kernel-images/systems/asl.js';
import { boot } from './kernel-helpers.js';

describe('address-space-list kernel', () => {
  it('asl-calls: round trips, a refused system call, a dying server, unbinding, and a guessed key that kills its guesser', async () => {
    const r = await boot(aslCalls, { ext: [...ASL_EXT] }, ASL_KERNEL);
    expect(r.console).toContain('aclient: 100 list switches ok');
    expect(r.console).toMatch(/killed crasher \(pid 1\): load page fault/);
    expect(r.console).toContain('aclient: refusal, server death, unbinding ok');
    expect(r.console).toContain('aclient: hostile bindings refused');
    expect(r.console).toMatch(/killed aclient \(pid 2\): address-space-list fault/);
    expect(r.console).not.toContain('FAIL');
    expect(r.result).toEqual({ reason: 'exit', code: 0 });
  });
});

describe('address-space-list kernel: what it gives up', () => {
  it('attack: the caller\'s key and return index are in the callee\'s registers during the call', async () => {
    const r = await boot(aslLeak, { ext: [...ASL_EXT] }, ASL_KERNEL);
    expect(r.console).toContain('victim: the callee read our key');
    expect(r.console).toMatch(/victim \(pid 1\) exited with code 0/);
    expect(r.console).not.toContain('FAIL');
  });
});

describe('address-space-list kernel timing (Rocket defaults)', () => {
  it('a warm round trip through the trampoline: switch in, the entry, switch back', async () => {
    const { Machine } = await import('../emulator/machine.js');
    const { createCoreModel } = await import('../emulator/timing/index.js');
    const { readElf } = await import('../tools/elf/read.js');
    const { toLoadable } = await import('../tools/elf/load.js');
    const { ASL_EV_READ } = await import('../emulator/mech/events.js');
    const { build } = await import('./kernel-helpers.js');
    const image = await build(aslCalls, ASL_KERNEL);
    const m = new Machine({ ramMiB: 64, stdout: () => {}, ext: [...ASL_EXT] });
    m.load(toLoadable(readElf(image.elf)));
    const core = createCoreModel('rocket', m);
    const trips: number[] = [];
    let acc = -1;
    m.run(40_000_000, (rec) => {
      const c = core.observer!(rec);
      const sw = !rec.trapped && (rec.mechEvent & ASL_EV_READ) !== 0;
      if (sw && acc < 0) acc = 0;
      else if (sw) {
        trips.push(acc + c);
        acc = -1;
        return c;
      }
      if (acc >= 0) acc += c;
      return c;
    });
    expect(trips.length).toBeGreaterThanOrEqual(100);
    const warm = trips.slice(10, 100).sort((x, y) => x - y);
    const median = warm[warm.length >> 1];
    expect(median).toBeGreaterThan(2 * (1 + 5));
    expect(median).toBeLessThan(400);
    console.log(`asl round trip (warm, Rocket defaults, no ASIDs): aslswitch..aslswitch median ${median} cycles (min ${warm[0]}, max ${warm[warm.length - 1]})`);
  });
});
