// Builds the CLI into dist/, so `npm start` and `rvx` need no TS loader:
//   dist/cli/      one CommonJS bundle per command (cli.ts with that command alone; cli.cjs for help and
//                  --version), so `rvx run` neither reads nor evaluates the assembler, the linker or the
//                  benchmarks; within a bundle esbuild turns each `import()` into a lazy initialiser;
//                  and bench-worker.cjs, the worker thread `rvx bench ipc` runs its images on;
//   dist/rvx.cjs   the launcher and the package's bin (tools/launch.ts): runs the command's bundle through a
//                  V8 code cache;
//   dist/rvx.mjs   the same launcher for `node dist/rvx.mjs ...` (an ES module that loads rvx.cjs);
//   dist/cache/    the code caches, made here by running asm, run, disasm, trace, profile and ld on a small
//                  program (and by any run that finds its cache missing or refused, when dist/ is writable).
// Runs on `npm install` / `npm ci` through the `prepare` script, so `npx rvx` works right after install.
// `node tools/build.mjs [--outdir DIR] [--no-cache]`: the CLI tests build a private copy elsewhere.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { isaPlansJson, isaTableJson } from './isa-table.mjs';

const at = process.argv.indexOf('--outdir');
const outdir = resolve(at > 0 && process.argv[at + 1] ? process.argv[at + 1] : 'dist');
const makeCache = !process.argv.includes('--no-cache');

// What earlier layouts left behind (the ESM chunks), and caches made for an older bundle.
for (const old of ['chunks', 'cache', 'cli', 'cli.cjs', 'cli.cjs.map', 'rvx.mjs.map']) rmSync(join(outdir, old), { recursive: true, force: true });

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };

// The instruction table as the rows compute it (tools/isa-table.mjs), so the bundles need not parse the rows at start.
// The compressed rows' expansions likewise (isa/codec.ts planData), instead of parsing each expansion's text.
const defines = { 'import.meta.url': '__rvx_import_meta.url', RVX_ISA_TABLE: JSON.stringify(await isaTableJson()), RVX_ISA_PLANS: JSON.stringify(await isaPlansJson()) };

// One bundle per command (and 'cli' for help, --version and mistakes): cli.ts with only that command's
// module, the others' `import()` resolved to a stub that is never called (the launcher picks the bundle by
// the command line). A command's bundle is what it runs, so start-up reads and deserializes no more.
const COMMANDS = ['asm', 'ld', 'disasm', 'run', 'trace', 'profile', 'kernel', 'bench', 'demo'];
const onlyCommand = (keep) => ({
  name: 'rvx-only-command',
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/[a-z]+\.js$/ }, (args) => {
      const name = args.path.slice('./commands/'.length, -'.js'.length);
      if (!args.importer.endsWith(join('tools', 'cli.ts')) || !COMMANDS.includes(name) || name === keep) return undefined;
      return { path: name, namespace: 'rvx-absent' };
    });
    b.onLoad({ filter: /.*/, namespace: 'rvx-absent' }, (args) => ({
      contents: `export async function main() { throw new Error("this bundle does not hold 'rvx ${args.path}' (dist/rvx.cjs picks the bundle)"); }`,
      loader: 'js',
    }));
  },
});
/** Node's CommonJS wrapper, so a bundle sees the same five names as under `require` (tools/launch.ts runs it). */
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_TAIL = '\n})';
const bundles = [...COMMANDS, 'cli'];
const hash = createHash('sha256');
for (const name of bundles) {
  const file = join(outdir, 'cli', `${name}.cjs`);
  await build({
    ...common,
    entryPoints: ['tools/cli.ts'],
    outfile: file,
    sourcemap: true,
    plugins: [onlyCommand(name)],
    // ASCII only (esbuild's default, stated because the launcher reads the bundle as latin1).
    charset: 'ascii',
    // No comments (some are not ASCII) or indentation: a smaller file to read and scan; names stay readable.
    minifyWhitespace: true,
    legalComments: 'none',
    // tools/bench/repo.ts finds the repository from its own location. A getter, so the bundles that never
    // ask (asm, ld, disasm, ...) do not make the URL at every start. And the instruction table (above).
    define: defines,
    banner: { js: 'var __rvx_import_meta = { get url() { return require("node:url").pathToFileURL(__filename).href; } };' },
  });
  const bytes = readFileSync(file);
  if (bytes.some((b) => b > 0x7f)) throw new Error(`${file} is not ASCII: tools/launch.ts reads it as latin1`);
  // Written inside Node's CommonJS wrapper, so the launcher compiles the file's text as it reads it: built
  // there, the wrapped source was a concatenation that V8 had to copy into one flat string (a second copy of
  // the whole bundle) before compiling. The wrapper adds nothing to the bundle's first line but the head, and
  // that line is the banner, which the source map does not map.
  const wrapped = Buffer.concat([Buffer.from(WRAP_HEAD, 'latin1'), bytes, Buffer.from(WRAP_TAIL, 'latin1')]);
  writeFileSync(file, wrapped);
  hash.update(wrapped);
}
const buildId = hash.digest('hex').slice(0, 20);

