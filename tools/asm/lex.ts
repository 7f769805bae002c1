// Character-level reading shared by the assembler's modules: blanks, statement ends, parentheses, block
// comments, register names, and the %hi/%lo split of a value. Everything works on offsets into the line
// text so the hot path allocates nothing.

/** Register names to numbers: x0..x31, ABI names and fp, lower case. */
const REGS = new Map<string, number>();
{
  const abi = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
    's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
  abi.forEach((n, i) => REGS.set(n, i));
  for (let i = 0; i < 32; i++) REGS.set(`x${i}`, i);
  REGS.set('fp', 8);
}

/** Decimal suffix s[a, b) without leading zeros, or -1. */
function regIndex(s: string, a: number, b: number): number {
  if (a >= b || b - a > 2) return -1;
  const d0 = s.charCodeAt(a) - 48;
  if (d0 < 0 || d0 > 9) return -1;
  if (b - a === 1) return d0;
  if (d0 === 0) return -1;
  const d1 = s.charCodeAt(a + 1) - 48;
  if (d1 < 0 || d1 > 9) return -1;
  return d0 * 10 + d1;
}

/** Register named by s[a, b) (x0..x31, ABI names, fp; letters in any case), or -1. No allocation. */
export function parseReg(s: string, a: number, b: number): number {
  const n = b - a;
  if (n < 2 || n > 4) return -1;
  const c0 = s.charCodeAt(a) | 0x20;
  const c1 = s.charCodeAt(a + 1) | 0x20;
  let k: number;
  switch (c0) {
    case 120: // x
      k = regIndex(s, a + 1, b);
      return k >= 0 && k <= 31 ? k : -1;
    case 97: // a
      k = regIndex(s, a + 1, b);
      return k >= 0 && k <= 7 ? 10 + k : -1;
    case 115: // s
      if (n === 2 && c1 === 112) return 2;
      k = regIndex(s, a + 1, b);
      return k < 0 ? -1 : k <= 1 ? 8 + k : k <= 11 ? 16 + k : -1;
    case 116: // t
      if (n === 2 && c1 === 112) return 4;
      k = regIndex(s, a + 1, b);
      return k < 0 ? -1 : k <= 2 ? 5 + k : k <= 6 ? 25 + k : -1;
    case 114: // ra
      return n === 2 && c1 === 97 ? 1 : -1;
    case 103: // gp
      return n === 2 && c1 === 112 ? 3 : -1;
    case 102: // fp
      return n === 2 && c1 === 112 ? 8 : -1;
    case 122: // zero
      return n === 4 && c1 === 101 && (s.charCodeAt(a + 2) | 0x20) === 114 && (s.charCodeAt(a + 3) | 0x20) === 111 ? 0 : -1;
    default:
      return -1;
  }
}

export function regNumber(name: string): number {
  const r = REGS.get(name);
  if (r !== undefined) return r;
  const l = REGS.get(name.toLowerCase());
  return l === undefined ? -1 : l;
}


export function regName(r: number): string {
  return r === 0 ? 'zero' : r === 1 ? 'ra' : r === 2 ? 'sp' : `x${r}`;
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 12 || c === 11;
}

export function skipWs(s: string, p: number, end: number): number {
  while (p < end && isSpace(s.charCodeAt(p))) p++;
  return p;
}

/** End of the statement starting at p: at ';' (more follows) or a '#' comment / end of line. */
export function statementEnd(s: string, p: number, end: number): number {
  for (let i = p; i < end; i++) {
    const c = s.charCodeAt(i);
    // Only ; # // " ' matter.
    if (c > 39 && c !== 59 && c !== 47) continue;
    if (c === 59 || c === 35) return i;
    if (c === 47) {
      if (i + 1 < end && s.charCodeAt(i + 1) === 47) return i; // `//` comment, as llvm-mc accepts
      continue;
    }
    if (c === 34 || c === 39) i = literalEnd(s, i, end);
  }
  return end;
}

/**
 * The index of the last character of the string ("...", with backslash escapes) or character literal
 * ('x', '\x', or GNU's unterminated 'x) that starts at s[i]; end - 1 for a string that runs to the end.
 */
export function literalEnd(s: string, i: number, end: number): number {
  if (s.charCodeAt(i) === 34) {
    i++;
    while (i < end && s.charCodeAt(i) !== 34) {
      if (s.charCodeAt(i) === 92) i++;
      i++;
    }
  } else {
    if (i + 1 < end && s.charCodeAt(i + 1) === 92) i += 2;
    else i += 1;
    if (i + 1 < end && s.charCodeAt(i + 1) === 39) i++;
  }
  return i >= end ? end - 1 : i;
}

/** s[p] ends a statement (';', '#', '//', or p at the end), for p outside any string. */
export function atStatementEnd(s: string, p: number, end: number): boolean {
  if (p >= end) return true;
  const c = s.charCodeAt(p);
  return c === 59 || c === 35 || (c === 47 && p + 1 < end && s.charCodeAt(p + 1) === 47);
}

export function matchParen(s: string, open: number, end: number): number {
  let depth = 0;
  for (let i = open; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return i;
  }
  return -1;
}

export function matchParenBack(s: string, start: number, close: number): number {
  let depth = 0;
  for (let i = close; i >= start; i--) {
    const c = s.charCodeAt(i);
    if (c === 41) depth++;
    else if (c === 40 && --depth === 0) return i;
  }
  return -1;
}

/** Replace block comments by spaces, keeping newlines (so line numbers stay right). */
export function stripBlockComments(text: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i++;
      while (i < n && text.charCodeAt(i) !== 34 && text.charCodeAt(i) !== 10) {
        if (text.charCodeAt(i) === 92) i++;
        i++;
      }
      i++;
    } else if (c === 35) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      const stop = close < 0 ? n : close + 2;
      out += text.slice(last, i) + text.slice(i, stop).replace(/[^\n]/g, ' ');
      last = stop;
      i = stop;
    } else i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

export function toNumber(v: bigint): number {
  if (v > 0xffffffffffffn || v < -0xffffffffffffn) return v < 0n ? -0x1000000000000 : 0x1000000000000;
  return Number(v);
}

export function hi20(v: bigint): number {
  return Number(BigInt.asUintN(20, (v + 0x800n) >> 12n));
}

export function lo12(v: bigint): number {
  return Number(BigInt.asIntN(12, v));
}
