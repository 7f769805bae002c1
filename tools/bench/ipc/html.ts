// bench/results/ipc.html: one self-contained page (inline SVG and CSS, no scripts, nothing fetched)
// drawn from the report object: the phase breakdown of a round trip as stacked bars, cycles against
// message size, the chain and application comparisons, and the full table.

import { PHASES } from './run.js';
import { find, notes, PUBLISHED, type IpcReport, type WorkloadResult } from './report.js';

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
  'tlb refill': '#8c564b',
  interrupt: '#333333',
};
const SERIES: Record<string, string> = { kernel: '#e15759', xpc: '#4e79a7', 'kernel-asid': '#f28e2b', 'xpc-asid': '#76b7b2' };

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
  const legendRows = Math.ceil(PHASES.length / 5);
  const H = top + bars.length * (barH + gap) + 30 + legendRows * 20;
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
  PHASES.forEach((p, i) => {
    const lx = left + (i % 5) * 150;
    const ly = axisY + 32 + Math.floor(i / 5) * 20;
    parts.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${COLORS[p]}"/><text x="${lx + 16}" y="${ly}" class="ax">${esc(p)}</text>`);
  });
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="phase breakdown">${parts.join('')}</svg>`;
}

/** Lines: cycles of a round trip against message size, one series per mechanism (and ASID variant). */
function sizeChart(series: { label: string; points: { bytes: number; cycles: number }[] }[], sizes: number[]): string {
  const W = 900, H = 340, left = 70, right = 150, top = 15, bottom = 40;
  const { max, step } = axis(Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.cycles))), 5);
  const sx = (i: number) => left + ((W - left - right) * i) / Math.max(1, sizes.length - 1);
  const sy = (v: number) => top + (H - top - bottom) * (1 - v / max);
  const parts: string[] = [];
  for (let v = 0; v <= max; v += step) {
    parts.push(`<line x1="${left}" y1="${sy(v)}" x2="${W - right}" y2="${sy(v)}" stroke="#ddd"/><text x="${left - 6}" y="${sy(v) + 4}" text-anchor="end" class="ax">${v}</text>`);
  }
  sizes.forEach((b, i) => parts.push(`<text x="${sx(i)}" y="${H - bottom + 18}" text-anchor="middle" class="ax">${b}</text>`));
  parts.push(`<text x="${(left + W - right) / 2}" y="${H - 4}" text-anchor="middle" class="ax">message bytes each way</text>`);
  series.forEach((s, si) => {
    const color = SERIES[s.label] ?? '#555';
    const pts = s.points.map((p) => [sx(sizes.indexOf(p.bytes)), sy(p.cycles)] as const);
    if (pts.length > 0) parts.push(`<path d="${pts.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2.5"/>`);
    s.points.forEach((p, i) => parts.push(`<circle cx="${pts[i][0].toFixed(1)}" cy="${pts[i][1].toFixed(1)}" r="4" fill="${color}"><title>${esc(`${s.label}, ${p.bytes} bytes: ${p.cycles} cycles`)}</title></circle>`));
    parts.push(`<rect x="${W - right + 15}" y="${top + si * 22}" width="14" height="4" fill="${color}"/><text x="${W - right + 35}" y="${top + si * 22 + 6}" class="ax">${esc(s.label)}</text>`);
  });
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="cycles versus message size">${parts.join('')}</svg>`;
}

/** Grouped vertical bars: one group per item, one bar per mechanism. */
function barChart(groups: { label: string; values: { mech: string; value: number }[] }[], unit: string): string {
  const W = 440, H = 280, left = 60, right = 10, top = 34, bottom = 50;
  const { max, step } = axis(1.1 * Math.max(1, ...groups.flatMap((g) => g.values.map((v) => v.value))));
  const gw = (W - left - right) / Math.max(1, groups.length);
  const sy = (v: number) => top + (H - top - bottom) * (1 - v / max);
  const parts: string[] = [];
  for (let v = 0; v <= max; v += step) {
    parts.push(`<line x1="${left}" y1="${sy(v)}" x2="${W - right}" y2="${sy(v)}" stroke="#ddd"/><text x="${left - 6}" y="${sy(v) + 4}" text-anchor="end" class="ax">${v}</text>`);
  }
  groups.forEach((g, gi) => {
    const bw = (gw * 0.7) / Math.max(1, g.values.length);
    g.values.forEach((v, vi) => {
      const x = left + gi * gw + gw * 0.15 + vi * bw;
      const y = sy(v.value);
      parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bw.toFixed(1)}" height="${(sy(0) - y).toFixed(1)}" fill="${SERIES[v.mech] ?? '#555'}"><title>${esc(`${g.label}, ${v.mech}: ${v.value} ${unit}`)}</title></rect>`);
      parts.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle" class="ax">${v.value}</text>`);
      parts.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${H - bottom + 14}" text-anchor="middle" class="ax">${esc(v.mech)}</text>`);
    });
    parts.push(`<text x="${(left + gi * gw + gw / 2).toFixed(1)}" y="${H - bottom + 32}" text-anchor="middle">${esc(g.label)}</text>`);
  });
  parts.push(`<text x="12" y="14" class="ax">${esc(unit)}</text>`);
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(unit)}">${parts.join('')}</svg>`;
}

