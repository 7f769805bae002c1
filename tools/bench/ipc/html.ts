// bench/results/ipc.html: one self-contained page (inline SVG and CSS, no scripts, nothing fetched)
// drawn from the report object: the phase breakdown of a round trip as stacked bars, cycles against
// message size, the chain and application comparisons, and the full table.

import { PHASES } from './run.js';
import { find, ISOLATION_ROWS, notes, PUBLISHED, SERIES, type IpcReport, type SeriesName, type WorkloadResult } from './report.js';

const COLORS: Record<string, string> = {
  client: '#9e9e9e',
  'trap entry': '#e15759',
  'kernel logic': '#f28e2b',
  copy: '#b07aa1',
  'address-space switch': '#edc948',
  restore: '#ff9da7',
  xcall: '#4e79a7',
  trampoline: '#76b7b2',
  handler: '#59a14f',
  xret: '#1f77b4',
  gcall: '#6a3d9a',
  gret: '#cab2d6',
  aslswitch: '#17becf',
  'tlb refill': '#8c564b',
  interrupt: '#333333',
};
const SERIES_COLORS: Record<string, string> = {
  kernel: '#e15759', 'kernel-sel4': '#9c2f2f', xpc: '#4e79a7', 'xpc-isolated': '#2a9d8f',
  gate: '#6a3d9a', 'gate-isolated': '#9467bd', asl: '#17becf', 'asl-isolated': '#0e7c86', pkey: '#bcbd22',
  'gate-asid': '#cab2d6', 'gate-isolated-asid': '#c5b0d5', 'asl-asid': '#9edae5', 'asl-isolated-asid': '#6fc2c8', 'pkey-asid': '#dbdb8d',
  'kernel-asid': '#f28e2b', 'kernel-sel4-asid': '#b8860b', 'xpc-asid': '#76b7b2', 'xpc-isolated-asid': '#8fbc8f',
};
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An axis for values up to v: a round step (1, 2 or 5 times a power of ten) and the top tick. */
function axis(v: number, ticks = 4): { max: number; step: number } {
  if (!(v > 0)) return { max: 1, step: 0.25 };
  const raw = v / ticks;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
  return { max: Math.ceil(v / step) * step, step };
}

