// The seeded random adversary (issue #10): a system of several hostile processes, each running a random
// straight-line sequence of system calls, XPC instructions, CSR writes and memory accesses with
// boundary-heavy arguments, next to well-behaved survivors (an echo server and its client, an XPC server
// and its client). tests/kernel-fuzz.test.ts boots a few seeds in CI and checks the kernel's invariants
// after each run (tests/kernel-invariants.ts); `npm run fuzz:kernel` runs many more.
//
// Every hostile process checks each system call's result itself: anything below the lowest documented
// error code (E_EXISTS = -10) makes it exit with BAD_RESULT, which the checker looks for. Positive
// results (lengths, ids, badges, words, pids) are all documented.

import * as L from '../layout.js';
import type { CapSpec, ProgramSpec, SystemSpec, XEntrySpec } from '../system.js';
import { echoServer, roundTripClient } from './ipc.js';

/** Exit code of a hostile process that saw an undocumented system-call result. */
export const BAD_RESULT = 1445;
export const SURVIVOR_ROUNDS = 100;
export const XSURVIVOR_CALLS = 100;
/** Each hostile process waits on its own notification here when its sequence is done. */
const PARK_SLOT = 15;

/** mulberry32: a small seeded generator (deterministic per seed). */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof rng>;

// Boundary-heavy argument pools. '@sym' is loaded with la, anything else with li.
const ADDRS = [
  '0', '1', '-1', '-8', '-16', '-4096', '0x8000000000000000', '0x7ffffffffffff000',
  'USER_BASE', 'USER_BASE+4094', '@_udata', '@_udata+4090', '0x1fb000', '0x1fbff8', '0x1fc000', '0x1ffff8', '0x200000',
  'USER_IPC_BUFFER', 'USER_IPC_BUFFER+4090', 'USER_SHARED_MIN', 'USER_SHARED_MIN+4096', '0x7ff000', '0x800000',
  'USER_XCTX_BASE', `${L.xctxDataVa(0, 0)}`, `${L.xctxDataVa(1, 0) - 8}`,
  'USER_RELAY_MIN', 'USER_RELAY_MIN+4088', '0x1ffff000', '0x20000000', '0x3ffffffff8', '0x4000000000',
  'KERNEL_VA', 'KERNEL_VA+0x1000', '0xc2000000', '0xd0000000',
];
const LENS = ['0', '1', '8', '31', '32', '33', '4095', '4096', '4097', '8192', '0x10000', '0x10001', '-1', '-32', '-4096', '0x8000000000000000', '0x1000000', '0x10000000'];
const SMALL = ['0', '1', '2', '3', '4', '5', '7', '8', '9', '15', '16', '17', '63', '64', '65', '-1', '1000', '0x8000000000000000'];
const CTX = ['0', '1', '2', '16', '17', '-1'];

const load = (reg: string, v: string) => (v.startsWith('@') ? `    la ${reg}, ${v.slice(1)}` : `    li ${reg}, ${v}`);

/** Exits with BAD_RESULT when a0 is below the lowest documented error code. */
const CHECK = `
    li t0, -10
    bge a0, t0, 1f
    li a0, ${BAD_RESULT}
    call sys_exit
1:`;

interface Ctx {
  r: Rng;
  nEntries: number; // static x-entries
  inHandler: boolean;
}

function syscallOp(c: Ctx): string {
  const { r } = c;
  const sc = (name: string, args: string[]) => `${args.map((v, i) => load(`a${i}`, v)).join('\n')}\n    call sys_${name}${CHECK}`;
  const k = r.int(21);
  switch (k) {
    case 0: return sc('putc', [r.pick(['65', '10', '0', '-1'])]);
    case 1: return sc('write', [r.pick(ADDRS), r.pick(LENS)]);
    case 2: return sc('yield', []);
    case 3: return r.chance(0.15) ? sc('exit', [r.pick(['0', '1', '-1'])]) : sc('getpid', []);
    case 4: return sc('call', [r.pick(SMALL), r.pick(LENS), r.pick(ADDRS), r.pick(LENS), '7', '8']);
    case 5: return sc('reply_recv', [r.pick(SMALL), r.pick(LENS)]);
    case 6: return sc('send', [r.pick(SMALL), r.pick(LENS)]);
    case 7: return r.chance(0.3) ? sc('recv', [r.pick(SMALL)]) : sc('reply', ['0', r.pick(LENS)]);
    case 8: return sc('signal', [r.pick(SMALL)]);
    case 9: return r.chance(0.3) ? sc('wait', [r.pick(SMALL)]) : sc('signal', [r.pick(SMALL)]);
    case 10: return sc('map_shared', [r.pick(SMALL), r.pick([...ADDRS, '-4096', 'USER_SHARED_MIN', '0x7fe000'])]);
    case 11:
      if (r.chance(0.6)) {
        return `${load('a0', '@xpc_entry_d')}\n${load('a1', r.pick(['1', '2', '16']))}\n    call sys_xpc_register${CHECK}
    bltz a0, 2f
    la t0, xpc_entry_d_id
    sd a0, 0(t0)
2:`;
      }
      return sc('xpc_register', [r.pick(ADDRS), r.pick(CTX)]);
    case 12: return sc(r.chance(0.3) ? 'xpc_revoke' : 'xpc_grant', [r.pick(SMALL), r.pick(SMALL)]);
    case 13: return sc('xpc_relay_alloc', [r.pick(LENS), r.pick(ADDRS), r.pick(SMALL)]);
    case 14: return sc('xpc_relay_alloc', [r.pick(['4096', '8192', '-4096', '-0x1000000', '0x10000000', '0x8000000000000000']), r.pick(['USER_RELAY_MIN', 'USER_RELAY_MIN+0x100000', '0x1fffe000', '-4096']), `${r.int(9)}`]);
    case 15: return sc('xpc_relay_free', [r.pick(SMALL)]);
    case 16: return `    li a7, ${r.pick(['18', '19', '100', '-1', '0x8000000000000000'])}\n    ecall${CHECK}`;
    default: return xpcOp(c);
  }
}