// The worker thread `rvx bench ipc` runs images on (tools/bench/ipc/worker.ts), beside the bench bundle.
await build({
  ...common,
  entryPoints: ['tools/bench/ipc/worker.ts'],
  outfile: join(outdir, 'cli', 'bench-worker.cjs'),
  minifyWhitespace: true,
  legalComments: 'none',
  define: defines,
  banner: { js: 'var __rvx_import_meta = { get url() { return require("node:url").pathToFileURL(__filename).href; } };' },
});

await build({
  ...common,
  entryPoints: ['tools/launch.ts'],
  outfile: join(outdir, 'rvx.cjs'),
  define: { RVX_BUILD_ID: JSON.stringify(buildId) },
  banner: { js: '#!/usr/bin/env node' },
});
writeFileSync(
  join(outdir, 'rvx.mjs'),
  `#!/usr/bin/env node
// \`node dist/rvx.mjs ...\`: the launcher (rvx.cjs, the package's bin) from an ES module.
import { createRequire } from 'node:module';
createRequire(import.meta.url)('./rvx.cjs');
`,
);
// Executables, so `./dist/rvx.mjs` runs directly (npm links the bin with mode 755 as well).
for (const f of ['rvx.cjs', 'rvx.mjs']) chmodSync(join(outdir, f), 0o755);

/** A small program that reaches the assembler's and the machine's common paths. */
const WARM_UP = `# tools/build.mjs: compiles the code the cache holds
        .macro push reg
        addi sp, sp, -8
        sd \\reg, 0(sp)
        .endm
        .equ N, 20
        .text
        .globl _start
_start: li sp, 0x80010000
        li a0, 0
        li a1, N
1:      addi a0, a0, 3
        slli a2, a0, 2
        mul a3, a2, a1
        sw a3, -16(sp)
        ld a4, -16(sp)
        push a4
        addi sp, sp, 8
        beq a0, zero, 2f
        addi a1, a1, -1
        bnez a1, 1b
2:      call done
        j 2b
done:   la t0, tohost
        li t1, 1
        sd t1, 0(t0)
3:      j 3b
        .data
        .balign 8
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
msg:    .asciz "rvx"
table:  .word 1, 2, 3
`;

if (makeCache) {
  // Code caches for the commands that work on one program (bench costs and bench asm measure asm and run):
  // a small program through each. The first use of a command makes its cache too (kernel, demo and bench
  // get theirs that way). Failure here costs speed, not correctness: warn and go on.
  const dir = mkdtempSync(join(tmpdir(), 'rvx-build-'));
  try {
    writeFileSync(join(dir, 'warm.s'), WARM_UP);
    const steps = [
      ['asm', 'warm.s', '-o', 'warm.elf'],
      ['run', 'warm.elf'],
      ['disasm', 'warm.elf'],
      ['trace', 'warm.elf', '-o', 'warm.trace'],
      ['profile', 'warm.elf', '-o', 'warm.prof'],
      ['asm', '-c', 'warm.s', '-o', 'warm.o'],
      ['ld', 'warm.o', '-o', 'warm-ld.elf'],
      ['--version'],
    ];
    for (const argv of steps) {
      const r = spawnSync(process.execPath, [join(outdir, 'rvx.cjs'), ...argv], { cwd: dir, encoding: 'utf8', env: { ...process.env, RVX_CODE_CACHE: '1' } });
      if (r.status !== 0) {
        process.stderr.write(`build: warning: no code cache for 'rvx ${argv[0]}' (${(r.stderr || `status ${r.status}`).trim().split('\n')[0]})\n`);
        break;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