/** Horizontal stacked bars: one per traced round trip, one segment per phase. */
function phaseChart(bars: { label: string; w: WorkloadResult }[]): string {
  const W = 900, left = 130, right = 70, barH = 26, gap = 12, top = 10;
  const used = PHASES.filter((p) => bars.some((b) => (b.w.phases?.[p] ?? 0) > 0));
  const legendRows = Math.ceil(used.length / 5);
  const H = top + bars.length * (barH + gap) + 48 + legendRows * 20;
  const { max, step } = axis(Math.max(...bars.map((b) => b.w.total ?? 0)));
  const sx = (v: number) => ((W - left - right) * v) / max;
  const parts: string[] = [];
  bars.forEach((b, i) => {
    const y = top + i * (barH + gap);
    parts.push(`<text x="${left - 8}" y="${y + barH / 2 + 4}" text-anchor="end">${esc(b.label)}</text>`);
    let x = left;
    for (const p of PHASES) {
      const v = b.w.phases?.[p] ?? 0;
      if (v <= 0) continue;
      const w = sx(v);
      parts.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[p]}"><title>${esc(`${b.label}: ${p} ${v} cycles`)}</title></rect>`);
      if (w > 26) parts.push(`<text x="${(x + w / 2).toFixed(1)}" y="${y + barH / 2 + 4}" text-anchor="middle" class="in">${v}</text>`);
      x += w;
    }
    parts.push(`<text x="${(x + 6).toFixed(1)}" y="${y + barH / 2 + 4}">${b.w.total}</text>`);
  });
  const axisY = top + bars.length * (barH + gap);
  parts.push(`<line x1="${left}" y1="${axisY}" x2="${W - right}" y2="${axisY}" stroke="#888"/>`);
  for (let v = 0; v <= max; v += step) {
    const x = left + sx(v);
    parts.push(`<line x1="${x}" y1="${axisY}" x2="${x}" y2="${axisY + 5}" stroke="#888"/><text x="${x}" y="${axisY + 17}" text-anchor="middle" class="ax">${v}</text>`);
  }
  parts.push(`<text x="${(left + W - right) / 2}" y="${axisY + 30}" text-anchor="middle" class="ax">cycles</text>`);
  used.forEach((p, i) => {
    const lx = left + (i % 5) * 150;
    const ly = axisY + 50 + Math.floor(i / 5) * 20;
    parts.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${COLORS[p]}"/><text x="${lx + 16}" y="${ly}" class="ax">${esc(p)}</text>`);
  });
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="phase breakdown">${parts.join('')}</svg>`;
}

/** Log-scale ticks (1, 2, 5 x powers of ten) covering [lo, hi]. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let p = Math.pow(10, Math.floor(Math.log10(lo))); p <= hi * 10; p *= 10) for (const m of [1, 2, 5]) if (m * p >= lo / 1.01 && m * p <= hi * 1.01) out.push(m * p);
  return out;
}

/**
 * Lines: median cycles against message size, x on a log-2 scale (0 bytes drawn one step left of the
 * smallest size), y on a log scale, one series per mechanism variant.
 */
function sizeChart(series: { label: string; points: { bytes: number; cycles: number }[] }[], sizes: number[]): string {
  const W = 900, H = 360, left = 70, right = 190, top = 15, bottom = 48;
  const pos = sizes.filter((b) => b > 0);
  const lx = (b: number) => (b > 0 ? Math.log2(b) : Math.log2(Math.min(...pos)) - 1);
  const x0 = Math.min(...sizes.map(lx)), x1 = Math.max(...sizes.map(lx));
  const all = series.flatMap((s) => s.points.map((p) => p.cycles)).filter((v) => v > 0);
  const lo = Math.min(...all) / 1.3, hi = Math.max(...all) * 1.3;
  const sx = (b: number) => left + ((W - left - right) * (lx(b) - x0)) / Math.max(1e-9, x1 - x0);
  const sy = (v: number) => top + (H - top - bottom) * (1 - (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)));
  const parts: string[] = [];
  for (const v of logTicks(lo, hi)) {
    parts.push(`<line x1="${left}" y1="${sy(v).toFixed(1)}" x2="${W - right}" y2="${sy(v).toFixed(1)}" stroke="#ddd"/><text x="${left - 6}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end" class="ax">${v}</text>`);
  }
  sizes.forEach((b) => parts.push(`<text x="${sx(b).toFixed(1)}" y="${H - bottom + 18}" text-anchor="middle" class="ax">${b}</text>`));
  parts.push(`<text x="${(left + W - right) / 2}" y="${H - 8}" text-anchor="middle" class="ax">message bytes each way (log 2 scale; 0 = registers only)</text>`);
  parts.push(`<text x="14" y="${(top + H - bottom) / 2}" transform="rotate(-90 14 ${(top + H - bottom) / 2})" text-anchor="middle" class="ax">cycles per round trip (log scale)</text>`);
  series.forEach((s, si) => {
    const color = SERIES_COLORS[s.label] ?? '#555';
    const pts = s.points.map((p) => [sx(p.bytes), sy(p.cycles)] as const);
    if (pts.length > 0) parts.push(`<path d="${pts.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2.5"${s.label.endsWith('-asid') ? ' stroke-dasharray="6 4"' : ''}/>`);
    s.points.forEach((p, i) => parts.push(`<circle cx="${pts[i][0].toFixed(1)}" cy="${pts[i][1].toFixed(1)}" r="4" fill="${color}"><title>${esc(`${s.label}, ${p.bytes} bytes: ${p.cycles} cycles`)}</title></circle>`));
    parts.push(`<line x1="${W - right + 12}" y1="${top + si * 22 + 2}" x2="${W - right + 30}" y2="${top + si * 22 + 2}" stroke="${color}" stroke-width="3"${s.label.endsWith('-asid') ? ' stroke-dasharray="5 3"' : ''}/><text x="${W - right + 35}" y="${top + si * 22 + 6}" class="ax">${esc(s.label)}</text>`);
  });
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="cycles versus message size">${parts.join('')}</svg>`;
}

