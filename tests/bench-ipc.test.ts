// `rvx bench ipc` in the suite (quick settings): the properties of the measurements that cannot be
// faked, the phases adding up to the traced run, the numbers coming from the run (a different core gives
// different numbers), the CLI's JSON and errors, and the report page drawn by headless Chromium.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { rocketParams } from '../emulator/timing/index.js';
import { benchSystem, MECHS } from '../kernel-images/bench/index.js';
import { buildImage, rvxAssemble } from '../kernel-images/index.js';
import { main, runIpcBench, withParam } from '../tools/bench/ipc.js';
import { runImage } from '../tools/bench/ipc/run.js';
import { renderHtml } from '../tools/bench/ipc/html.js';
import { find, ISOLATION_ROWS, MECHANISMS, table, type IpcReport, type WorkloadResult } from '../tools/bench/ipc/report.js';

const REV = { revision: 'test', dirty: false };
const QUICK = { runs: 3, warmup: 1 };

let rep: IpcReport;

beforeAll(async () => {
  // every series; ASID images for the two basic ones only (test time)
  rep = await runIpcBench({ mechs: ['kernel', 'xpc'], core: rocketParams(), asid: true, asidSeries: ['kernel', 'xpc'], ...QUICK }, REV);
}, 300_000); // six images; a loaded 2-core CI machine needs the margin

function get(name: string, mech: 'kernel' | 'xpc' | 'kernel-sel4' | 'xpc-isolated', bytes?: number): WorkloadResult {
  const w = find(rep, name, mech, bytes);
  if (!w) throw new Error(`no result for ${name} ${mech} ${bytes ?? ''}`);
  return w;
}

