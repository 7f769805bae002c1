// Test helper for the Rocket RTL calibration (docs/cycle-model.md, "Calibration"): assemble a program
// with rvx's assembler and measure, on the rocket model, the window the RTL harness reports as
// prog_cycles: from the first instruction at the ELF entry up to (not including) the first store to
// tohost.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Machine } from '../../emulator/machine.js';
import { createCoreModel, type CoreSpec } from '../../emulator/timing/index.js';
import { MEM_STORE } from '../../emulator/types.js';
import { assemble, formatDiagnostic } from '../../tools/asm/index.js';
import { toLoadable } from '../../tools/load.js';

export interface Window {
  cycles: number;
  instructions: number;
}

export function assembleFile(path: string, includeDirs: string[] = []) {
  const r = assemble([{ name: path, text: readFileSync(path, 'utf8') }], {
    include: (file) => {
      for (const d of [dirname(path), ...includeDirs]) {
        try {
          return { name: join(d, file), text: readFileSync(join(d, file), 'utf8') };
        } catch {
          // next directory
        }
      }
      return null;
    },
  });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
  return toLoadable(r.image);
}

export function modelWindow(path: string, core: CoreSpec = 'rocket', includeDirs: string[] = []): Window {
  const program = assembleFile(path, includeDirs);
  const m = new Machine({ stdout: () => {} });
  m.load(program);
  const model = createCoreModel(core, m);
  const obs = model.observer!;
  let started = -1;
  let done = -1;
  let total = 0;
  let insts = 0;
  const res = m.run(5_000_000, (rec) => {
    if (started < 0 && rec.pc === program.entry) started = total;
    if (done < 0 && rec.memKind === MEM_STORE && rec.memPaddr === program.tohost) done = total - started;
    const c = obs(rec);
    total += c;
    if (started >= 0 && done < 0 && !rec.trapped) insts++;
    return c;
  });
  if (res.reason !== 'exit' || done < 0) throw new Error(`${path}: ${JSON.stringify(res)}`);
  return { cycles: done, instructions: insts };
}
