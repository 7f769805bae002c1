// STT_TLS symbols in a linked image: the file's .symtab holds their offset in the TLS template (the PT_TLS
// segment), as GNU ld writes it; tools/elf/read.ts gives them back as their template address, so rvx's own
// users of symbols (trace/profile symbolization, name lookup) see the same values as before. The comparison
// with GNU ld's .symtab is in tests/ld-diff.test.ts (the tls program).

import { describe, expect, it } from 'vitest';
import { assemble } from '../tools/asm/index.js';
import { readElf } from '../tools/elf/read.js';
import { SymbolTable } from '../tools/trace/symbols.js';

const SRC = `	.text
	.globl _start
	.type _start, @function
_start:
	lui a0, %tprel_hi(counter)
	add a0, a0, tp, %tprel_add(counter)
	lw a1, %tprel_lo(counter)(a0)
	ret
	.size _start, . - _start
	.section .tdata,"awT",@progbits
	.p2align 3
	.globl first
	.type first, @object
first:	.dword 7
	.size first, 8
	.type counter, @object
counter:	.word 5
	.size counter, 4
	.section .tbss,"awT",@nobits
	.p2align 3
	.globl zeroed
zeroed:	.zero 16
	.data
	.globl plain
plain:	.word 1
`;

/** The raw .symtab entries: name -> [info, value]. */
function rawSymbols(elf: Uint8Array): Map<string, [number, bigint]> {
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const shoff = Number(dv.getBigUint64(40, true));
  const shnum = dv.getUint16(60, true);
  const sh = (i: number) => shoff + 64 * i;
  const out = new Map<string, [number, bigint]>();
  for (let i = 0; i < shnum; i++) {
    if (dv.getUint32(sh(i) + 4, true) !== 2) continue; // SHT_SYMTAB
    const off = Number(dv.getBigUint64(sh(i) + 24, true));
    const size = Number(dv.getBigUint64(sh(i) + 32, true));
    const str = Number(dv.getBigUint64(sh(dv.getUint32(sh(i) + 40, true)) + 24, true));
    for (let p = off + 24; p < off + size; p += 24) {
      let e = str + dv.getUint32(p, true);
      let name = '';
      while (elf[e]) name += String.fromCharCode(elf[e++]);
      out.set(name, [elf[p + 4], dv.getBigUint64(p + 8, true)]);
    }
  }
  return out;
}

describe('TLS symbols in linked images', () => {
  const r = assemble([{ name: 'tls.s', text: SRC }], { entry: '_start' });
  it('links', () => expect(r.diagnostics).toEqual([]));

  it('.symtab: STT_TLS with the offset in the TLS template (GNU ld)', () => {
    const raw = rawSymbols(r.elf());
    const tdata = r.image.sections.find((s) => s.name === '.tdata')!;
    expect(r.image.tls!.vaddr).toBe(tdata.addr);
    expect(raw.get('first')).toEqual([0x16, 0n]); // GLOBAL, STT_TLS
    expect(raw.get('counter')).toEqual([0x06, 8n]); // LOCAL, STT_TLS
    expect(raw.get('zeroed')).toEqual([0x16, 16n]); // .tbss after .tdata's 12 bytes, 8-aligned
    expect(raw.get('plain')![1]).toBe(r.symbols.get('plain')); // others keep their address
    expect(raw.get('_start')).toEqual([0x12, r.symbols.get('_start')]);
  });

  it('readElf gives the template address back, and the trace symbol table is unchanged', () => {
    const img = readElf(r.elf());
    const tls = img.tls!;
    expect(tls).toEqual(r.image.tls);
    const byName = new Map(img.symbols.map((s) => [s.name, s]));
    expect(byName.get('first')).toMatchObject({ type: 'tls', value: tls.vaddr, section: '.tdata' });
    expect(byName.get('zeroed')).toMatchObject({ type: 'tls', value: tls.vaddr + 16n, section: '.tbss' });
    const table = new SymbolTable(img.symbols);
    expect(table.lookup('counter')).toBe(Number(tls.vaddr + 8n));
    // Code symbolization: only code symbols, and a TLS offset (0, 8, 16) never names a low address.
    const names = table.ranges.map((x) => x.name);
    expect(names).toContain('_start');
    for (const t of ['first', 'counter', 'zeroed']) expect(names).not.toContain(t);
    expect(table.indexOf(0)).toBe(-1);
    expect(table.indexOf(8)).toBe(-1);
  });
});
