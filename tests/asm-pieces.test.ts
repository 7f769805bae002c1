// A source given as a stream over its bytes (SourceFile.stream, what `rvx asm` passes for its input files) is
// read a piece of whole lines at a time (tools/asm/source.ts SourceReader). It must assemble exactly as the
// same text does: the same image, listing and diagnostics with the same line numbers, whatever falls on a
// piece's edge, and the same when a later piece turns out to hold UTF-8 or a block comment.

import { describe, expect, it } from 'vitest';
import { assemble, assembleObject, formatDiagnostic } from '../tools/asm/index.js';
import { bytesStream } from '../tools/asm/source.js';

/** A large source with labels, branches, strings, line markers, CRLF or LF, and one line over 32 KB. */
function program(lines: number, eol: string, extra: (i: number) => string | null = () => null): string {
  const out = ['.text', '.globl _start', '_start:'];
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  let last = '_start';
  for (let i = 0; i < lines; i++) {
    const x = extra(i);
    if (x !== null) out.push(x);
    switch (rnd(6)) {
      case 0: out.push(`L${i}:`); last = `L${i}`; break;
      case 1: out.push(`  addi a0, a0, ${i % 100}  # note`); break;
      case 2: out.push(`  beqz a1, ${last}`); break;
      case 3: out.push(`  .ascii "${'x'.repeat(rnd(120))}" ; .balign 2`); break;
      case 4: out.push(`# ${i + 1} "gen.c"`); break;
      default: out.push('  nop ; nop'); break;
    }
    if (i === lines >> 1) out.push(`  nop # ${'y'.repeat(40000)}`);
  }
  out.push('  ret');
  return out.join(eol);
}

function both(text: string): { fromText: ReturnType<typeof assemble>; fromBytes: ReturnType<typeof assemble> } {
  return {
    fromText: assemble([{ name: 'p.s', text }], { listing: true }),
    fromBytes: assemble([{ name: 'p.s', text: '', stream: bytesStream(Buffer.from(text, 'latin1')) }], { listing: true }),
  };
}

describe('sources read a piece at a time', () => {
  for (const [what, eol, end] of [['LF, final newline', '\n', '\n'], ['CRLF, no final newline', '\r\n', '']] as const) {
    it(`assemble as the same text does (${what})`, () => {
      const { fromText, fromBytes } = both(program(30000, eol) + end);
      expect(fromText.ok).toBe(true);
      expect(fromBytes.ok).toBe(true);
      expect(Buffer.from(fromBytes.elf()).equals(Buffer.from(fromText.elf()))).toBe(true);
      expect(fromBytes.listing).toEqual(fromText.listing);
    });
  }
  it('report errors on the same lines and columns', () => {
    const text = program(30000, '\n', (i) => (i % 7919 === 7918 ? '  frob a0, a1' : i === 20000 ? '  addi a0, a0' : null)) + '\n';
    const { fromText, fromBytes } = both(text);
    const messages = (r: ReturnType<typeof assemble>) => r.diagnostics.map(formatDiagnostic);
    expect(messages(fromText).length).toBeGreaterThan(3);
    expect(messages(fromBytes)).toEqual(messages(fromText));
  });
  it('read a file with a block comment as one text', () => {
    const text = program(5000, '\n', (i) => (i === 2500 ? '  /* a comment\n over lines */ nop' : null)) + '\n';
    const { fromText, fromBytes } = both(text);
    expect(fromBytes.ok).toBe(true);
    expect(Buffer.from(fromBytes.elf()).equals(Buffer.from(fromText.elf()))).toBe(true);
  });
  it('decode UTF-8 and block comments met in a later piece as the whole text would be', () => {
    for (const late of ['  .ascii "h\u00e9llo \u2013 \u{1f600}"  # \u00fcn\u00efcode', '  /* a comment\n over \u00e9 lines */ nop', '  .ascii "a\\\n /* in a string" ; nop']) {
      const text = program(6000, '\n', (i) => (i === 4000 ? late : null)) + '\n';
      const fromText = assemble([{ name: 'p.s', text }], { listing: true });
      const fromBytes = assemble([{ name: 'p.s', text: '', stream: bytesStream(Buffer.from(text, 'utf8')) }], { listing: true });
      expect(fromBytes.diagnostics.map(formatDiagnostic)).toEqual(fromText.diagnostics.map(formatDiagnostic));
      expect(fromBytes.ok).toBe(fromText.ok);
      if (fromText.ok) expect(Buffer.from(fromBytes.elf()).equals(Buffer.from(fromText.elf()))).toBe(true);
      expect(fromBytes.listing).toEqual(fromText.listing);
    }
  });
  it('drop a UTF-8 byte-order mark at the start, as a decoded file has none', () => {
    const text = program(3000, '\n') + '\n';
    const fromText = assemble([{ name: 'p.s', text }], {});
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'latin1')]);
    const fromBytes = assemble([{ name: 'p.s', text: '', stream: bytesStream(withBom) }], {});
    expect(fromBytes.ok).toBe(true);
    expect(Buffer.from(fromBytes.elf()).equals(Buffer.from(fromText.elf()))).toBe(true);
  });
  it('take short reads, an empty file and a file ending on a piece edge in their stride', () => {
    const text = program(8000, '\n') + '\n';
    const bytes = Buffer.from(text, 'latin1');
    // A stream that hands out at most 777 bytes a call, as a pipe might.
    const dribble = { read: (into: Uint8Array, offset: number, length: number, position: number) => bytesStream(bytes).read(into, offset, Math.min(length, 777), position) };
    const fromText = assemble([{ name: 'p.s', text }], { listing: true });
    const fromBytes = assemble([{ name: 'p.s', text: '', stream: dribble }], { listing: true });
    expect(Buffer.from(fromBytes.elf()).equals(Buffer.from(fromText.elf()))).toBe(true);
    expect(fromBytes.listing).toEqual(fromText.listing);
    // Exactly one piece's worth of lines (32 KB), then the end.
    const edge = 'nop\n'.repeat(8192);
    const a = assemble([{ name: 'e.s', text: edge }], { listing: true });
    const b = assemble([{ name: 'e.s', text: '', stream: bytesStream(Buffer.from(edge, 'latin1')) }], { listing: true });
    expect(b.listing).toEqual(a.listing);
    expect(Buffer.from(b.elf()).equals(Buffer.from(a.elf()))).toBe(true);
    for (const t of ['', '\n', 'nop', 'x:']) {
      const e1 = assemble([{ name: 'z.s', text: t }], { listing: true });
      const e2 = assemble([{ name: 'z.s', text: '', stream: bytesStream(Buffer.from(t, 'latin1')) }], { listing: true });
      expect(e2.diagnostics.map(formatDiagnostic)).toEqual(e1.diagnostics.map(formatDiagnostic));
      expect(e2.listing).toEqual(e1.listing);
    }
  });
  it('write the same object with -c', () => {
    const text = program(20000, '\n') + '\n';
    const a = assembleObject({ name: 'p.s', text });
    const b = assembleObject({ name: 'p.s', text: '', stream: bytesStream(Buffer.from(text, 'latin1')) });
    expect(b.ok).toBe(true);
    expect(Buffer.from(b.bytes).equals(Buffer.from(a.bytes))).toBe(true);
  });
});
