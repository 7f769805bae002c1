// The built `rvx` (dist bundle, built once here into a private directory) run as a user runs it: a real
// process with pipes, standard input, signals and exit statuses. Pins docs/cli.md: the exit-status
// table, GNU-style command lines on every subcommand, `-` for stdin/stdout, closed pipes, ISA strings,
// inputs that never end, outputs checked before any work.

import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'rvx-cli-'));
const OUT = join(dir, 'dist');
const RVX = join(OUT, 'rvx.cjs');

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the built rvx (the package's bin, by its own shebang, as `./dist/rvx.cjs` runs). Asynchronous, so the test worker stays
 * responsive while the process runs.
 */
function rvxRaw(args: string[], opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(RVX, args, { cwd: opts.cwd ?? dir, stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin.on('error', () => {}); // rvx may exit without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

async function rvx(args: string[], opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  const r = await rvxRaw(args, opts);
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr };
}

const HTIF = `        .section .tohost, "aw", @progbits
        .balign 8
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
`;

/** A program that exits through HTIF with `code` (0 = pass). */
function exitProgram(code: number): string {
  return `        .globl _start
_start: li t0, ${code * 2 + 1}
        la t1, tohost
        sd t0, 0(t1)
1:      j 1b
${HTIF}`;
}

/** Writes "yes\\n" to the UART for ever (and has tohost, so no warning). */
const YES = `        .globl _start
_start: li s0, 0x10000000
1:      la a0, msg
2:      lbu t1, 0(a0)
        beqz t1, 1b
        sb t1, 0(s0)
        addi a0, a0, 1
        j 2b
msg:    .asciz "yes\\n"
${HTIF}`;

const files: Record<string, string> = {};

async function asm(name: string, text: string, extra: string[] = []): Promise<string> {
  const src = join(dir, `${name}.s`);
  writeFileSync(src, text);
  const out = join(dir, `${name}.elf`);
  const r = await rvx(['asm', src, '-o', out, ...extra]);
  if (r.status !== 0) throw new Error(`rvx asm ${name}: ${r.status} ${r.stderr}`);
  return out;
}

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'tools', 'build.mjs'), '--outdir', OUT], { cwd: ROOT });
  files.pass = await asm('pass', exitProgram(0));
  files.fail5 = await asm('fail5', exitProgram(5));
  files.fail300 = await asm('fail300', exitProgram(300));
  files.yes = await asm('yes', YES);
  files.loop = await asm('loop', `        .globl _start\n_start: j _start\n${HTIF}`);
  files.trapLoop = await asm('traploop', `        .globl _start\n_start: la t0, h\n csrw mtvec, t0\nh: .word 0xffffffff\n${HTIF}`);
  files.wfi = await asm('wfi', `        .globl _start\n_start: wfi\n j _start\n${HTIF}`);
}, 120_000);

/** Run `fn` over `items`, three processes at a time. */
async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 3) await Promise.all(items.slice(i, i + 3).map(fn));
}

/** One line on stderr that names `what` and points to --help; nothing on stdout. */
function expectUsage(r: Result, what: string, cmd: string): void {
  expect(r.status, r.stderr).toBe(125);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toContain(what);
  expect(lines[0]).toContain(`rvx ${cmd}`.trim());
  expect(lines[0]).toContain('--help');
}

const SUBCOMMANDS = ['asm', 'disasm', 'run', 'trace', 'profile', 'kernel', 'demo', 'bench', 'bench asm', 'bench mips', 'bench cwork', 'bench costs', 'bench ipc'];

describe('install and first run', () => {
  it('the bundle is executable and its shebang runs it', async () => {
    expect(statSync(RVX).mode & 0o111).not.toBe(0);
    expect(readFileSync(RVX, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect((await rvx(['--help'])).status).toBe(0);
  });
  it('package.json builds the CLI on install (prepare) and names it as the bin', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin.rvx).toBe('dist/rvx.cjs');
    expect(pkg.scripts.prepare).toMatch(/tools\/build\.mjs/);
  });
  it('node dist/rvx.mjs runs the same CLI (an ES module entry)', async () => {
    const mjs = join(OUT, 'rvx.mjs');
    expect(statSync(mjs).mode & 0o111).not.toBe(0);
    const v = spawnSync(process.execPath, [mjs, '--version'], { encoding: 'utf8' });
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^rvx \d+\.\d+\.\d+/);
    expect(spawnSync(mjs, ['run', files.fail5], { encoding: 'utf8' }).status).toBe(5);
  });
});