function xpcOp(c: Ctx): string {
  const { r } = c;
  const k = r.int(8);
  switch (k) {
    case 0:
    case 1: {
      if (c.inHandler && r.chance(0.5)) return '    call sys_yield';
      const id = r.chance(0.8) ? `${r.int(c.nEntries + 2)}` : r.pick(['-1', '64', '1000']);
      return `    li a0, ${id}\n    li a1, ${r.pick(SMALL)}\n    xcall a0${CHECK}`;
    }
    case 2: return `    li t1, ${r.pick(['0', '1', '2', '7', '8', '-1'])}\n    swapseg t1`;
    case 3: return `    li t1, ${r.pick(['0', '8', '16', '4088', '4096', '-1', '-16'])}\n    csrw xsegmask_off, t1`;
    case 4: return `    li t1, ${r.pick(['0', '1', '8', '4096', '8192', '-1'])}\n    csrw xsegmask_len, t1`;
    case 5: return '    csrr t1, uxseg_va\n    csrr t2, uxseg_len\n    csrr t3, xcaller';
    case 6: {
      // A memory access: mostly fine ones, sometimes one that kills the process (kernel, guard page, relay window).
      const addr = r.chance(0.85) ? r.pick(['@_udata+64', 'USER_IPC_BUFFER+64', 'USER_RELAY_MIN', 'USER_SHARED_MIN']) : r.pick(ADDRS);
      return `${load('t1', addr)}\n    ${r.pick(['ld t2, 0(t1)', 'sd zero, 0(t1)', 'lbu t2, 0(t1)', 'sb t1, 0(t1)'])}`;
    }
    default: return r.chance(0.1) ? '    xret' : '    xprefetch zero';
  }
}

