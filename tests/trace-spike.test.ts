// rvx's trace against Spike's --log-commits on the same program, when a `spike` binary is installed
// (it is not a Debian package; build riscv-isa-sim to run this). Skipped otherwise.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, formatDiagnostics } from '../tools/asm/index.js';
import { main as trace } from '../tools/commands/trace.js';

const hasSpike = spawnSync('sh', ['-c', 'command -v spike'], { encoding: 'utf8' }).status === 0;

describe('trace vs Spike', () => {
  it.skipIf(!hasSpike)(`matches spike --log-commits line for line${hasSpike ? '' : ' (skipped: no spike binary on PATH)'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvx-spike-'));
    const src = join(__dirname, 'fixtures', 'trace', 'basic.s');
    const r = assemble([{ name: src, text: readFileSync(src, 'utf8') }]);
    if (!r.ok) throw new Error(formatDiagnostics(r));
    const elf = join(dir, 'basic.elf');
    writeFileSync(elf, r.elf());
    const sp = spawnSync('spike', ['--isa=rv64imac', '--log-commits', elf], { encoding: 'utf8', timeout: 60000 });
    expect(sp.status, sp.stderr.slice(-500)).toBe(0);
    const spike = sp.stderr.split('\n').filter((l) => l.startsWith('core'));
    const out = join(dir, 'rvx.txt');
    expect(await trace([elf, '-o', out])).toBe(0);
    const ours = readFileSync(out, 'utf8').trim().split('\n');
    // rvx ends the run at the store to tohost; Spike's host polls tohost only every few thousand
    // instructions, so Spike commits the program's closing `j .` loop until then (docs/trace-format.md).
    expect(spike.length).toBeGreaterThanOrEqual(ours.length);
    const after = new Set(spike.slice(ours.length));
    expect([...after].every((l) => /\((0xa001|0x0000006f)\)$/.test(l)), [...after].slice(0, 3).join('\n')).toBe(true);
    expect(ours[ours.length - 1]).toMatch(/mem 0x[0-9a-f]+ 0x0000000000000001$/); // the tohost store
    for (let i = 0; i < ours.length; i++) {
      // Documented differences (docs/trace-format.md): the boot ROM's a1 (Spike points it at its device
      // tree), and mstatus writes Spike logs for mret/sret when the machine does not report them.
      if (i === 1) continue;
      const theirs = ours[i].includes('c768_mstatus') ? spike[i] : spike[i].replace(/ c768_mstatus 0x[0-9a-f]{16}/, '');
      expect(ours[i]).toBe(theirs);
    }
  });
});
