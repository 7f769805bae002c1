// The kernel's invariants, checked on the machine after a run (tests/kernel-fuzz.test.ts and
// `npm run fuzz:kernel`): what docs/kernel.md's "Security model" claims, in terms of memory.
//
// - the run ended the documented way (halt, exit code 0), never a panic, an exhaustion stop or a hang;
// - kernel text and strings are the image's bytes; the kernel mappings in every root table are the
//   kernel's own, and nothing is mapped in the upper half;
// - no page a process can reach (a user leaf PTE, a relay segment in any seg-list or TCB) is a page the
//   kernel keeps for itself (page tables, XPC pages, link stacks, the kernel image) or a free page;
// - the free list holds distinct pool pages;
// - every valid x-entry belongs to a live process, and every xcall capability a live process holds
//   names a valid entry (revocation);
// - the survivors finished their work (the live ones' program text is still the image's), and no hostile
//   process saw an undocumented result.

import { readElf } from '../tools/elf/read.js';
import * as L from '../kernel-images/layout.js';
import type { BootResult } from '../kernel-images/boot.js';
import type { KernelImage } from '../kernel-images/image.js';
import { BAD_RESULT, SURVIVOR_ROUNDS, XSURVIVOR_CALLS } from '../kernel-images/systems/adversary.js';

const PAGE = 4096;
/** The page an address lies in (no 32-bit bitwise operators: addresses are above 2^31). */
const pageOf = (a: number) => Math.floor(a / PAGE) * PAGE;
const RAM_END_DEFAULT = L.RAM_BASE + 32 * 1024 * 1024;