/** Lines: median cycles of the 0-byte round trip against a swept core parameter, one per series. */
function sweepChart(rep: IpcReport): string {
  const sw = rep.sweep!;
  const W = 900, H = 320, left = 70, right = 190, top = 15, bottom = 48;
  const names = Object.keys(sw.series) as SeriesName[];
  const valOf = (n: string) => (s: SeriesName, i: number) => sw.series[s]![i].find((p) => p.name === n && p.bytes === 0)?.median ?? 0;
  const val = valOf('roundtrip'), first = valOf('roundtrip-first');
  // numbers on a linear axis; flags and names evenly spaced in the order given
  const numeric = sw.values.every((v) => typeof v === 'number');
  const xs = sw.values.map((v, i) => (numeric ? (v as number) : i));
  const { max, step } = axis(Math.max(1, ...names.flatMap((s) => sw.values.flatMap((_, i) => [val(s, i), first(s, i)]))), 5);
  const xmin = Math.min(...xs), xmax = Math.max(...xs);
  const sx = (x: number) => left + ((W - left - right) * (x - xmin)) / Math.max(1e-9, xmax - xmin);
  const sy = (v: number) => top + (H - top - bottom) * (1 - v / max);
  const parts: string[] = [];
  for (let v = 0; v <= max; v += step) parts.push(`<line x1="${left}" y1="${sy(v)}" x2="${W - right}" y2="${sy(v)}" stroke="#ddd"/><text x="${left - 6}" y="${sy(v) + 4}" text-anchor="end" class="ax">${v}</text>`);
  sw.values.forEach((v, i) => parts.push(`<text x="${sx(xs[i]).toFixed(1)}" y="${H - bottom + 18}" text-anchor="middle" class="ax">${String(v)}</text>`));
  parts.push(`<text x="${(left + W - right) / 2}" y="${H - 8}" text-anchor="middle" class="ax">${esc(sw.param)} (core parameter)</text>`);
  parts.push(`<text x="14" y="${(top + H - bottom) / 2}" transform="rotate(-90 14 ${(top + H - bottom) / 2})" text-anchor="middle" class="ax">cycles per 0-byte round trip (dashed: first run)</text>`);
  names.forEach((s, si) => {
    const color = SERIES_COLORS[s] ?? '#555';
    const pts = sw.values.map((_, i) => [sx(xs[i]), sy(val(s, i))] as const);
    parts.push(`<path d="${pts.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2.5"/>`);
    pts.forEach(([x, y], i) => parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4" fill="${color}"><title>${esc(`${s}, ${sw.param} = ${String(sw.values[i])}: ${val(s, i)} cycles`)}</title></circle>`));
    // the first run after boot (cold caches and TLBs), dashed: memory-path parameters move it most
    const cold = sw.values.map((_, i) => [sx(xs[i]), sy(first(s, i))] as const);
    if (sw.values.every((_, i) => first(s, i) > 0)) {
      parts.push(`<path d="${cold.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 4"><title>${esc(`${s}: first run after boot`)}</title></path>`);
    }
    parts.push(`<rect x="${W - right + 15}" y="${top + si * 22}" width="14" height="4" fill="${color}"/><text x="${W - right + 35}" y="${top + si * 22 + 6}" class="ax">${esc(s)}</text>`);
  });
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="sweep">${parts.join('')}</svg>`;
}

/** Grouped vertical bars: one group per item, one bar per series; a legend names the series. */
function barChart(groups: { label: string; values: { mech: string; value: number }[] }[], unit: string): string {
  const names = [...new Set(groups.flatMap((g) => g.values.map((v) => v.mech)))];
  const W = 520, left = 60, right = 10, top = 34 + 18 * Math.ceil(names.length / 2), bottom = 34;
  const H = top + 200 + bottom;
  const { max, step } = axis(1.1 * Math.max(1, ...groups.flatMap((g) => g.values.map((v) => v.value))));
  const gw = (W - left - right) / Math.max(1, groups.length);
  const sy = (v: number) => top + (H - top - bottom) * (1 - v / max);
  const parts: string[] = [];
  names.forEach((n, i) => {
    const x = left + (i % 2) * 200, y = 30 + Math.floor(i / 2) * 18;
    parts.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${SERIES_COLORS[n] ?? '#555'}"/><text x="${x + 16}" y="${y}" class="ax">${esc(n)}</text>`);
  });
  for (let v = 0; v <= max; v += step) {
    parts.push(`<line x1="${left}" y1="${sy(v)}" x2="${W - right}" y2="${sy(v)}" stroke="#ddd"/><text x="${left - 6}" y="${sy(v) + 4}" text-anchor="end" class="ax">${v}</text>`);
  }
  groups.forEach((g, gi) => {
    const bw = (gw * 0.8) / Math.max(1, g.values.length);
    g.values.forEach((v, vi) => {
      const x = left + gi * gw + gw * 0.1 + vi * bw;
      const y = sy(v.value);
      parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(sy(0) - y).toFixed(1)}" fill="${SERIES_COLORS[v.mech] ?? '#555'}"><title>${esc(`${g.label}, ${v.mech}: ${v.value} ${unit}`)}</title></rect>`);
      parts.push(`<text x="${(x + bw / 2 - 1).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle" class="sm">${Math.round(v.value)}</text>`);
    });
    parts.push(`<text x="${(left + gi * gw + gw / 2).toFixed(1)}" y="${H - bottom + 18}" text-anchor="middle">${esc(g.label)}</text>`);
  });
  parts.push(`<text x="12" y="14" class="ax">${esc(unit)}</text>`);
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(unit)}">${parts.join('')}</svg>`;
}

