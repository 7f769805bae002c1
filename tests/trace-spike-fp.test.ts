// F/D in traces: rvx's Spike-format trace of tests/fixtures/trace/fp.s against `spike --isa=rv64gc
// --log-commits` line for line (FP register writes, fflags/frm/fcsr and the mstatus writes of FS
// becoming Dirty), and the JSONL trace's f registers. Spike comes from RVX_SPIKE or PATH (skipped without).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, formatDiagnostics } from '../tools/asm/index.js';
import { main as trace } from '../tools/commands/trace.js';
import { spikePath } from './helpers/fp-diff.js';

const SPIKE = spikePath();

function build(dir: string): string {
  const src = join(__dirname, 'fixtures', 'trace', 'fp.s');
  const r = assemble([{ name: src, text: readFileSync(src, 'utf8') }]);
  if (!r.ok) throw new Error(formatDiagnostics(r));
  const elf = join(dir, 'fp.elf');
  writeFileSync(elf, r.elf());
  return elf;
}

describe('F/D trace', () => {
  it.skipIf(!SPIKE)(`matches spike --isa=rv64gc --log-commits line for line${SPIKE ? '' : ' (skipped: no spike; set RVX_SPIKE)'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvx-spike-fp-'));
    const elf = build(dir);
    const sp = spawnSync(SPIKE!, ['--isa=rv64gc', '--log-commits', elf], { encoding: 'utf8', timeout: 60000 });
    const spike = sp.stderr.split('\n').filter((l) => l.startsWith('core'));
    const out = join(dir, 'rvx.txt');
    expect(await trace([elf, '-o', out])).toBe(0);
    const ours = readFileSync(out, 'utf8').trim().split('\n');
    expect(ours.length).toBeGreaterThan(60);
    expect(spike.slice(0, ours.length)).toEqual(ours);
    expect(ours.some((l) => / f10 0x4008000000000000/.test(l))).toBe(true);
    expect(ours.some((l) => / c1_fflags 0x/.test(l))).toBe(true);
  });

  it('JSONL carries f register writes and fflags writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvx-json-fp-'));
    const elf = build(dir);
    const out = join(dir, 'rvx.jsonl');
    expect(await trace([elf, '--format', 'jsonl', '-o', out])).toBe(0);
    const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const fld = recs.find((r) => r.disasm?.startsWith('fld fa0'));
    expect(fld.regs).toEqual([{ reg: 'f10', value: '0x4008000000000000' }]);
    expect(fld.csrs.map((c: { csr: string }) => c.csr)).toEqual(['mstatus']);
    const flw = recs.find((r) => r.disasm?.startsWith('flw fa2'));
    expect(flw.regs).toEqual([{ reg: 'f12', value: '0xffffffff3fc00000' }]);
    const inexact = recs.find((r) => r.disasm?.startsWith('fadd.d fa4'));
    expect(inexact.csrs).toEqual([{ csr: 'fflags', num: 1, value: '0x0000000000000001' }]);
  });
});
