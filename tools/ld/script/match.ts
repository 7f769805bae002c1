// Linker scripts: matching input sections to descriptions (ld's wildcards, file patterns with archive
// members, the SORT keys) and the small helpers placement shares (tools/ld/script/layout.ts).

import { SHF_ALLOC, SHF_EXECINSTR, SHF_TLS, SHF_WRITE, SHT_NOBITS } from '../../elf/model.js';
import type { InputSection } from '../../asm/section.js';
import type { SortKind } from './parse.js';

const globCache = new Map<string, RegExp>();
/** ld's wildcards (fnmatch): `*`, `?`, `[chars]`, `[!chars]`/`[^chars]`, `\` quoting. */
export function glob(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (re) return re;
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body[0] === '!' || body[0] === '^') body = '^' + body.slice(1);
        out += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) out += '\\' + pattern[++i];
    else out += c.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  re = new RegExp(out + '$', 's');
  globCache.set(pattern, re);
  return re;
}

const isWild = (p: string) => /[*?[]/.test(p);

/** An input's file as patterns see it: a path, or an archive member `lib.a(member.o)`. */
function fileNames(unitName: string): { file: string; archive: string | null } {
  const m = /^(.*)\(([^()]*)\)$/.exec(unitName);
  return m ? { file: m[2], archive: m[1] } : { file: unitName, archive: null };
}

/** A file pattern matches: `archive:member` forms against archive members, else the file (or member) name. */
export function fileMatches(pattern: string, unitName: string): boolean {
  if (pattern === '*') return true;
  const { file, archive } = fileNames(unitName);
  const colon = pattern.indexOf(':');
  if (colon >= 0 && !/^[A-Za-z]:[\\/]/.test(pattern)) {
    const a = pattern.slice(0, colon);
    const f = pattern.slice(colon + 1);
    if (archive === null) return false;
    return (a === '' || glob(a).test(archive) || glob(a).test(baseName(archive))) && (f === '' || glob(f).test(file));
  }
  const re = glob(pattern);
  if (re.test(file)) return true;
  // ld compares a pattern without a directory with the name as given on the command line, and
  // `*crt0.o`-style patterns are written for that; a plain name also matches the file's last component.
  return !isWild(pattern) && !pattern.includes('/') && baseName(file) === pattern;
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** GNU ld's init priority of `.init_array.N` (N), `.ctors.N` (65535 - N); 65536 for none (after all). */
export function initPriority(name: string): number {
  const m = /^\.(init_array|fini_array|preinit_array|ctors|dtors)\.(\d+)$/.exec(name);
  if (!m) return 65536;
  const n = Number(m[2]);
  return m[1] === 'ctors' || m[1] === 'dtors' ? 65535 - n : n;
}

export function compareBy(kind: SortKind, a: InputSection, b: InputSection): number {
  switch (kind) {
    case 'name':
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    case 'alignment':
      return b.align - a.align;
    case 'init_priority':
      return initPriority(a.name) - initPriority(b.name);
    default:
      return 0;
  }
}

export function alignUp(v: bigint, a: bigint): bigint {
  if (a <= 1n) return v;
  return ((v + a - 1n) / a) * a;
}

/** Output section kind for orphan placement: code, read-only, TLS data, TLS bss, data, bss, non-allocated. */
export function kindOf(type: number, flags: number): number {
  if (!(flags & SHF_ALLOC)) return 6;
  if (flags & SHF_EXECINSTR) return 0;
  if (flags & SHF_TLS) return type === SHT_NOBITS ? 3 : 2;
  if (type === SHT_NOBITS) return 5;
  if (flags & SHF_WRITE) return 4;
  return 1;
}
