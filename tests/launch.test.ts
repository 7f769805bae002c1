// tools/launch.ts's choices that need no built CLI (tests/cli.test.ts runs the launcher itself): which
// bundle a command line runs and how caches made under different Node options are kept apart.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bundleFor, cacheHeader, flagsTag, V8_FLAGS } from '../tools/launch.js';

describe('the launcher', () => {
  it('runs the command\'s own bundle, help CMD included, and the small one for everything else', () => {
    expect(bundleFor(['run', 'x.elf'])).toBe('run');
    expect(bundleFor(['asm', 'a.s', '-o', 'a.elf'])).toBe('asm');
    expect(bundleFor(['help', 'ld'])).toBe('ld');
    expect(bundleFor(['help'])).toBe('cli');
    expect(bundleFor(['help', 'nope'])).toBe('cli');
    expect(bundleFor([])).toBe('cli');
    expect(bundleFor(['--version'])).toBe('cli');
    expect(bundleFor(['runx'])).toBe('cli');
    expect(bundleFor(['--help', 'run'])).toBe('cli');
  });
  it('keeps caches made under other Node options apart, and a plain node untagged', () => {
    expect(flagsTag([], '')).toBe('');
    const prof = flagsTag(['--cpu-prof'], '');
    expect(prof).toMatch(/^-f[0-9a-f]{8}$/);
    expect(flagsTag(['--cpu-prof'], '')).toBe(prof);
    expect(flagsTag([], '--cpu-prof')).not.toBe(prof);
    expect(flagsTag(['--max-semi-space-size=64'], '')).not.toBe(prof);
  });
  it('tunes only compiler, allocation and young-generation heuristics, with options this V8 knows', () => {
    // setFlagsFromString ignores an unknown option silently: check each against node's own list.
    const options = execFileSync(process.execPath, ['--v8-options']).toString();
    const known = new Set(options.split('\n').map((l) => /^\s+--([a-z0-9-]+)/.exec(l)?.[1]).filter(Boolean));
    for (const flags of Object.values(V8_FLAGS)) {
      for (const f of flags) {
        const name = /^--(?:no-)?([a-z0-9-]+)/.exec(f)![1];
        expect(known.has(name), f).toBe(true);
        expect(name).toMatch(/^(max-inlined-bytecode-size-cumulative|max-inlined-bytecode-size-small|turbo-loop-peeling|turbo-escape|allocation-site-pretenuring|semi-space-growth-factor)$/);
      }
    }
  });
  it('heads a cache with the build id it belongs to', () => {
    expect(cacheHeader('0123456789abcdef0123').toString('latin1')).toBe('rvx-code-cache 0123456789abcdef0123    \n');
    expect(cacheHeader('0123456789abcdef01').length % 8).toBe(0);
  });
});