/** A hostile program: `ops` random operations; handler `h` for its x-entries does a few (at most one xcall). */
function hostileProgram(r: Rng, name: string, ops: number, nEntries: number, caps: CapSpec[], prio: number): ProgramSpec {
  const main: string[] = [];
  for (let i = 0; i < ops; i++) main.push(syscallOp({ r, nEntries, inHandler: false }));
  const handler: string[] = [];
  let xcalls = 0;
  for (let i = 0; i < 1 + r.int(5); i++) {
    let op = syscallOp({ r, nEntries, inHandler: true });
    if (op.includes('xcall')) {
      if (xcalls++ > 0) op = '    call sys_getpid';
    }
    handler.push(op);
  }
  return {
    name,
    prio,
    caps,
    text: `
main:
    addi sp, sp, -16
    sd ra, 0(sp)
${main.join('\n')}
1:
    li a0, ${PARK_SLOT}              # park for ever (a live process at the end: its grants are checked)
    call sys_wait
    j 1b
h:
    addi sp, sp, -16
    sd ra, 0(sp)
${handler.join('\n')}
    li a0, 5
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
    dynamicEntries: [{ name: 'd', handler: 'h', contexts: 2 }],
  };
}

export const SENTINEL_ROUNDS = 150;

/**
 * A survivor that owns nothing XPC: it fills its callee-saved registers, gp and tp with known values and,
 * across many yields and system calls (each a switch to whatever the adversaries are doing), checks that
 * they come back and that its user-visible XPC registers stay zero (family 7: nothing crosses a switch).
 */
function sentinel(): ProgramSpec {
  const regs = ['gp', 'tp', 's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10'];
  return {
    name: 'sentinel',
    text: `
main:
    addi sp, sp, -128
    sd ra, 0(sp)
${regs.map((r, k) => `    sd ${r}, ${8 + 8 * k}(sp)`).join('\n')}
${regs.map((r, k) => `    li ${r}, ${0x5e00 + k}`).join('\n')}
    li s11, ${SENTINEL_ROUNDS}
1:
    call sys_yield
    call sys_getpid
${regs.map((r, k) => `    li t0, ${0x5e00 + k}\n    bne ${r}, t0, 8f`).join('\n')}
    csrr t0, xsegmask_off
    csrr t1, xsegmask_len
    or t0, t0, t1
    csrr t1, uxseg_va
    or t0, t0, t1
    csrr t1, uxseg_len
    or t0, t0, t1
    csrr t1, xcaller
    or t0, t0, t1
    bnez t0, 8f
    addi s11, s11, -1
    bnez s11, 1b
    la a0, ok
    li a1, 13
    call sys_write
    li a0, 0
    j 9f
8:
    la a0, bad
    li a1, 17
    call sys_write
    li a0, 1
9:
${regs.map((r, k) => `    ld ${r}, ${8 + 8 * k}(sp)`).join('\n')}
    ld ra, 0(sp)
    addi sp, sp, 128
    ret
`,
    data: `
ok:
    .ascii "sentinel: ok\\n"
bad:
    .ascii "sentinel: BROKEN\\n"
`,
  };
}

/** The system of seed `seed`: `nHostile` hostile processes of `ops` operations each, and the survivors. */
export function adversarySystem(seed: number, nHostile = 3, ops = 40): SystemSpec {
  const r = rng(seed);
  const names = Array.from({ length: nHostile }, (_, i) => `adv${i}`);
  const endpoints = ['ep', 'idle_good', 'adv_ep0', 'adv_ep1'];
  const notifications = ['adv_n0', 'adv_n1'];
  const frames = [{ name: 'adv_f0', pages: 1 }, { name: 'adv_f1', pages: 2 }];
  const nEntries = 1 + r.int(3);
  const xentries: XEntrySpec[] = [{ name: 'inc', owner: 'good', handler: 'inc_handler', contexts: 2, grants: ['xsurvivor'] }];
  for (let j = 0; j < nEntries; j++) {
    xentries.push({
      name: `e${j}`,
      owner: r.pick(names),
      handler: 'h',
      contexts: 1 + r.int(3),
      grants: names.filter(() => r.chance(0.6)),
    });
  }
  const programs: ProgramSpec[] = [
    echoServer(),
    roundTripClient('survivor', SURVIVOR_ROUNDS, 9),
    {
      name: 'good',
      caps: [{ slot: 0, endpoint: 'idle_good' }],
      text: `
inc_handler:
    addi a0, a1, 1
    ret
main:
    li a0, 0
    call sys_recv
    ret
`,
    },
    {
      name: 'xsurvivor',
      text: `
main:
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    li s0, 0
1:
    li a0, 0
    mv a1, s0
    call xpc_call
    addi t0, s0, 1
    bne a0, t0, 8f
    addi s0, s0, 1
    li t0, ${XSURVIVOR_CALLS}
    bltu s0, t0, 1b
    la a0, ok
    call puts
    li a0, 0
    j 9f
8:
    la a0, bad
    call puts
    li a0, 1
9:
    ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 32
    ret
`,
      data: `
ok:
    .asciz "xsurvivor: ${XSURVIVOR_CALLS} xcalls ok\\n"
bad:
    .asciz "xsurvivor: xcall FAILED\\n"
`,
    },
  ];
  programs.push(sentinel());
  for (const n of names) {
    const used = new Set<number>();
    const caps: CapSpec[] = [{ slot: PARK_SLOT, notification: `park_${n}` }];
    notifications.push(`park_${n}`);
    for (let i = 0; i < 3 + r.int(6); i++) {
      const slot = r.int(PARK_SLOT);
      if (used.has(slot)) continue;
      used.add(slot);
      const kind = r.int(4);
      if (kind === 0) caps.push({ slot, endpoint: r.pick(['adv_ep0', 'adv_ep1']), badge: r.pick([0, 1, 2, 0x40]) });
      else if (kind === 1) caps.push({ slot, notification: r.pick(notifications), badge: r.pick([0, 1, 4]) });
      else if (kind === 2) caps.push({ slot, thread: r.pick([...names, 'good']) });
      else caps.push({ slot, frame: r.pick(frames).name });
    }
    programs.push(hostileProgram(r, n, ops, nEntries + 1, caps, r.pick([1, 1, 2, 3])));
  }
  return {
    name: `adversary-${seed}`,
    description: `seeded random adversary (seed ${seed})`,
    endpoints,
    notifications,
    frames,
    programs,
    xentries,
  };
}