function resultTable(rep: IpcReport): string {
  const rows = rep.workloads.map((w) => {
    const ph = w.phases ? PHASES.filter((p) => w.phases![p]).map((p) => `${p} ${w.phases![p]}`).join(', ') : '';
    return `<tr><td>${esc(w.name)}</td><td>${esc(w.mech)}</td><td class="n">${w.bytes}</td><td class="n">${w.cycles.median}</td><td class="n">${w.cycles.min}</td><td class="n">${w.cycles.max}</td><td class="n">${w.instructions}</td><td class="n">${w.requestsPerMcycle ?? ''}</td><td class="n">${w.total ?? ''}</td><td class="ph">${esc(ph)}</td></tr>`;
  });
  return `<table><thead><tr><th>workload</th><th>mech</th><th>bytes</th><th>median</th><th>min</th><th>max</th><th>instructions</th><th>requests / Mcycle</th><th>traced total</th><th>phases of the traced run (cycles)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderHtml(rep: IpcReport): string {
  const traced: { label: string; w: WorkloadResult }[] = [];
  for (const [name, suffix] of [['roundtrip', ''], ['roundtrip-asid', ' + ASID']] as const) {
    for (const m of ['kernel', 'xpc'] as const) {
      const w = find(rep, name, m, 0);
      if (w?.phases) traced.push({ label: `${m}${suffix}`, w });
    }
  }
  const oneWay: { label: string; w: WorkloadResult }[] = [];
  for (const name of ['call', 'reply', 'call-asid', 'reply-asid'] as const) {
    for (const m of ['kernel', 'xpc'] as const) {
      const w = find(rep, name, m);
      if (w?.phases) oneWay.push({ label: `${name.replace('-asid', '')} ${m}${name.endsWith('-asid') ? ' + ASID' : ''}`, w });
    }
  }
  const sizes = [...new Set(rep.workloads.filter((w) => w.name === 'roundtrip').map((w) => w.bytes))].sort((a, b) => a - b);
  const series: { label: string; points: { bytes: number; cycles: number }[] }[] = [];
  for (const [name, suffix] of [['roundtrip', ''], ['roundtrip-asid', '-asid']] as const) {
    for (const m of ['kernel', 'xpc'] as const) {
      const pts = rep.workloads.filter((w) => w.name === name && w.mech === m).map((w) => ({ bytes: w.bytes, cycles: w.cycles.median }));
      if (pts.length > 0) series.push({ label: `${m}${suffix}`, points: pts });
    }
  }
  const chain = ['kernel', 'xpc'].map((m) => find(rep, 'chain-4k', m as 'kernel')).filter((w): w is WorkloadResult => !!w);
  const apps = ['kv-app', 'http-app'].map((name) => ({
    label: name,
    values: (['kernel', 'xpc'] as const).map((m) => find(rep, name, m)).filter((w): w is WorkloadResult => !!w?.requestsPerMcycle).map((w) => ({ mech: w.mech, value: w.requestsPerMcycle! })),
  })).filter((g) => g.values.length > 0);
  const core = rep.core as Record<string, unknown>;
  const coreText = Object.entries(core).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k} ${String(v)}`).join(', ');
  const sections: string[] = [];
  if (traced.length) sections.push(`<h2>One 0-byte call/reply round trip, phase by phase</h2><p>The median run of each, traced instruction by instruction; every retired instruction (and every trap) counts in exactly one phase, so the bar is the run's total. TLB-miss stalls after address-space switches are shown as their own phase.</p>${phaseChart(traced)}`);
  if (oneWay.length) sections.push(`<h2>One-way call and reply</h2>${phaseChart(oneWay)}`);
  if (series.length) sections.push(`<h2>Round trip against message size</h2><p>Kernel IPC copies a long message through the IPC buffers twice per round trip; XPC hands the relay segment over (narrowed by the seg-mask) and copies nothing.</p>${sizeChart(series, sizes)}`);
  const cmp: string[] = [];
  if (chain.length) cmp.push(`<div><h3>chain-4k: A &rarr; B &rarr; C and back</h3>${barChart([{ label: '4 KiB along a 3-process chain', values: chain.map((w) => ({ mech: w.mech, value: w.cycles.median })) }], 'cycles (lower is better)')}</div>`);
  if (apps.length) cmp.push(`<div><h3>Applications</h3>${barChart(apps, 'requests per million cycles (higher is better)')}</div>`);
  if (cmp.length) sections.push(`<h2>Chain and applications</h2><div class="row">${cmp.join('')}</div>`);
  sections.push(`<h2>All results</h2>${resultTable(rep)}`);
  sections.push(`<h2>Published figures, for comparison (other hardware)</h2><ul>${Object.entries(PUBLISHED).filter(([k]) => k !== 'source').map(([, v]) => `<li>${esc(v)}</li>`).join('')}</ul><p>Source: ${esc(PUBLISHED.source)}.</p>`);
  sections.push(`<h2>Where we differ, and why</h2><ul>${notes(rep).map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>rvx bench ipc</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; } h3 { font-size: 15px; }
svg text { font: 12px system-ui, sans-serif; fill: #222; } svg text.ax { font-size: 11px; fill: #444; } svg text.in { fill: #fff; font-size: 11px; }
table { border-collapse: collapse; font-size: 12px; } td, th { border: 1px solid #ccc; padding: 3px 6px; } td.n { text-align: right; } td:first-child { white-space: nowrap; } td.ph { font-size: 11px; color: #444; }
.row { display: flex; gap: 30px; flex-wrap: wrap; } .meta { color: #555; }
</style></head><body>
<h1>rvx bench ipc: kernel IPC against XPC</h1>
<p class="meta">Revision ${esc(rep.revision)}${rep.dirty ? ' (with uncommitted changes)' : ''}, ${esc(rep.date)}. ${rep.method.runs} measured runs per workload after ${rep.method.warmup} warm-up iterations; cycles and instructions between the client's own counter reads, counter overhead subtracted; median (min, max). Core: ${esc(coreText)}.</p>
${sections.join('\n')}
</body></html>
`;
}