export function checkInvariants(r: BootResult & { image: KernelImage }, ramEnd = RAM_END_DEFAULT): string[] {
  const bad: string[] = [];
  const out = r.console;
  const m = r.machine;
  const sym = (n: string) => {
    const v = r.image.symbols.get(n);
    if (v === undefined) throw new Error(`no symbol ${n}`);
    return v;
  };
  const rd = (pa: number): bigint => m.readPhys64(pa) ?? 0n;
  const num = (pa: number) => Number(rd(pa));

  if (r.result.reason !== 'exit' || r.result.code !== 0) bad.push(`run ended with ${JSON.stringify(r.result)}`);
  if (out.includes('PANIC')) bad.push('kernel panic');
  if (!out.includes('[kernel] halt: nothing runnable;')) bad.push('no halt line');
  if (!out.includes(`survivor: round trips ${SURVIVOR_ROUNDS}, errors 0\n`)) bad.push('survivor did not finish its round trips');
  if (!/\[kernel\] survivor \(pid \d+\) exited with code 0\n/.test(out)) bad.push('survivor did not exit with 0');
  if (!out.includes(`xsurvivor: ${XSURVIVOR_CALLS} xcalls ok\n`)) bad.push('xsurvivor did not finish its xcalls');
  if (!out.includes('sentinel: ok\n')) bad.push('sentinel: its registers or XPC registers changed across a switch (or it did not finish)');
  const ends = new Map<string, number>();
  for (const [, name] of out.matchAll(/\[kernel\] killed (\S+) \(pid/g)) ends.set(name, (ends.get(name) ?? 0) + 1);
  for (const [, name] of out.matchAll(/\[kernel\] (\S+) \(pid \d+\) exited/g)) ends.set(name, (ends.get(name) ?? 0) + 1);
  for (const [name, n] of ends) if (n > 1) bad.push(`${name} died ${n} times`);
  const badExit = new RegExp(`\\[kernel\\] (\\S+) \\(pid \\d+\\) exited with code ${BAD_RESULT}\\n`).exec(out);
  if (badExit) bad.push(`${badExit[1]} saw an undocumented system-call result`);

  // Kernel text and strings: the image's bytes.
  const elf = readElf(r.image.elf);
  const text = elf.sections.find((s) => s.name === '.text')!;
  const textEnd = sym('str_banner');
  const inRam = m.readPhys(Number(text.addr), textEnd - Number(text.addr));
  const inElf = text.data.subarray(0, textEnd - Number(text.addr));
  if (Buffer.compare(Buffer.from(inRam), Buffer.from(inElf)) !== 0) bad.push('kernel text changed');

  const kroot = sym('kernel_root');
  const kernelEnd = sym('_end');
  const kernelPages = new Set<number>(); // pool pages the kernel keeps: page tables, XPC pages, link stacks
  const userPages = new Map<number, string>(); // pages reachable from user mode, and by whom
  const T = L.Tcb.off;
  const tcbs = sym('tcbs');
  const live: number[] = [];
  for (let i = 0; i < L.MAX_PROCS; i++) {
    const t = tcbs + i * L.Tcb.size;
    const root = num(t + T.root);
    if (root === 0) continue;
    const dead = rd(t + T.proc_dead) !== 0n || rd(t + T.state) === BigInt(L.TS.DEAD);
    if (!dead) live.push(t);
    kernelPages.add(root);
    const xcap = num(t + T.home_xcap);
    if (xcap) kernelPages.add(pageOf(xcap));
    const link = num(t + T.link_base);
    if (link) kernelPages.add(pageOf(link));
    for (let k = 0; k < 512; k++) {
      const pte = rd(root + 8 * k);
      if (k === 2 || k === 3) {
        if (pte !== rd(kroot + 8 * k)) bad.push(`pid ${i}: root entry ${k} is not the kernel's`);
        continue;
      }
      if (k >= 256) {
        if (pte !== 0n) bad.push(`pid ${i}: upper-half root entry ${k} set`);
        continue;
      }
      if ((pte & 1n) === 0n) continue;
      if ((pte & 0xen) !== 0n) {
        bad.push(`pid ${i}: a gigapage in the user half (root entry ${k})`);
        continue;
      }
      const l1 = Number((pte >> 10n) << 12n);
      kernelPages.add(l1);
      for (let j = 0; j < 512; j++) {
        const p1 = rd(l1 + 8 * j);
        if ((p1 & 1n) === 0n) continue;
        if ((p1 & 0xen) !== 0n) {
          bad.push(`pid ${i}: a megapage in the user half`);
          continue;
        }
        const l0 = Number((p1 >> 10n) << 12n);
        kernelPages.add(l0);
        if (dead) continue; // a dead process's remaining user pages are unreachable
        for (let q = 0; q < 512; q++) {
          const p0 = rd(l0 + 8 * q);
          if ((p0 & 1n) === 0n || (p0 & 0x10n) === 0n) continue;
          userPages.set(Number((p0 >> 10n) << 12n), `pid ${i} va 0x${((k * 512 + j) * 512 + q).toString(16)}000`);
        }
      }
    }
    // Relay segments it can reach: its seg-list and its saved segment.
    const seglist = num(t + T.home_seglist);
    const segs: [number, number][] = [];
    for (let e = 0; seglist && e < L.SEGLIST_ENTRIES; e++) {
      const s = seglist + e * L.SegEntry.size;
      if ((rd(s + L.SegEntry.off.perm) & 4n) !== 0n) segs.push([num(s + L.SegEntry.off.pa), num(s + L.SegEntry.off.len)]);
      const va = num(s + L.SegEntry.off.va);
      const len = rd(s + L.SegEntry.off.len);
      if ((rd(s + L.SegEntry.off.perm) & 4n) !== 0n && (va < L.USER_RELAY_MIN || BigInt(va) + len > BigInt(L.USER_RELAY_MAX))) {
        bad.push(`pid ${i}: seg-list entry ${e} outside the relay window`);
      }
    }
    if (!dead && rd(t + T.seg_len) !== 0n) segs.push([num(t + T.seg_pa), num(t + T.seg_len)]);
    for (const [pa, len] of segs) {
      if (len > ramEnd - L.RAM_BASE) {
        bad.push(`pid ${i}: a relay segment of ${len} bytes`);
        continue;
      }
      for (let p = pageOf(pa); p < pa + len; p += PAGE) userPages.set(p, `pid ${i} relay segment`);
    }
  }
  for (const [p, who] of userPages) {
    if (p < kernelEnd) bad.push(`${who} reaches kernel image page 0x${p.toString(16)}`);
    if (kernelPages.has(p)) bad.push(`${who} reaches kernel page 0x${p.toString(16)}`);
  }

  // The free list: distinct, page-aligned pool pages that nobody can reach.
  const seen = new Set<number>();
  for (let p = num(sym('free_list')); p !== 0; p = num(p)) {
    if (seen.has(p)) {
      bad.push('free list has a cycle');
      break;
    }
    seen.add(p);
    if (p % PAGE !== 0 || p < kernelEnd || p >= ramEnd) bad.push(`free list page 0x${p.toString(16)} outside the pool`);
    if (kernelPages.has(p)) bad.push(`free list page 0x${p.toString(16)} is a kernel page`);
    if (userPages.has(p)) bad.push(`free list page 0x${p.toString(16)} is reachable: ${userPages.get(p)}`);
    if (seen.size > 10000) break;
  }
  const allocNext = num(sym('alloc_next'));
  if (allocNext < kernelEnd || allocNext > ramEnd) bad.push(`alloc_next 0x${allocNext.toString(16)} outside the pool`);

  // The live survivors' program text is the image's (nobody else wrote to it).
  const walk = (root: number, va: number): number | null => {
    let table = root;
    for (const shift of [30, 21, 12]) {
      const pte = rd(table + 8 * (Math.floor(va / 2 ** shift) % 512));
      if ((pte & 1n) === 0n) return null;
      table = Number((pte >> 10n) << 12n);
      if ((pte & 0xen) !== 0n) return shift === 12 ? table + (va % PAGE) : null;
    }
    return null;
  };
  r.image.programs.forEach((prog, pid) => {
    if (!['server', 'good', 'sentinel'].includes(prog.name)) return;
    const t = tcbs + pid * L.Tcb.size;
    if (rd(t + T.proc_dead) !== 0n || rd(t + T.state) === BigInt(L.TS.DEAD)) return;
    const textEnd = (prog.symbols.get('_udata') ?? L.USER_BASE) - L.USER_BASE;
    for (let off = 0; off < textEnd; off += PAGE) {
      const pa = walk(num(t + T.root), L.USER_BASE + off);
      const n = Math.min(PAGE, textEnd - off);
      if (pa === null || Buffer.compare(Buffer.from(m.readPhys(pa, n)), Buffer.from(prog.bytes.subarray(off, off + n))) !== 0) {
        bad.push(`${prog.name}: its program text changed (page ${off / PAGE})`);
      }
    }
  });

  // Revocation: valid entries belong to live processes; live bitmaps name valid entries only.
  const xt = sym('xentry_table');
  const X = L.XEntry.off;
  const valid = new Set<number>();
  for (let id = 0; id < L.MAX_XENTRIES; id++) {
    const e = xt + id * L.XEntry.size;
    if ((rd(e + X.flags) & 1n) === 0n) continue;
    valid.add(id);
    const owner = num(e + X.owner);
    if (!live.includes(owner)) bad.push(`x-entry ${id} is valid but its owner is dead`);
  }
  for (const t of live) {
    const xcap = num(t + T.home_xcap);
    for (let id = 0; id < L.MAX_XENTRIES; id++) {
      const bit = (m.readPhys(xcap + (id >> 3), 1)[0] >> (id & 7)) & 1;
      if (bit && !valid.has(id)) bad.push(`pid ${(t - tcbs) / L.Tcb.size} holds a grant of invalid x-entry ${id}`);
    }
  }
  return bad;
}
