// The instruction table in the form tools/build.mjs embeds in the bundles: isa/instructions.ts bundled on its
// own and run here, its rows computed as every unbundled run computes them (computeInstructions) and put in
// TableData form (tableData), as JSON text. The bundles parse that at start (tableFromData) instead of
// parsing the rows' syntax and fixed fields again in every process; the rows stay the one source, and
// tests/isa-table.test.ts checks that what this gives back is the computed table. The same for the compressed
// rows' expansions (isa/codec.ts planData and plansFromData).
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The JSON text of tableData(computeInstructions()), from the isa/ sources as they are now. */
export async function isaTableJson() {
  const out = await build({ entryPoints: [fileURLToPath(new URL('../isa/instructions.ts', import.meta.url))], bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', write: false });
  const mod = { exports: {} };
  new Function('module', 'exports', out.outputFiles[0].text)(mod, mod.exports);
  const { tableData, computeInstructions } = mod.exports;
  return JSON.stringify(tableData(computeInstructions()));
}

/** The JSON text of isa/codec.ts planData() (each compressed row's expansion), computed from the rows. */
export async function isaPlansJson() {
  const out = await build({ entryPoints: [fileURLToPath(new URL('../isa/codec.ts', import.meta.url))], bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', write: false });
  const mod = { exports: {} };
  new Function('module', 'exports', out.outputFiles[0].text)(mod, mod.exports);
  return JSON.stringify(mod.exports.planData());
}
