// GNU ld's --warn-common (ld manual, "Command-line Options"): a warning each time a common symbol meets
// another common or a definition of the same name, in the five cases the manual lists — a common
// overridden by an earlier definition, a definition overriding an earlier common, two commons of the same
// size, a common overriding a smaller earlier one, and one overridden by a larger earlier one. The inputs
// are taken in link order (sources first, then objects and archive members as loaded), as symbols resolve.

import type { Diagnostic } from '../asm/diagnostics.js';
import { E_NUM } from '../asm/expr.js';
import type { LinkUnit } from '../asm/link.js';

export function warnCommon(units: LinkUnit[], diags: Diagnostic[]): void {
  // What each name is so far: the common that holds it (and its size), or a (strong) definition.
  const seen = new Map<string, { common: boolean; size: bigint; file: string }>();
  const warn = (file: string, message: string) => diags.push({ file, line: 0, col: 0, severity: 'warning', message });
  for (const u of units) {
    for (const s of u.symbols.values()) {
      if (!s.global || s.kind === 0 || (s.weak && !s.common)) continue;
      const size = s.common && s.size && s.size.t === E_NUM ? s.size.v : 0n;
      const here = { common: !!s.common, size, file: u.name };
      const prev = seen.get(s.name);
      if (!prev) {
        seen.set(s.name, here);
        continue;
      }
      if (here.common && prev.common) {
        if (size === prev.size) warn(`${u.name} and ${prev.file}`, `multiple common of '${s.name}'`);
        else if (size > prev.size) {
          warn(u.name, `common of '${s.name}' overriding smaller common from ${prev.file}`);
          seen.set(s.name, here);
        } else warn(u.name, `common of '${s.name}' overridden by larger common from ${prev.file}`);
      } else if (here.common) warn(u.name, `common of '${s.name}' overridden by definition from ${prev.file}`);
      else if (prev.common) {
        warn(u.name, `definition of '${s.name}' overriding common from ${prev.file}`);
        seen.set(s.name, here);
      }
    }
  }
}