/** The mechanisms side by side: one-way and round trip (median, min-max), the trusted path, misses and walks. */
function mechanismTable(rep: IpcReport, present: SeriesName[]): string {
  const cell = (w: WorkloadResult | undefined) => (w ? `${w.cycles.median}${w.cycles.min === w.cycles.max ? '' : ` <span class="rng">(${w.cycles.min}&ndash;${w.cycles.max})</span>`}` : '');
  const rows: [string, (s: SeriesName) => string][] = [
    ['one-way call (cycles)', (s) => cell(find(rep, 'call', s))],
    ['one-way reply', (s) => cell(find(rep, 'reply', s))],
    ['round trip, 0 B', (s) => cell(find(rep, 'roundtrip', s, 0))],
    ['round trip, 4 KiB', (s) => cell(find(rep, 'roundtrip', s, 4096))],
    ['round trip, 0 B, ASID-tagged TLBs', (s) => cell(find(rep, 'roundtrip-asid', s, 0))],
    ['round trip, 0 B, first run', (s) => String(find(rep, 'roundtrip', s, 0)?.cold ?? '')],
    ['instructions (round trip, 0 B)', (s) => String(find(rep, 'roundtrip', s, 0)?.totalInstructions ?? '')],
    ['of them in the trusted path', (s) => String(find(rep, 'roundtrip', s, 0)?.trustedInstructions ?? '')],
    ['I-cache / D-cache misses', (s) => { const e = find(rep, 'roundtrip', s, 0)?.events; return e ? `${e.icacheMisses} / ${e.dcacheMisses}` : ''; }],
    ['I-TLB / D-TLB misses, page walks', (s) => { const e = find(rep, 'roundtrip', s, 0)?.events; return e ? `${e.itlbMisses} / ${e.dtlbMisses}, ${e.pageWalks}` : ''; }],
    ['after a polluting loop: misses (I$ / D$), walks', (s) => { const e = find(rep, 'roundtrip-polluted', s, 0)?.events; return e ? `${e.icacheMisses} / ${e.dcacheMisses}, ${e.pageWalks}` : ''; }],
  ];
  return `<table><thead><tr><th></th>${present.map((s) => `<th>${esc(s)}</th>`).join('')}</tr></thead><tbody>${rows.map(([n, f]) =>
    `<tr><td>${esc(n)}</td>${present.map((s) => `<td class="n">${f(s)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** What each mechanism changes in the kernel, and what isolation it gives up, with the tests that attack each claim. */
function isolationTable(rep: IpcReport): string {
  const ms = Object.entries(rep.mechanisms ?? {});
  if (ms.length === 0) return '';
  const tests = (t: string[]) => `<div class="tests">${t.map((x) => `test: ${esc(x)}`).join('<br>')}</div>`;
  const head = `<tr><th></th>${ms.map(([, m]) => `<th>${esc(m!.label)}</th>`).join('')}</tr>`;
  const after = `<tr><td>after</td>${ms.map(([, m]) => `<td>${esc(m!.after)}</td>`).join('')}</tr>`;
  const kernel = `<tr><td>what it changes in the kernel</td>${ms.map(([, m]) => `<td>${esc(m!.kernel)}</td>`).join('')}</tr>`;
  const rows = ISOLATION_ROWS.map(([k, title]) => `<tr><td>${esc(title)}</td>${ms.map(([, m]) => `<td>${esc(m!.isolation[k].claim)}${tests(m!.isolation[k].tests)}</td>`).join('')}</tr>`);
  return `<table class="iso"><thead>${head}</thead><tbody>${after}${kernel}${rows.join('')}</tbody></table>`;
}

function resultTable(rep: IpcReport): string {
  const rows = rep.workloads.map((w) => {
    const ph = w.paper ? Object.entries(w.paper).map(([k, v]) => `${k} ${v}`).join(', ') : '';
    const range = w.cycles.min === w.cycles.max ? '' : ` <span class="rng">(${w.cycles.min}&ndash;${w.cycles.max})</span>`;
    return `<tr><td>${esc(w.name)}</td><td>${esc(w.series)}</td><td class="n">${w.bytes}</td><td class="n">${w.cycles.median}${range}</td><td class="n">${w.cold ?? ''}</td><td class="n">${w.instructions}</td><td class="n">${w.requestsPerMcycle ?? ''}</td><td class="ph">${esc(ph)}</td></tr>`;
  });
  return `<table><thead><tr><th>workload</th><th>series</th><th>bytes</th><th>cycles: median (min&ndash;max)</th><th>first run (cycles)</th><th>instructions</th><th>requests / Mcycle</th><th>XPC paper's categories, traced median run (cycles)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The core parameters as a small table: one row per group, its values as "name value". */
function coreTable(core: Record<string, unknown>): string {
  const scalars = Object.entries(core).filter(([k, v]) => typeof v !== 'object' && k !== '$comment');
  const groups = Object.entries(core).filter(([, v]) => typeof v === 'object' && v !== null);
  const fmt = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => `${esc(k)} <b>${esc(String(v))}</b>`).join(', ');
  // arrays of address ranges ({ base, size }) as hexadecimal ranges
  const range = (v: unknown) => {
    const r = v as { base?: number; size?: number };
    return typeof r.base === 'number' && typeof r.size === 'number' ? `0x${r.base.toString(16)}&ndash;0x${(r.base + r.size).toString(16)}` : esc(JSON.stringify(v));
  };
  const row = (k: string, v: unknown) => `<tr><th>${esc(k)}</th><td>${Array.isArray(v) ? v.map(range).join(', ') : fmt(v as Record<string, unknown>)}</td></tr>`;
  const rows = [`<tr><th>core</th><td>${fmt(Object.fromEntries(scalars))}</td></tr>`, ...groups.map(([k, v]) => row(k, v))];
  return `<table class="core">${rows.join('')}</table>`;
}

export function renderHtml(rep: IpcReport): string {
  const present = (Object.keys(SERIES) as SeriesName[]).filter((s) => rep.workloads.some((w) => w.series === s));
  const traced: { label: string; w: WorkloadResult }[] = [];
  for (const [name, suffix] of [['roundtrip', ''], ['roundtrip-asid', ' + ASID']] as const) {
    for (const m of present) {
      const w = find(rep, name, m, 0);
      if (w?.phases) traced.push({ label: `${m}${suffix}`, w });
    }
  }
  const oneWay: { label: string; w: WorkloadResult }[] = [];
  for (const name of ['call', 'reply'] as const) {
    for (const m of present) {
      const w = find(rep, name, m);
      if (w?.phases) oneWay.push({ label: `${name} ${m}`, w });
    }
  }
  const sizes = [...new Set(rep.workloads.filter((w) => w.name === 'roundtrip').map((w) => w.bytes))].sort((a, b) => a - b);
  const series: { label: string; points: { bytes: number; cycles: number }[] }[] = [];
  for (const [name, suffix] of [['roundtrip', ''], ['roundtrip-asid', '-asid']] as const) {
    for (const m of present) {
      const pts = rep.workloads.filter((w) => w.name === name && w.series === m).map((w) => ({ bytes: w.bytes, cycles: w.cycles.median }));
      if (pts.length > 0) series.push({ label: `${m}${suffix}`, points: pts });
    }
  }
  const chain = present.map((m) => find(rep, 'chain-4k', m)).filter((w): w is WorkloadResult => !!w);
  const apps = ['kv-app', 'http-app'].map((name) => ({
    label: name,
    values: present.map((m) => find(rep, name, m)).filter((w): w is WorkloadResult => !!w?.requestsPerMcycle).map((w) => ({ mech: w.series, value: w.requestsPerMcycle! })),
  })).filter((g) => g.values.length > 0);
  const hotCold = present.map((m) => ({ m, hot: find(rep, 'roundtrip', m, 0), pol: find(rep, 'roundtrip-polluted', m, 0) }))
    .filter((x) => x.hot?.cold !== undefined || x.pol);
  const sections: string[] = [];
  sections.push(`<h2>What is compared</h2><ul>${present.map((s) => `<li><b>${esc(s)}</b>: ${esc(SERIES[s].label)}</li>`).join('')}</ul>` +
    `<details><summary>more</summary><p>The seL4 flavour's fastpath does what seL4's RISC-V fastpath does, check by check (kernel-images/kernel/fastpath-sel4.ts cites the seL4 source lines it follows); the minimal one skips most of those checks. An isolated XPC caller saves ra, gp, tp, s0&ndash;s11 and sp and sets every register that is not part of the message to 0 around each xcall, as a caller that does not trust its callee must; the kernel saves and restores all registers on both paths. Every server reads and checks every word it is sent.</p></details>`);
  if (traced.length) sections.push(`<h2>One 0-byte round trip, phase by phase</h2><p>The median run, traced instruction by instruction; the bar is the run's total.</p><details><summary>more</summary><p>Every retired instruction (and every trap) counts in exactly one phase; TLB-miss stalls after address-space switches are their own phase. The XPC paper's categories (trap + restore, IPC logic, address-space switch, message copy) are sums of these phases: see the table below and docs/bench-ipc.md section 3.</p></details>${phaseChart(traced)}`);
  if (oneWay.length) sections.push(`<h2>One-way call and reply</h2>${phaseChart(oneWay)}`);
  if (hotCold.length) {
    sections.push(`<h2>Hot, first run, polluted</h2><table><thead><tr><th>0-byte round trip (cycles)</th>${hotCold.map((x) => `<th>${esc(x.m)}</th>`).join('')}</tr></thead><tbody>` +
      `<tr><td>hot (median)</td>${hotCold.map((x) => `<td class="n">${x.hot?.cycles.median ?? ''}</td>`).join('')}</tr>` +
      `<tr><td>first run after boot</td>${hotCold.map((x) => `<td class="n">${x.hot?.cold ?? ''}</td>`).join('')}</tr>` +
      `<tr><td>after a polluting loop (median)</td>${hotCold.map((x) => `<td class="n">${x.pol?.cycles.median ?? ''}</td>`).join('')}</tr></tbody></table>` +
      `<details><summary>more</summary><p>First run: the first (warm-up) iteration of the workload after boot, traced. Polluted: before each run the client reads 128 KiB (one load per 64-byte line, 32 pages) and runs 16 KiB of straight-line code, evicting the L1 caches and the TLB; the loop is outside the measured window.</p></details>`);
  }
  if (series.length) sections.push(`<h2>Round trip against message size</h2><p>Kernel IPC copies a long message twice per round trip; XPC hands the relay segment over and copies nothing.</p>${sizeChart(series, sizes)}`);
  const cmp: string[] = [];
  if (chain.length) cmp.push(`<div><h3>chain-4k: A &rarr; B &rarr; C and back</h3>${barChart([{ label: '4 KiB along a 3-process chain', values: chain.map((w) => ({ mech: w.series, value: w.cycles.median })) }], 'cycles (lower is better)')}</div>`);
  if (apps.length) cmp.push(`<div><h3>Applications</h3>${barChart(apps, 'requests per million cycles (higher is better)')}</div>`);
  if (cmp.length) sections.push(`<h2>Chain and applications</h2><div class="row">${cmp.join('')}</div>`);
  if (rep.sweep) sections.push(`<h2>Sweep: ${esc(rep.sweep.param)}</h2>${sweepChart(rep)}`);
  if (rep.ablations) {
    const pick = (l: { name: string; bytes: number; median: number }[], n: string, b: number) => l.find((p) => p.name === n && p.bytes === b)?.median ?? '';
    const rows = rep.ablations.map((a) => [a.name, a.description, a.results] as const);
    sections.push(`<h2>XPC ablations</h2><table><thead><tr><th>variant</th><th>what is taken away</th><th>call</th><th>round trip, 0 B</th><th>round trip, 4 KiB</th></tr></thead><tbody>${rows.map(([n, d, l]) =>
      `<tr><td>${esc(n)}</td><td>${esc(d)}</td><td class="n">${pick(l, 'call', 0)}</td><td class="n">${pick(l, 'roundtrip', 0)}</td><td class="n">${pick(l, 'roundtrip', 4096)}</td></tr>`).join('')}</tbody></table><p>Cycles (median).</p>`);
  }
  if (present.length > 1) sections.push(`<h2>The mechanisms side by side</h2><p>Median cycles (min&ndash;max) from the client's counters; instructions, the trusted path (kernel code, the mechanism's instructions, the kernel's trampoline page, the protection-key gates) and the memory system's misses and walks from the traced median run.</p>${mechanismTable(rep, present)}`);
  if (rep.mechanisms && Object.keys(rep.mechanisms).length > 0) sections.push(`<h2>What each mechanism changes in the kernel, and what isolation it gives up</h2><p>Each claim names the test program that attacks it; those tests run in CI (docs/mechanisms.md).</p>${isolationTable(rep)}`);
  sections.push(`<h2>All results</h2>${resultTable(rep)}`);
  sections.push(`<h2>Published figures (other hardware and software)</h2><ul>${Object.values(PUBLISHED).map((v) => `<li>${esc(v)}</li>`).join('')}</ul>`);
  sections.push(`<h2>Where we differ, and why</h2><ul>${notes(rep).map((n) => {
    const cut = n.indexOf(': ');
    return cut > 0 && cut < 60 ? `<li><details><summary>${esc(n.slice(0, cut))}</summary>${esc(n.slice(cut + 2))}</details></li>` : `<li>${esc(n)}</li>`;
  }).join('')}</ul>`);
  sections.push(`<h2>Core parameters</h2>${coreTable(rep.core as Record<string, unknown>)}`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>rvx bench ipc</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; } h3 { font-size: 15px; }
svg { max-width: 100%; height: auto; }
svg text { font: 12px system-ui, sans-serif; fill: #222; } svg text.ax { font-size: 11px; fill: #444; } svg text.in { fill: #fff; font-size: 11px; } svg text.sm { font-size: 10px; fill: #333; }
table { border-collapse: collapse; font-size: 12px; } td, th { border: 1px solid #ccc; padding: 3px 6px; } td.n { text-align: right; white-space: nowrap; } td:first-child { white-space: nowrap; } td.ph { font-size: 11px; color: #444; } table.iso td { vertical-align: top; font-size: 12px; } .tests { color: #555; font-size: 11px; margin-top: 3px; }
table.core th { text-align: left; vertical-align: top; } .rng { color: #777; font-size: 11px; } details summary { cursor: pointer; color: #335; }
.row { display: flex; gap: 30px; flex-wrap: wrap; } .meta { color: #555; }
</style></head><body>
<h1>rvx bench ipc: kernel IPC against XPC</h1>
<p class="meta">Revision ${esc(rep.revision)}${rep.dirty ? ' (with uncommitted changes)' : ''}, ${esc(rep.date)}. ${rep.method.runs} measured runs per workload after ${rep.method.warmup} warm-up iterations; cycles between the client's own counter reads, counter overhead subtracted. Core: ${esc(String((rep.core as { name?: string }).name ?? 'ideal'))} (parameters at the end).</p>
${sections.join('\n')}
</body></html>
`;
}