describe('the code cache (tools/launch.ts)', () => {
  const cacheDir = join(OUT, 'cache');
  const runCache = () => readdirSync(cacheDir).find((f) => f.startsWith('run-') && f.endsWith('.v8'));
  it('every command has its own bundle, which help CMD and CMD --help load', async () => {
    const usage = (await rvx(['--help'])).stdout;
    const names = [...usage.matchAll(/^  ([a-z]+) /gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThanOrEqual(9);
    for (const n of names) expect(existsSync(join(OUT, 'cli', `${n}.cjs`)), n).toBe(true);
    for (const argv of [['help', 'ld'], ['ld', '--help']]) {
      const r = await rvx(argv);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^usage: rvx ld /);
    }
  });
  it('the build leaves caches for asm and run, each headed by the build id', () => {
    const names = readdirSync(cacheDir);
    expect(names.some((f) => f.startsWith('asm-'))).toBe(true);
    const run = runCache();
    expect(run).toBeDefined();
    expect(readFileSync(join(cacheDir, run!), 'latin1')).toMatch(/^rvx-code-cache [0-9a-f]{20} *\n/);
  });
  it('a damaged or foreign cache is ignored and replaced; RVX_CODE_CACHE=0 neither reads nor writes', async () => {
    const file = join(cacheDir, runCache()!);
    const good = readFileSync(file);
    const header = good.subarray(0, good.indexOf(10) + 1);
    // V8 refuses the data (cachedDataRejected): the run is right, and the cache is written again.
    writeFileSync(file, Buffer.concat([header, Buffer.alloc(4096, 0x5a)]));
    let r = await rvx(['run', files.fail5]);
    expect(r.status).toBe(5);
    expect(readFileSync(file).length).toBeGreaterThan(4096 + header.length);
    // Another build's cache (a different id) is not even offered to V8.
    writeFileSync(file, Buffer.concat([Buffer.from('rvx-code-cache 00000000000000000000\n'), good.subarray(header.length)]));
    r = await rvx(['run', files.pass]);
    expect(r.status).toBe(0);
    expect(readFileSync(file).subarray(0, header.length).equals(header)).toBe(true);
    // Off: no cache read (a garbage file stays as it is) and none written.
    writeFileSync(file, 'garbage');
    const off = spawnSync(RVX, ['run', files.pass], { encoding: 'utf8', env: { ...process.env, RVX_CODE_CACHE: '0' } });
    expect(off.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('garbage');
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    r = await rvx(['run', files.pass]);
    expect(r.status).toBe(0);
    expect(readFileSync(file).subarray(0, header.length).equals(header)).toBe(true);
  });
  it('a missing bundle is an incomplete build, said in one line', async () => {
    const bundle = join(OUT, 'cli', 'disasm.cjs');
    renameSync(bundle, `${bundle}.away`);
    try {
      const r = await rvx(['disasm', files.pass]);
      expect(r.status).toBe(120);
      expect(r.stderr).toMatch(/^rvx: cannot read .*disasm\.cjs \(ENOENT\): the build is incomplete; run 'npm run build'\n$/);
    } finally {
      renameSync(`${bundle}.away`, bundle);
    }
  });
  it('a read-only install runs without writing a cache', async (ctx) => {
    if (process.getuid?.() === 0) ctx.skip(); // root writes through any mode bits
    rmSync(cacheDir, { recursive: true, force: true });
    chmodSync(OUT, 0o555);
    try {
      const r = await rvx(['run', files.fail5]);
      expect(r.status).toBe(5);
      expect(r.stderr).toContain('*** FAILED *** with code 5');
    } finally {
      chmodSync(OUT, 0o755);
    }
    expect(existsSync(cacheDir)).toBe(false);
  });
});

describe('--version, --help, usage errors', () => {
  it('--version and -V print the package version on stdout, on the tool and on every subcommand', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const cases = ['', ...SUBCOMMANDS].flatMap((cmd) => (cmd === '' || cmd === 'run' ? ['--version', '-V'] : [cmd.length % 2 ? '--version' : '-V']).map((flag) => ({ cmd, flag })));
    await inBatches(cases, async ({ cmd, flag }) => {
      const r = await rvx([...cmd.split(' ').filter(Boolean), flag]);
      expect(r.status, `${cmd} ${flag}`).toBe(0);
      expect(r.stdout.split('\n')[0], `${cmd} ${flag}`).toBe(`rvx ${version}`);
    });
  });
  it('--help and -h answer on every subcommand, on stdout, without doing the work', async () => {
    // Both spellings on a few commands, one on the rest (each run costs a process start).
    const cases = SUBCOMMANDS.flatMap((cmd) => (['run', 'bench asm'].includes(cmd) ? ['--help', '-h'] : [cmd.length % 2 ? '-h' : '--help']).map((flag) => ({ cmd, flag })));
    await inBatches(cases, async ({ cmd, flag }) => {
      const t0 = Date.now();
      const r = await rvx([...cmd.split(' '), flag]);
      expect(r.status, `${cmd} ${flag}: ${r.stderr}`).toBe(0);
      expect(r.stdout, cmd).toMatch(new RegExp(`^usage: rvx ${cmd}`));
      expect(r.stderr, cmd).toBe('');
      // `rvx bench asm --help` used to run the 15 s benchmark.
      expect(Date.now() - t0, cmd).toBeLessThan(10_000);
      // Help lines fit 100 columns.
      for (const line of r.stdout.split('\n')) expect(line.length, `${cmd}: ${line}`).toBeLessThanOrEqual(100);
      // An option's help is filled as one paragraph: a continued line starts with a word that did not fit
      // on the line before (a line break in the table's text used to leave a line of one word).
      const lines = r.stdout.split('\n');
      const options = lines.indexOf('options:');
      for (let i = options + 2; i < lines.length && lines[i] !== ''; i++) {
        const m = /^( {8,})(\S+)/.exec(lines[i]);
        // (After an option too long to share its line with the help, the help starts on the next line.)
        const headAlone = /^ {2,6}(-\S+, )?--?\S+( \S+)?$/.test(lines[i - 1]);
        if (m && !headAlone) expect(lines[i - 1].length + 1 + m[2].length, `${cmd}: '${lines[i - 1]}' / '${lines[i]}'`).toBeGreaterThan(100);
      }
    });
  });
  it('bare rvx is a usage error on stderr, not the help on stdout', async () => {
    const r = await rvx([]);
    expect(r.status).toBe(125);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^rvx: no command given \(see 'rvx --help'\)\n$/);
    const u = await rvx(['frobnicate']);
    expect(u.status).toBe(125);
    expect(u.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
  it('an unknown flag is refused by every subcommand with one line naming it', async () => {
    await inBatches(SUBCOMMANDS, async (cmd) => {
      const t0 = Date.now();
      expectUsage(await rvx([...cmd.split(' '), '--bogus', files.pass]), "'--bogus'", cmd);
      expect(Date.now() - t0, cmd).toBeLessThan(10_000); // nothing was run
    });
  });
  it('a bad value names the flag and says what is expected, never an internal name', async () => {
    expectUsage(await rvx(['run', '--ram', '4096', files.pass]), "--ram '4096': expected a whole number from 1 to 2047", 'run');
    expect((await rvx(['run', '--ram', '4096', files.pass])).stderr).not.toContain('ramMiB');
    expectUsage(await rvx(['run', '--max-insns', '-1', files.pass]), "--max-insns '-1': expected a whole number, 1 or more", 'run');
    expectUsage(await rvx(['run', '--max-insns', '0', files.pass]), "--max-insns '0'", 'run');
    expectUsage(await rvx(['trace', '--max-insns', '0', files.pass]), "--max-insns '0'", 'trace');
    expectUsage(await rvx(['profile', '--max-insns', '0', files.pass]), "--max-insns '0'", 'profile');
    expectUsage(await rvx(['run', '--max-insn', '5', files.pass]), "did you mean '--max-insns'", 'run');
    expectUsage(await rvx(['run', '--max-insns']), "'--max-insns' needs a value", 'run');
    expectUsage(await rvx(['kernel', 'hello', 'pingpong']), "unexpected argument 'pingpong'", 'kernel');
    expectUsage(await rvx(['run', files.pass, files.pass]), 'unexpected argument', 'run');
  });
});

describe('exit statuses (docs/cli.md)', () => {
  it('0 pass; the guest code as itself up to 119, larger codes as 119', async () => {
    expect(await rvx(['run', files.pass])).toEqual({ status: 0, stdout: '', stderr: '' });
    const f = await rvx(['run', files.fail5]);
    expect(f.status).toBe(5);
    expect(f.stderr).toContain('*** FAILED *** with code 5');
    const big = await rvx(['run', files.fail300]);
    expect(big.status).toBe(119);
    expect(big.stderr).toContain('code 300');
  });
  it('run, trace and profile agree on the guest code and on the limit', async () => {
    for (const cmd of ['run', 'trace', 'profile']) {
      const f = await rvx([cmd, files.fail5]);
      expect(f.status, cmd).toBe(5);
      expect(f.stderr, cmd).toContain(`rvx ${cmd}: ${files.fail5}: *** FAILED *** with code 5`);
      const l = await rvx([cmd, '--max-insns', '100', files.loop]);
      expect(l.status, cmd).toBe(124);
      expect(l.stderr, cmd).toContain('--max-insns 100 reached');
    }
  });
  it('122 trap loop, 123 hart cannot go on, 126 refused input, 127 unreadable input', async () => {
    expect((await rvx(['run', files.trapLoop])).status).toBe(122);
    expect((await rvx(['run', files.wfi])).status).toBe(123);
    const junk = join(dir, 'junk.elf');
    writeFileSync(junk, 'not an ELF');
    for (const cmd of ['run', 'trace', 'profile', 'disasm']) {
      const r = await rvx([cmd, junk]);
      expect(r.status, cmd).toBe(126);
      expect(r.stderr, cmd).toBe(`rvx ${cmd}: ${junk}: not an ELF file\n`);
      expect((await rvx([cmd, join(dir, 'missing.elf')])).status, cmd).toBe(127);
    }
    const bad = join(dir, 'bad.s');
    writeFileSync(bad, 'frob a0\n');
    expect((await rvx(['asm', bad, '-o', join(dir, 'bad.elf')])).status).toBe(126);
    expect((await rvx(['asm', join(dir, 'missing.s'), '-o', join(dir, 'x.elf')])).status).toBe(127);
  });
  it('121: an output that cannot be written is found before any work', async () => {
    const r = await rvx(['asm', join(dir, 'pass.s'), '-o', join(dir, 'no-such-dir', 'x.elf')]);
    expect(r.status).toBe(121);
    expect(r.stderr).toMatch(/^rvx asm: -o .*no-such-dir.*\n$/);
    const k = await rvx(['kernel', 'xpc-chain', '--emit-asm', '/etc/passwd']);
    expect(k.status).toBe(121);
    expect(k.stderr).toBe("rvx kernel: --emit-asm /etc/passwd: exists and is not a directory\n");
    const t0 = Date.now();
    const b = await rvx(['bench', 'ipc', '--out', '/etc/passwd']);
    expect(b.status).toBe(121);
    expect(b.stderr).not.toMatch(/\n\s+at /);
    expect(Date.now() - t0).toBeLessThan(10_000); // refused before the benchmark ran
    expect((await rvx(['run', '--signature', join(dir, 'nope', 'sig'), files.pass])).status).toBe(121);
  });
  it('bench ipc runs its images on worker threads, with the results of running them one after another', async () => {
    const args = ['bench', 'ipc', '--quick', '--mech', 'xpc', '--isolation', 'trusting', '--json', '--out', join(dir, 'ipc-out')];
    const par = await rvx(args, { env: { ...process.env, RVX_BENCH_WORKERS: '2' } });
    const seq = await rvx(args, { env: { ...process.env, RVX_BENCH_WORKERS: '1' } });
    expect(par.status, par.stderr).toBe(0);
    expect(seq.status, seq.stderr).toBe(0);
    const strip = (text: string) => {
      const r = JSON.parse(text) as { date?: string; images: Record<string, { seconds?: number }> };
      delete r.date;
      for (const k of Object.keys(r.images)) delete r.images[k].seconds;
      return r;
    };
    expect(par.stderr).toContain('(2 images on 2 worker threads)');
    expect(seq.stderr).not.toContain('worker threads');
    const a = strip(par.stdout);
    expect(Object.keys(a.images)).toEqual(['xpc', 'xpc-asid']);
    expect(a).toEqual(strip(seq.stdout));
  }, 120_000);
  for (const [signal, status, cmd] of [['SIGINT', 130, 'run'], ['SIGTERM', 143, 'profile']] as const) {
    it(`${status} on ${signal}, with --stats still printed`, async () => {
      // files.yes writes from the start: once its output shows, the run (and its signal handler) is on.
      const child = spawn(RVX, [cmd, '--stats', '--core', 'ideal', files.yes], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      let started: () => void = () => {};
      const running = new Promise<void>((r) => (started = r));
      child.stdout.on('data', () => started());
      child.stderr.on('data', (d) => {
        err += d;
        started();
      });
      await running;
      child.kill(signal);
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(code).toBe(status);
      expect(err).toMatch(/^instructions\s+\d+\n/m);
      expect(err).toContain(`interrupted (${signal})`);
      expect(err).not.toMatch(/\n\s+at /);
    }, 30_000);
  }
});

/** Start rvx with stdout on a pipe, read until `lines` newlines, close the pipe; the exit status. */
async function readThenClose(args: string[], lines = 1): Promise<{ code: number | null; got: string; err: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(RVX, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let got = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d) => {
      got += d;
      if (got.split('\n').length > lines) {
        child.stdout.destroy();
        resolve();
      }
    });
    child.on('exit', () => resolve());
  });
  const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', (c) => r(c))));
  return { code, got, err, ms: Date.now() - t0 };
}

describe('a closed stdout ends the run quietly (status 141)', () => {
  it('a guest writing forever into | head stops', async () => {
    const r = await readThenClose(['run', files.yes]);
    expect(r.got.startsWith('yes\n')).toBe(true);
    expect(r.err).toBe('');
    expect(r.code).toBe(141);
  }, 30_000);
  it('trace | head and kernel | head', async () => {
    const t = await readThenClose(['trace', files.loop]);
    expect(t.err).toBe('');
    expect(t.code).toBe(141);
    // The kernel's whole console may fit in the pipe before the reader goes: then it ends normally.
    const k = await readThenClose(['kernel', 'pingpong']);
    expect(k.err).toBe('');
    expect([0, 141]).toContain(k.code);
  }, 60_000);
});

describe("'-' is standard input or output", () => {
  it('asm - -o - and --listing -; run -, disasm -, trace - read the program from stdin', async () => {
    const src = readFileSync(join(dir, 'fail5.s'));
    const elf = await rvxRaw(['asm', '-', '-o', '-'], { input: src });
    expect(elf.status, String(elf.stderr)).toBe(0);
    expect(elf.stdout.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    const lst = await rvx(['asm', join(dir, 'fail5.s'), '-o', join(dir, 'l.elf'), '--listing', '-']);
    expect(lst.status).toBe(0);
    expect(lst.stdout).toContain('_start');
    const run = await rvx(['run', '-'], { input: elf.stdout });
    expect(run.status).toBe(5);
    const dis = await rvx(['disasm', '-'], { input: elf.stdout });
    expect(dis.status).toBe(0);
    expect(dis.stdout).toContain('<_start>:');
    const tr = await rvx(['trace', '-', '--max', '2'], { input: elf.stdout });
    expect(tr.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect(tr.status).toBe(124);
    expect((await rvx(['asm', '-', '-', '-o', '-'], { input: '' })).status).toBe(125);
  });
  it('asm reads a named pipe once, from the descriptor it opened', async () => {
    // A pipe opened a second time would have lost its writer's bytes (or waited for a writer forever).
    const src = readFileSync(join(dir, 'fail5.s'));
    for (const d of ['fifo', 'plain']) rmSync(join(dir, d), { recursive: true, force: true });
    execFileSync('mkdir', ['-p', join(dir, 'fifo'), join(dir, 'plain')]);
    execFileSync('mkfifo', [join(dir, 'fifo', 'p.s')]);
    writeFileSync(join(dir, 'plain', 'p.s'), src);
    const writer = spawn('sh', ['-c', `cat "${join(dir, 'plain', 'p.s')}" > "${join(dir, 'fifo', 'p.s')}"`]);
    const fromPipe = await rvx(['asm', 'p.s', '-o', join(dir, 'pipe.elf')], { cwd: join(dir, 'fifo') });
    writer.kill();
    expect(fromPipe.status, fromPipe.stderr).toBe(0);
    const fromFile = await rvx(['asm', 'p.s', '-o', join(dir, 'file.elf')], { cwd: join(dir, 'plain') });
    expect(fromFile.status).toBe(0);
    expect(readFileSync(join(dir, 'pipe.elf')).equals(readFileSync(join(dir, 'file.elf')))).toBe(true);
  });
  it('--signature - writes the signature to stdout, and -o - writes a kernel ELF to stdout', async () => {
    const sig = await asm(
      'sig',
      `        .globl _start\n_start: li t0, 1\n la t1, tohost\n sd t0, 0(t1)\n1: j 1b\n .data\n .balign 16\n .globl begin_signature\nbegin_signature: .word 0x11223344\n .globl end_signature\nend_signature:\n${HTIF}`,
    );
    const r = await rvx(['run', '--signature', '-', sig]);
    expect(r).toEqual({ status: 0, stdout: '11223344\n', stderr: '' });
    const k = await rvxRaw(['kernel', 'hello', '-o', '-']);
    expect(k.status).toBe(0);
    expect(k.stdout.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  });
});

describe('limits and filters mean the same in run, trace and profile', () => {
  it('trace --max N prints N lines and stops the machine (124); the filters only choose lines', async () => {
    const r = await rvx(['trace', '--max', '3', files.yes]);
    expect(r.status).toBe(124);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(r.stderr).toContain('--max 3: 3 lines printed');
    const one = await rvx(['trace', '--max', '1', files.fail5]);
    expect(one.stderr).toContain('1 line printed');
    // --to without --from ends the printing, not the program: its code survives.
    const to = await rvx(['trace', '--to', '_start', files.fail5]);
    expect(to.status).toBe(5);
  });
});

describe('ISA strings, one parser for every command', () => {
  it('accepts what Spike and GCC users write, refuses what rvx lacks by name', async () => {
    for (const isa of ['rv64imac_zicsr_zifencei', 'rv64i2p1_m2p0_a2p1_c2p0']) {
      expect((await rvx(['run', '--isa', isa, files.pass])).status, isa).toBe(0);
      expect((await rvx(['asm', join(dir, 'pass.s'), '-o', join(dir, 'm.elf'), '--march', isa])).status, isa).toBe(0);
    }
    for (const cmd of [['run', '--isa'], ['trace', '--isa'], ['profile', '--isa'], ['asm', join(dir, 'pass.s'), '-o', join(dir, 'm.elf'), '--march']]) {
      const r = await rvx([...cmd, 'rv64gcv', files.pass]);
      expect(r.status, cmd[0]).toBe(125);
      expect(r.stderr, cmd[0]).toMatch(/extension V \(vector\) is not implemented/);
    }
    // F and D are implemented: rv64gc (the default) and rv64imafdc name the full machine.
    expect((await rvx(['run', '--isa', 'rv64gc', files.pass])).status).toBe(0);
    expect((await rvx(['trace', '--isa', 'rv64imafdqc', files.pass])).stderr).toContain('extension Q');
    expect((await rvx(['run', '--isa', 'rv64imac_zicond', files.pass])).stderr).toContain('extension Zicond');
    // The bit-manipulation extensions are implemented (off by default, as in Spike).
    expect((await rvx(['run', '--isa', 'rv64gc_zba_zbb_zbc_zbs', files.pass])).status).toBe(0);
  });
});

describe('inputs that never end are refused', () => {
  it('run /dev/zero, .incbin and .include of a device', async () => {
    const t0 = Date.now();
    const r = await rvx(['run', '/dev/zero']);
    expect(r.status).toBe(127);
    expect(r.stderr).toBe('rvx run: /dev/zero: not a regular file (a character device)\n');
    for (const d of ['.incbin "/dev/zero"', '.include "/dev/zero"']) {
      const src = join(dir, 'inf.s');
      writeFileSync(src, `nop\n${d}\n`);
      const a = await rvx(['asm', src, '-o', join(dir, 'inf.elf')]);
      expect(a.status, d).toBe(126);
      expect(a.stderr, d).toMatch(/inf\.s:2:\d+: error: .*\/dev\/zero.*not a regular file/);
    }
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});

describe('the smaller things', () => {
  it('kernel --list: one column of names, descriptions aligned', async () => {
    const r = await rvx(['kernel', '--list']);
    const lines = r.stdout.trimEnd().split('\n');
    const cols = lines.map((l) => /^\S*\s+/.exec(l)![0].length);
    expect(new Set(cols).size).toBe(1);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(100);
    expect(lines.filter((l) => !l.startsWith(' ')).length).toBeGreaterThan(20);
  });
  it('profile --regions accepts mnemonics the disassembler prints, such as ret', async () => {
    const src = `        .globl _start\n_start: call f\n call f\n li t0, 1\n la t1, tohost\n sd t0, 0(t1)\n1: j 1b\nf: addi a0, a0, 1\n ret\n${HTIF}`;
    const elf = await asm('calls', src);
    const regions = join(dir, 'r.txt');
    writeFileSync(regions, '\ufeffbody: f..ret\n');
    const r = await rvx(['profile', '--json', '--regions', regions, elf]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).regions[0]).toMatchObject({ name: 'body', count: 2, instructions: 4 });
  });
  it('profile --kernel names user code by program instead of (no symbol)', async () => {
    const r = await rvx(['profile', '--kernel', 'pingpong', '--json', '--top', '0']);
    expect(r.status, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    const names = rep.functions.map((f: { name: string }) => f.name);
    expect(names).toContain('[client] main');
    expect(names).toContain('[server] main');
    expect(names).toContain('fastpath_call');
    // User-mode cycles are all attributed to user symbols.
    const user = rep.privileges.find((p: { name: string }) => p.name === 'U');
    const named = rep.functions.filter((f: { name: string }) => f.name.startsWith('[')).reduce((a: number, f: { cycles: number }) => a + f.cycles, 0);
    expect(named).toBe(user.cycles);
  }, 60_000);
  it('a source file starting with a BOM assembles, and its errors carry no invisible character', async () => {
    const src = join(dir, 'bom.s');
    writeFileSync(src, '\ufefffrob a0\n');
    const r = await rvx(['asm', src, '-o', join(dir, 'bom.elf')]);
    expect(r.stderr).toBe(`${src}:1:1: error: unknown instruction 'frob'\n`);
  });
  it('ET_REL is refused, ET_DYN loads with a warning, overlapping segments are refused', async () => {
    const bytes = readFileSync(files.pass);
    const rel = Buffer.from(bytes);
    rel.writeUInt16LE(1, 16);
    writeFileSync(join(dir, 'rel.elf'), rel);
    const r = await rvx(['run', join(dir, 'rel.elf')]);
    expect(r.status).toBe(126);
    expect(r.stderr).toContain('relocatable object file (ET_REL)');
    const dyn = Buffer.from(bytes);
    dyn.writeUInt16LE(3, 16);
    writeFileSync(join(dir, 'dyn.elf'), dyn);
    const d = await rvx(['run', join(dir, 'dyn.elf')]);
    expect(d.status).toBe(0);
    expect(d.stderr).toContain('warning: position-independent file (ET_DYN)');
    // Two PT_LOAD headers made to cover the same physical address.
    const two = await asm('two', `        .globl _start\n_start: li t0, 1\n la t1, tohost\n sd t0, 0(t1)\n1: j 1b\n .data\nd: .dword 5\n${HTIF}`);
    const b = Buffer.from(readFileSync(two));
    const phoff = Number(b.readBigUInt64LE(32));
    const phnum = b.readUInt16LE(56);
    const loads = [...Array(phnum).keys()].map((i) => phoff + i * 56).filter((o) => b.readUInt32LE(o) === 1);
    expect(loads.length).toBeGreaterThanOrEqual(2);
    b.writeBigUInt64LE(b.readBigUInt64LE(loads[0] + 24), loads[1] + 24); // p_paddr of the second = the first's
    writeFileSync(join(dir, 'overlap.elf'), b);
    const o = await rvx(['run', join(dir, 'overlap.elf')]);
    expect(o.status).toBe(126);
    expect(o.stderr).toMatch(/loadable segments \d and \d overlap/);
  });
  it('an executable bit on the bundle survives a rebuild', async () => {
    chmodSync(RVX, 0o644);
    execFileSync(process.execPath, [join(ROOT, 'tools', 'build.mjs'), '--outdir', OUT, '--no-cache'], { cwd: ROOT });
    expect(statSync(RVX).mode & 0o111).not.toBe(0);
  });
});
