// The kernel IPC benchmark on the Rocket RTL and on the rocket model (docs/cycle-model.md, "Kernel IPC
// on the RTL"). The benchmark's client reports each measured run through stores the host reads from
// the commit stream; the RTL harness has no such view, so this builds the same system with a
// bench_record that also keeps each sample in a buffer, printed as "S <id> <cycles> <instructions>" on
// the HTIF console once the client is done; boots the --no-xpc image on both, and pairs the samples.
// Both sides run the very same image, so the windows are comparable.
//
//   npx tsx tests/helpers/rtl-kernel.ts [warmup runs]     (needs RVX_ROCKET_RTL)

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../emulator/machine.js';
import { createCoreModel } from '../../emulator/timing/index.js';
import { rvxAssemble } from '../../kernel-images/assemble.js';
import { benchSystem } from '../../kernel-images/bench/index.js';
import { buildImage } from '../../kernel-images/image.js';
import { loadElfBytes } from '../../tools/load.js';

/** At most this many measured runs are kept for printing at the end. */
const MAX_SAMPLES = 256;

/**
 * bench_record as the benchmark has it (the three mailbox stores), plus an append to a buffer; and
 * rtl_dump, called before the client's closing message, prints the buffer. Nothing is printed between
 * measured runs, so the windows see the caches and TLBs the unmodified benchmark leaves.
 */
const RECORDING = `
bench_record:
    la t0, bench_mailbox
bench_record_id:
    sd a0, 0(t0)
bench_record_cycles:
    sd a1, 8(t0)
bench_record_insns:
    sd a2, 16(t0)
    la t0, rtl_count
    ld t1, 0(t0)
    li t2, ${MAX_SAMPLES}
    bgeu t1, t2, 1f
    addi t2, t1, 1
    sd t2, 0(t0)
    slli t1, t1, 3
    slli t2, t1, 1
    add t1, t1, t2                # 24 bytes a sample
    la t0, rtl_samples
    add t0, t0, t1
    sd a0, 0(t0)
    sd a1, 8(t0)
    sd a2, 16(t0)
1:  ret

rtl_dump:
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    la s0, rtl_samples
    la t0, rtl_count
    ld s1, 0(t0)
2:  beqz s1, 3f
    la a0, rtl_sample_tag
    call puts
    ld a0, 0(s0)
    call put_dec
    la a0, rtl_space
    call puts
    ld a0, 8(s0)
    call put_dec
    la a0, rtl_space
    call puts
    ld a0, 16(s0)
    call put_dec
    call newline
    addi s0, s0, 24
    addi s1, s1, -1
    j 2b
3:  ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    addi sp, sp, 32
    ret
    .data
    .balign 8
rtl_count:
    .quad 0
rtl_samples:
    .zero ${24 * MAX_SAMPLES}
rtl_sample_tag:
    .asciz "S "
rtl_space:
    .asciz " "
    .text
`;

export interface KernelSample {
  id: number;
  cycles: number;
  instructions: number;
}

/** The --no-xpc kernel-IPC benchmark image (one-way calls and the round-trip sweep), samples printed at the end. */
export async function printingBenchImage(warmup: number, runs: number): Promise<Uint8Array> {
  const { system } = benchSystem('kernel', { warmup, runs }, { only: 'ipc' });
  const original = /\nbench_record:\n(?:.*\n)*?    ret\n/;
  const closing = '\n    la a0, msg_done\n';
  for (const p of system.programs) {
    if (!original.test(p.text)) continue;
    if (!p.text.includes(closing)) throw new Error('the client has no closing message to print the samples before');
    p.text = p.text.replace(original, `\n${RECORDING}`).replace(closing, `\n    call rtl_dump${closing}`);
  }
  if (!system.programs.some((p) => p.text.includes('rtl_dump'))) throw new Error('bench_record not found in the client');
  const image = await buildImage(system, rvxAssemble, { console: 'htif', xpc: false });
  return image.elf;
}

