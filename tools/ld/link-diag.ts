// Link-time diagnostics (tools/asm/link.ts and the linker modules it drives): an undefined symbol is reported
// once per link, at its first reference.

import type { Diagnostic } from '../asm/diagnostics.js';
import type { Loc } from '../asm/expr.js';

/** Undefined symbols already reported, per diagnostics list: each is reported once, at its first reference. */
const reportedUndefined = new WeakMap<Diagnostic[], Set<string>>();

export function addDiag(diags: Diagnostic[], loc: Loc | null, message: string, severity: 'error' | 'warning' = 'error'): void {
  if (message.startsWith('undefined symbol ')) {
    let seen = reportedUndefined.get(diags);
    if (!seen) reportedUndefined.set(diags, (seen = new Set()));
    if (seen.has(message)) return;
    seen.add(message);
  }
  diags.push({
    file: loc?.file ?? '<link>',
    line: loc?.line ?? 0,
    col: loc?.col ?? 0,
    severity,
    message: loc?.note ? `${message} (${loc.note})` : message,
  });
}