describe('rvx bench ipc (quick)', () => {
  it('measures every workload under both mechanisms', () => {
    const names = new Set(rep.workloads.map((w) => `${w.name}/${w.mech}`));
    for (const n of ['null-syscall/kernel', 'call/kernel', 'reply/kernel', 'call/xpc', 'reply/xpc', 'roundtrip/kernel', 'roundtrip/xpc',
      'roundtrip-asid/kernel', 'roundtrip-asid/xpc', 'chain-4k/kernel', 'chain-4k/xpc', 'kv-app/kernel', 'kv-app/xpc', 'http-app/kernel', 'http-app/xpc']) {
      expect(names.has(n), n).toBe(true);
    }
    for (const w of rep.workloads) {
      expect(w.runs).toHaveLength(QUICK.runs);
      expect(w.runs).toContain(w.cycles.median);
      expect(w.cycles.min).toBeLessThanOrEqual(w.cycles.median);
      expect(w.cycles.median).toBeLessThanOrEqual(w.cycles.max);
      expect(w.instructions).toBeGreaterThan(0);
    }
  });

  it('an XPC round trip is cheaper than a kernel IPC round trip', () => {
    expect(get('roundtrip', 'xpc', 0).cycles.median).toBeLessThan(get('roundtrip', 'kernel', 0).cycles.median);
    expect(get('roundtrip', 'xpc', 0).instructions).toBeLessThan(get('roundtrip', 'kernel', 0).instructions);
  });

  it('copying grows with the message size, the relay segment does not', () => {
    const sizes = [64, 256, 1024, 4096];
    const k = sizes.map((b) => get('roundtrip', 'kernel', b).cycles.median);
    for (let i = 1; i < k.length; i++) expect(k[i]).toBeGreaterThan(k[i - 1]);
    // 4 KiB each way, copied twice: at least a cycle per byte more than 64 bytes
    expect(k[3] - k[0]).toBeGreaterThan(4096);
    expect(get('roundtrip', 'kernel', 4096).phases!.copy).toBeGreaterThan(get('roundtrip', 'kernel', 64).phases!.copy * 10);
    // the XPC server reads every word too, but nothing is copied
    const x = sizes.map((b) => get('roundtrip', 'xpc', b).cycles.median);
    expect(x[3] - x[0]).toBeLessThan(k[3] - k[0]);
    expect(get('roundtrip', 'xpc', 4096).phases!.copy).toBeUndefined();
    // both chain servers check every word they are sent: the copies are what differs
    expect(get('chain-4k', 'xpc').cycles.median * 1.5).toBeLessThan(get('chain-4k', 'kernel').cycles.median);
    expect(get('chain-4k', 'kernel').phases!.copy).toBeGreaterThan(2 * 4096); // four copies of 4 KiB
  });

  it('ASID-tagged TLBs lower the round trip and remove the TLB refills', () => {
    for (const m of ['kernel', 'xpc'] as const) {
      const plain = get('roundtrip', m, 0);
      const asid = get('roundtrip-asid', m, 0);
      expect(asid.cycles.median).toBeLessThan(plain.cycles.median);
      expect(plain.phases!['tlb refill']).toBeGreaterThan(0);
      expect(asid.phases!['tlb refill']).toBeUndefined();
    }
    // the kernel's switch loses its sfence.vma
    expect(get('roundtrip-asid', 'kernel', 0).instructions).toBeLessThan(get('roundtrip', 'kernel', 0).instructions);
  });

  it('the phases add up to the traced run, which is the median run the counters measured', () => {
    let traced = 0;
    for (const w of rep.workloads) {
      if (!w.phases) continue;
      traced++;
      const sum = Object.values(w.phases).reduce((a, b) => a + b, 0);
      expect(sum, `${w.name} ${w.mech} ${w.bytes}`).toBe(w.total);
      // the trace of the median run and the client's own counter reads agree exactly
      expect(w.total, `${w.name} ${w.mech} ${w.bytes}`).toBe(w.cycles.median);
      expect(w.totalInstructions, `${w.name} ${w.mech} ${w.bytes}`).toBe(w.instructions);
    }
    expect(traced).toBe(rep.workloads.length);
    const k = get('roundtrip', 'kernel', 0).phases!;
    for (const p of ['trap entry', 'kernel logic', 'address-space switch', 'restore']) expect(k[p], p).toBeGreaterThan(0);
    const x = get('roundtrip', 'xpc', 0).phases!;
    for (const p of ['xcall', 'trampoline', 'handler', 'xret']) expect(x[p], p).toBeGreaterThan(0);
    expect(x['trap entry']).toBeUndefined();
  });

  it('the sel4 flavour runs seL4\'s fastpath: more work than the minimal one, still the fastpath', () => {
    for (const n of ['call', 'reply']) {
      const m = get(n, 'kernel');
      const s = get(n, 'kernel-sel4');
      expect(s.instructions, n).toBeGreaterThan(m.instructions + 50);
      // a slow-path round trip would run through syscall_slow and the scheduler: far more instructions
      expect(s.instructions, n).toBeLessThan(300);
      expect(s.phases!.copy, n).toBeGreaterThan(0); // the message registers, copied through the TCBs
    }
    expect(get('roundtrip', 'kernel-sel4', 0).cycles.median).toBeGreaterThan(get('roundtrip', 'kernel', 0).cycles.median);
  });

  it('isolated XPC callers pay for saving and scrubbing; cold and polluted runs cost more than hot', () => {
    expect(get('roundtrip', 'xpc-isolated', 0).instructions).toBeGreaterThan(get('roundtrip', 'xpc', 0).instructions + 40);
    for (const s of ['kernel', 'kernel-sel4', 'xpc', 'xpc-isolated'] as const) {
      const hot = get('roundtrip', s, 0);
      expect(hot.cold, s).toBeGreaterThan(hot.cycles.median);
      expect(get('roundtrip-polluted', s, 0).cycles.median, s).toBeGreaterThan(hot.cycles.median);
      expect(get('roundtrip-polluted', s, 0).instructions, s).toBe(hot.instructions);
    }
  });

  it('reports the applications in requests per million cycles', () => {
    for (const name of ['kv-app', 'http-app']) {
      for (const m of ['kernel', 'xpc'] as const) {
        const w = get(name, m);
        expect(w.requestsPerMcycle).toBeCloseTo((w.requests! / w.cycles.median) * 1e6, 0);
      }
      expect(get(name, 'xpc').requestsPerMcycle!).toBeGreaterThan(get(name, 'kernel').requestsPerMcycle!);
    }
  });

  it('the numbers come from the run: another core gives other numbers', async () => {
    const slow = await runIpcBench({ mechs: ['kernel'], series: ['kernel'], core: { ...rocketParams(), missLatency: 90, trapPenalty: 12 }, asid: false, ...QUICK }, REV);
    const a = get('roundtrip', 'kernel', 0);
    const b = find(slow, 'roundtrip', 'kernel', 0)!;
    expect(b.instructions).toBe(a.instructions);
    expect(b.cycles.median).toBeGreaterThan(a.cycles.median);
    expect(b.phases!['trap entry']).toBeGreaterThan(a.phases!['trap entry']);
    expect(slow.core.missLatency).toBe(90);
    const ideal = await runIpcBench({ mechs: ['xpc'], series: ['xpc'], core: 'ideal', asid: true, ...QUICK }, REV);
    const r = find(ideal, 'roundtrip', 'xpc', 0)!;
    expect(r.cycles.median).toBe(r.instructions); // one cycle per instruction, no traps on the XPC path
    expect(ideal.workloads.some((w) => w.name.endsWith('-asid'))).toBe(false);
  }, 120_000);

  it('--sweep gives a curve per series; ablations take XPC\'s parts away', async () => {
    // the sel4 series only (ablations are of XPC and always run, with their own baseline first)
    const r = await runIpcBench({ mechs: ['kernel', 'xpc'], series: ['kernel-sel4'], core: rocketParams(), asid: false, runs: 1, warmup: 1,
      sweep: { param: 'missLatency', values: [5, 120] }, ablations: ['relay-by-copy', 'no-engine-cache'] }, REV);
    // the first round trip after boot misses by construction (a hot one may hit everywhere and not move)
    const rt0 = (l: { name: string; bytes: number; median: number }[]) => l.find((p) => p.name === 'roundtrip-first' && p.bytes === 0)!.median;
    const sel4 = r.sweep!.series['kernel-sel4']!;
    expect(sel4).toHaveLength(2);
    expect(rt0(sel4[1])).toBeGreaterThan(rt0(sel4[0]));
    expect(r.ablations!.map((a) => a.name)).toEqual(['all-parts', 'no-engine-cache', 'relay-by-copy']);
    const pick = (name: string, w: string, bytes: number) => r.ablations!.find((a) => a.name === name)!.results.find((p) => p.name === w && p.bytes === bytes)!;
    const base = (w: string, bytes: number) => pick('all-parts', w, bytes).median;
    expect(pick('relay-by-copy', 'roundtrip', 4096).median).toBeGreaterThan(base('roundtrip', 4096) + 4096);
    expect(pick('no-engine-cache', 'call', 0).median).toBeGreaterThan(base('call', 0));
    expect(() => withParam(rocketParams(), 'dcache.ways', 3)).toThrow(/power-of-two/);
    expect(withParam(rocketParams(), 'xpc.segMaskFlush', false).xpc.segMaskFlush).toBe(false);
  }, 120_000);

  it('results a user generates go where git ignores them', () => {
    const r = spawnSync('git', ['check-ignore', '-q', 'bench/results/latest/ipc.json'], { cwd: join(__dirname, '..') });
    if (r.error || r.status === 128) return; // not a git checkout
    expect(r.status).toBe(0);
    expect(spawnSync('git', ['check-ignore', '-q', 'bench/results/reference/ipc.json'], { cwd: join(__dirname, '..') }).status).toBe(1);
  });

  it('a wrong answer from a server fails the run', async () => {
    // XPC: the round-trip server claims a 4 KiB message whatever it was handed.
    const x = benchSystem('xpc', { warmup: 1, runs: 1 }, { only: 'ipc' });
    const rt = x.system.programs.find((p) => p.name === 'srv_rt')!;
    expect(rt.text).toMatch(/mv a0, s0 +# the reply.*/);
    rt.text = rt.text.replace(/mv a0, s0 +# the reply.*/, 'li a0, 4096');
    const xr = runImage(await buildImage(x.system, rvxAssemble, { xpc: true }), { ext: ['xpc'], core: 'ideal', workloads: x.workloads });
    expect(xr.failure).toMatch(/did not finish cleanly/);
    expect(xr.console).toMatch(/errors [1-9]/);
    // Kernel IPC: the last server of the chain changes the 4 KiB message other than agreed.
    const k = benchSystem('kernel', { warmup: 1, runs: 1 });
    const c = k.system.programs.find((p) => p.name === 'chain_c')!;
    c.text = c.text.replace('addi t1, t1, 1', 'addi t1, t1, 2');
    const kr = runImage(await buildImage(k.system, rvxAssemble, { xpc: false }), { ext: [], core: 'ideal', workloads: k.workloads });
    expect(kr.failure).toMatch(/did not finish cleanly/);
  }, 60_000);

  it('prints a table with the published figures beside the measurements', () => {
    const t = table(rep);
    expect(t).toMatch(/roundtrip\s+4096/);
    expect(t).toContain('474-694');
    expect(t).toContain('664 -> 21');
    expect(t).toMatch(/One 0-byte round trip in the XPC paper's categories/);
    for (const l of t.split('\n')) expect(l.length, l).toBeLessThanOrEqual(100);
    expect(t).not.toContain('REFERENCE');
    expect(t).toContain(String(get('roundtrip', 'kernel', 0).total));
  });
});

describe('rvx bench ipc: every mechanism (quick)', () => {
  let all: IpcReport;
  beforeAll(async () => {
    // the mechanisms beside XPC, with trusting callers; one ASID image (gates) for the -asid names
    all = await runIpcBench({ mechs: [...MECHS], series: ['gate', 'asl', 'pkey'], core: rocketParams(), asid: true, asidSeries: ['gate'], ...QUICK }, REV);
  }, 300_000);
  const names = ['call', 'reply', 'roundtrip', 'roundtrip-polluted', 'chain-4k', 'kv-app', 'http-app'];

  it('the JSON has every workload for every mechanism, each with its runs, phases, trusted path and memory events', () => {
    for (const m of ['gate', 'asl', 'pkey'] as const) {
      for (const n of names) expect(all.workloads.some((w) => w.mech === m && w.name === n), `${n} ${m}`).toBe(true);
      expect(all.workloads.filter((w) => w.mech === m && w.name === 'roundtrip').map((w) => w.bytes)).toEqual([0, 32, 64, 256, 1024, 4096]);
    }
    expect(all.workloads.some((w) => w.mech === 'gate' && w.name === 'roundtrip-asid')).toBe(true);
    for (const w of all.workloads) {
      const id = `${w.name} ${w.series} ${w.bytes}`;
      expect(w.runs, id).toHaveLength(QUICK.runs);
      expect(w.cycles.min, id).toBeLessThanOrEqual(w.cycles.median);
      expect(w.cycles.median, id).toBeLessThanOrEqual(w.cycles.max);
      expect(Object.values(w.phases!).reduce((a, b) => a + b, 0), id).toBe(w.total);
      expect(w.total, id).toBe(w.cycles.median);
      expect(w.totalInstructions, id).toBe(w.instructions);
      expect(w.trustedInstructions!, id).toBeGreaterThan(0);
      expect(w.trustedInstructions!, id).toBeLessThanOrEqual(w.instructions);
      expect(Object.keys(w.events!).sort(), id).toEqual(['dcacheMisses', 'dtlbMisses', 'icacheMisses', 'itlbMisses', 'pageWalks']);
    }
    const json = JSON.parse(JSON.stringify(all)) as IpcReport;
    expect(Object.keys(json.mechanisms!).sort()).toEqual(['asl', 'gate', 'pkey']);
  });

  it('each mechanism\'s own steps show in its phases; the domains of one address space walk no page tables', () => {
    const rt = (m: string) => find(all, 'roundtrip', m, 0)!;
    for (const p of ['gcall', 'gret', 'trampoline', 'handler']) expect(rt('gate').phases![p], `gate ${p}`).toBeGreaterThan(0);
    for (const p of ['aslswitch', 'trampoline', 'handler']) expect(rt('asl').phases![p], `asl ${p}`).toBeGreaterThan(0);
    for (const p of ['trampoline', 'handler', 'client']) expect(rt('pkey').phases![p], `pkey ${p}`).toBeGreaterThan(0);
    expect(rt('pkey').phases!['tlb refill']).toBeUndefined();
    expect(rt('pkey').events!.pageWalks).toBe(0);
    expect(rt('gate').events!.pageWalks).toBeGreaterThan(0); // no ASIDs: gcall and gret empty the TLBs
    expect(find(all, 'roundtrip-asid', 'gate', 0)!.events!.pageWalks).toBeLessThan(rt('gate').events!.pageWalks);
    for (const m of ['gate', 'asl', 'pkey']) {
      expect(rt(m).phases!['trap entry'], m).toBeUndefined(); // no kernel on the call path
      expect(rt(m).cycles.median, m).toBeLessThan(get('roundtrip', 'kernel', 0).cycles.median);
    }
  });

  it('every isolation claim names a test that exists and attacks it', () => {
    for (const [m, info] of Object.entries(MECHANISMS)) {
      expect(info.kernel.length, m).toBeGreaterThan(20);
      for (const [k] of ISOLATION_ROWS) {
        const c = info.isolation[k];
        expect(c.tests.length, `${m} ${k}`).toBeGreaterThan(0);
        for (const t of c.tests) {
          const [file, name] = t.split(/: (.*)/s);
          const src = readFileSync(join(__dirname, '..', file), 'utf8');
          if (name) expect(src.replace(/\\'/g, "'"), `${m} ${k}: ${t}`).toContain(name);
        }
      }
    }
  });

  it('the table and the page show the mechanisms side by side', () => {
    const t = table(all);
    expect(t).toMatch(/trusted instructions/);
    for (const l of t.split('\n')) expect(l.length, l).toBeLessThanOrEqual(100);
    const html = renderHtml(all);
    expect(html).toContain('The mechanisms side by side');
    expect(html).toContain('what isolation it gives up');
    expect(html).toContain('tests/kernel-pkey-domains.test.ts');
  });
});

describe('rvx bench ipc CLI', () => {
  const capture = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const ow = process.stdout.write.bind(process.stdout);
    const ew = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
    try {
      const code = await main(args);
      return { code, out, err };
    } finally {
      process.stdout.write = ow;
      process.stderr.write = ew;
    }
  };

  it('--json prints the report; --out writes ipc.json and ipc.html', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvx-ipc-'));
    try {
      const r = await capture(['--mech', 'xpc', '--isolation', 'trusting', '--quick', '--no-asid', '--json', '--out', dir]);
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out) as IpcReport;
      expect(Object.keys(j)).toEqual(expect.arrayContaining(['revision', 'core', 'workloads']));
      expect(j.core.name).toBe('rocket');
      expect(j.workloads.every((w) => w.mech === 'xpc')).toBe(true);
      const w = j.workloads.find((x) => x.name === 'roundtrip' && x.bytes === 0)!;
      expect(Object.keys(w)).toEqual(expect.arrayContaining(['name', 'mech', 'bytes', 'cycles', 'instructions', 'phases', 'total']));
      expect(JSON.parse(readFileSync(join(dir, 'ipc.json'), 'utf8'))).toEqual(j);
      expect(readFileSync(join(dir, 'ipc.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses bad options with a message', async () => {
    for (const [args, msg] of [
      [['--mech', 'both'], /--mech needs kernel, xpc, gate, asl/],
      [['--repeat', '0'], /--repeat needs a whole number/],
      [['--core', 'fast'], /expected rocket, ideal or a \.json/],
      [['--core', '/nonexistent/core.json'], /cannot read core parameters/],
      [['--frobnicate'], /unknown option/],
      [['--flavour', 'fast'], /--flavour needs minimal, sel4 or all/],
      [['--sweep', 'noSuchParam=1,2'], /no such core parameter/],
      [['--sweep', 'missLatency'], /--sweep needs PARAM=V1,V2/],
    ] as const) {
      const r = await capture([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trimEnd().split('\n'), 'one line').toHaveLength(1);
    }
  });
});

const CHROMIUM = '/usr/bin/chromium';
describe.skipIf(!existsSync(CHROMIUM))('bench/results/ipc.html in headless Chromium', () => {
  it('draws the charts (SVG shapes with non-zero sizes) and renders a screenshot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvx-ipc-html-'));
    try {
      const html = join(dir, 'ipc.html');
      writeFileSync(html, renderHtml(rep));
      const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`];
      const dom = spawnSync(CHROMIUM, [...flags, '--dump-dom', `file://${html}`], { encoding: 'utf8', timeout: 60_000 });
      expect(dom.status, dom.stderr).toBe(0);
      const svgs = dom.stdout.match(/<svg\b/g) ?? [];
      expect(dom.stdout).not.toContain('REFERENCE');
      expect(svgs.length).toBeGreaterThanOrEqual(4);
      const rects = [...dom.stdout.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)];
      const drawn = rects.filter((m) => Number(m[3]) > 0 && Number(m[4]) > 0);
      expect(drawn.length).toBeGreaterThan(20);
      const paths = [...dom.stdout.matchAll(/<path d="M([\d.]+),([\d.]+)((?: L[\d.]+,[\d.]+)+)"/g)];
      expect(paths.length).toBeGreaterThanOrEqual(2);
      expect(dom.stdout).toContain('<table>');
      expect(dom.stdout).not.toMatch(/<script|https?:\/\//);
      // Layout at the two widths the page is looked at: nothing wider than the window (a test-only copy
      // of the page with a script that records the widths; the page itself has no scripts).
      for (const width of [1024, 1400]) {
        const probe = join(dir, `probe-${width}.html`);
        writeFileSync(probe, renderHtml(rep).replace('</body>', '<script>document.body.setAttribute("data-scroll-width", ' +
          'String(document.documentElement.scrollWidth)); document.body.setAttribute("data-client-width", ' +
          'String(document.documentElement.clientWidth));</script></body>'));
        const laid = spawnSync(CHROMIUM, [...flags, `--window-size=${width},1200`, '--dump-dom', `file://${probe}`], { encoding: 'utf8', timeout: 60_000 });
        expect(laid.status, laid.stderr).toBe(0);
        const sw = Number(/data-scroll-width="(\d+)"/.exec(laid.stdout)?.[1]);
        const cw = Number(/data-client-width="(\d+)"/.exec(laid.stdout)?.[1]);
        expect(cw, `window ${width}`).toBeGreaterThan(width - 40);
        expect(sw, `page wider than the window at ${width} px`).toBeLessThanOrEqual(cw);
        const png = join(dir, `shot-${width}.png`);
        const shot = spawnSync(CHROMIUM, [...flags, `--window-size=${width},1600`, `--screenshot=${png}`, `file://${html}`], { encoding: 'utf8', timeout: 60_000 });
        expect(shot.status, shot.stderr).toBe(0);
        const bytes = readFileSync(png);
        expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
        expect(bytes.readUInt32BE(16)).toBe(width); // IHDR width
        expect(bytes.length).toBeGreaterThan(20_000);
      }
      // axes say their units; the size chart is log-log; only phases that occur are in the legend
      expect(dom.stdout).toContain('message bytes each way (log 2 scale');
      expect(dom.stdout).toContain('cycles per round trip (log scale)');
      expect(dom.stdout).toContain('<table class="core">');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
if (!existsSync(CHROMIUM)) {
  describe('bench/results/ipc.html in headless Chromium', () => {
    it.skip(`skipped: ${CHROMIUM} is absent (apt-get install -y chromium)`, () => {});
  });
}