export function parseSamples(consoleText: string): KernelSample[] {
  return [...consoleText.matchAll(/^S (\d+) (\d+) (\d+)$/gm)].map((m) => ({ id: Number(m[1]), cycles: Number(m[2]), instructions: Number(m[3]) }));
}

/** Samples of the image on the rocket model (a plain RV64IMAC hart, as the RTL). */
export function modelSamples(elf: Uint8Array): { samples: KernelSample[]; console: string } {
  const l = loadElfBytes(elf);
  if (!l.ok) throw new Error(l.error);
  let out = '';
  const m = new Machine({ stdout: (b) => (out += Buffer.from(b).toString('latin1')) });
  m.load(l.program);
  const model = createCoreModel('rocket', m);
  const r = m.run(200_000_000, model.observer!);
  if (r.reason !== 'exit' || r.code !== 0) throw new Error(`model run: ${JSON.stringify(r)}\n${out}`);
  return { samples: parseSamples(out), console: out };
}

/** Samples of the image on the RTL (run.sh with VERBOSE=1 shows the console). */
export function rtlSamples(elf: Uint8Array, rtlDir: string): { samples: KernelSample[]; console: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rvx-rtl-kernel-'));
  try {
    const file = join(dir, 'bench.elf');
    writeFileSync(file, elf);
    const out = execFileSync(join(rtlDir, 'run.sh'), [file], { encoding: 'latin1', env: { ...process.env, VERBOSE: '1', MAX_CYCLES: '60000000' }, maxBuffer: 64 << 20 });
    return { samples: parseSamples(out), console: out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rtlDir = process.env.RVX_ROCKET_RTL;
  if (!rtlDir) throw new Error('set RVX_ROCKET_RTL to the rocket-rtl directory');
  const [warmup, runs] = [Number(process.argv[2] ?? 2), Number(process.argv[3] ?? 3)];
  const elf = await printingBenchImage(warmup, runs);
  const model = modelSamples(elf);
  const rtl = rtlSamples(elf, rtlDir);
  const { workloads } = benchSystem('kernel', { warmup, runs }, { only: 'ipc' });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log('| workload | bytes | model cycles | RTL cycles | error | model insns | RTL insns |');
  console.log('|---|---|---|---|---|---|---|');
  for (const w of workloads) {
    const ms = model.samples.filter((s) => s.id === w.id);
    const rs = rtl.samples.filter((s) => s.id === w.id);
    if (ms.length === 0 || rs.length === 0) continue;
    const mc = median(ms.map((s) => s.cycles));
    const rc = median(rs.map((s) => s.cycles));
    const e = ((mc - rc) / rc) * 100;
    console.log(`| ${w.name} | ${w.bytes} | ${mc} | ${rc} | ${e >= 0 ? '+' : ''}${e.toFixed(1)}% | ${median(ms.map((s) => s.instructions))} | ${median(rs.map((s) => s.instructions))} |`);
  }
  if (rtl.samples.length === 0) console.log(rtl.console.slice(-3000));
  if (process.env.RTL_KERNEL_DATA) {
    const data = {
      $comment:
        'Kernel IPC benchmark (--no-xpc image, HTIF console, one-way calls and the round-trip sweep, samples printed after the last run) on the Rocket RTL. Produced by: RVX_ROCKET_RTL=<rocket-rtl dir> RTL_KERNEL_DATA=<this file> npx tsx tests/helpers/rtl-kernel.ts ' +
        `${warmup} ${runs}. imageSha256 identifies the ELF measured: the comparison holds only for that image.`,
      warmup,
      runs,
      imageSha256: createHash('sha256').update(elf).digest('hex'),
      rtl: rtl.samples,
    };
    writeFileSync(process.env.RTL_KERNEL_DATA, JSON.stringify(data, null, 1) + '\n');
  }
}

if (process.argv[1] && process.argv[1].endsWith('rtl-kernel.ts')) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
