// HTIF, Spike's host-target interface: the program's `tohost`/`fromhost` doublewords. A store that makes
// tohost non-zero is a request the host takes at once (it writes tohost back to zero): device 0 command 0
// is exit (payload bit 0 set: exit code = payload >> 1) or Spike's syscall proxy (payload = address of a
// magic_mem block); device 1 is the console (command 1 writes a byte, command 0 reads one). Answers go to
// fromhost. The bus calls check() after every slow-path store to a page tohost's bytes lie on; the
// stores to that page that the fast paths take (through the watched-page write entries, layout.ts
// WATCH_TLB_OFF) never touch tohost, so every store that writes tohost is seen when it happens.

import type { RunResult } from '../types.js';

/** What HTIF needs from the machine: the memory, physical-address lookup, the host console, a stop. */
export interface HtifHost {
  readonly m8: Uint8Array;
  /** Byte offset in the memory of [pa, pa+size) when it is RAM or ROM, else -1. */
  memIndex(pa: number, size: number): number;
  /** End the run with this result (after the current instruction). */
  halt(result: RunResult): void;
}

export class Htif {
  /** Memory offsets of the tohost and fromhost doublewords, or -1 when the program has none. */
  tohost = -1;
  fromhost = -1;

  constructor(
    private readonly host: HtifHost,
    private readonly stdout: (bytes: Uint8Array) => void,
    private readonly stdin: () => number,
  ) {}

  /** Watch the doublewords at these physical addresses; returns the memory offset of tohost (or -1). */
  arm(tohost: number | undefined, fromhost: number | undefined): number {
    this.tohost = -1;
    this.fromhost = -1;
    if (tohost !== undefined) {
      const idx = this.host.memIndex(tohost, 8);
      if (idx >= 0) this.tohost = idx;
    }
    if (fromhost !== undefined) {
      const idx = this.host.memIndex(fromhost, 8);
      if (idx >= 0) this.fromhost = idx;
    }
    return this.tohost;
  }

  /** The little-endian doubleword at memory offset idx (any alignment: an ELF may place tohost anywhere). */
  private read64(idx: number): bigint {
    const m8 = this.host.m8;
    let v = 0n;
    for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(m8[idx + k]);
    return v;
  }

  private write64(idx: number, v: bigint): void {
    const m8 = this.host.m8;
    for (let k = 0; k < 8; k++) m8[idx + k] = Number((v >> BigInt(8 * k)) & 0xffn);
  }

  private physIdx64(pa: bigint): number {
    if (pa < 0n || pa > 0xffffffffn) return -1;
    const idx = this.host.memIndex(Number(pa), 8);
    return idx >= 0 && (idx & 7) === 0 ? idx : -1;
  }

  /** After a store to memory bytes [idx, idx+size): take the request if it wrote tohost. */
  check(idx: number, size: number): void {
    const t = this.tohost;
    if (t < 0 || idx + size <= t || idx >= t + 8) return;
    const v = this.read64(t);
    if (v === 0n) return;
    this.write64(t, 0n); // the host takes the request
    const dev = Number(v >> 56n);
    const cmd = Number((v >> 48n) & 0xffn);
    const payload = v & 0xffffffffffffn;
    if (dev === 0 && cmd === 0) {
      if (payload & 1n) {
        this.host.halt({ reason: 'exit', code: Number(payload >> 1n) });
        return;
      }
      this.syscall(payload);
      return;
    }
    if (dev === 1 && cmd === 1) {
      this.stdout(Uint8Array.of(Number(payload & 0xffn)));
      this.respond((1n << 56n) | (1n << 48n) | 0x100n | (payload & 0xffn));
      return;
    }
    if (dev === 1 && cmd === 0) {
      const ch = this.stdin();
      if (ch >= 0) this.respond((1n << 56n) | 0x100n | BigInt(ch & 0xff));
      return;
    }
    // Unknown device or command: taken and ignored, as Spike ignores devices it does not have.
  }

  private respond(v: bigint): void {
    if (this.fromhost >= 0) this.write64(this.fromhost, v);
  }

  /** Spike's syscall proxy: magic_mem = {which, arg0, arg1, arg2, ...}; result to magic_mem[0]. */
  private syscall(addr: bigint): void {
    const base = this.physIdx64(addr);
    if (base < 0) {
      this.host.halt({ reason: 'fatal', message: `HTIF: syscall block at 0x${addr.toString(16)} is not in RAM` });
      return;
    }
    const which = this.read64(base);
    const a0 = this.read64(base + 8);
    const a1 = this.read64(base + 16);
    const a2 = this.read64(base + 24);
    let ret: bigint;
    if (which === 93n) {
      this.host.halt({ reason: 'exit', code: Number(BigInt.asIntN(32, a0)) });
      return;
    } else if (which === 64n) {
      if (a0 !== 1n && a0 !== 2n) ret = -9n; // EBADF
      else if (a2 > 0xffffffffn || a1 > 0xffffffffn) ret = -14n; // EFAULT
      else {
        const idx = this.host.memIndex(Number(a1), Number(a2));
        if (idx < 0) ret = -14n;
        else {
          this.stdout(this.host.m8.slice(idx, idx + Number(a2)));
          ret = a2;
        }
      }
    } else ret = -38n; // ENOSYS
    this.write64(base, BigInt.asUintN(64, ret));
    this.respond(1n);
  }
}
