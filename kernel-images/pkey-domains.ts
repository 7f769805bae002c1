// Protection-key domains inside one process (docs/mechanisms.md §2.6), after UnderBridge (Gu et al.,
// USENIX ATC 2020): OS services run as domains in ONE address space, each with its own key on its data
// pages; a domain switch is a write of the rights register `pkr` plus a jump, made only by gates the
// system provides. This file builds such a process as one ProgramSpec: the main domain's code, every
// domain's code and handlers (one text: keys guard data, not fetches), each domain's data and stack on
// pages of its own key, a shared message buffer, and the gates.
//
// Keys [rvx]: 0 = pages the kernel maps (stack, IPC buffer) and the text, open to the main domain only;
// 1 = the main domain's data; 2 = the gate stack (written only inside gates, readable by every domain);
// 3 = the message buffer (every domain); 4 + i = domain i.
//
// The gates (one per call edge caller -> callee, its rights as constants) follow ERIM's rule (Vahldiek-
// Oberwagner et al., USENIX Security 2019): every pkr write is followed by a check that the value written
// is the constant this gate writes there, so jumping to a write with another value in the register
// aborts (ebreak: the kernel kills the process). A write that opens more than the writer had is made
// with `csrrw`, which hands back the rights held before in the same instruction, and the gate checks
// those are the caller's: nobody else can pass it. After the last write of the return path nothing comes
// from registers: the return address and stack pointer are read from the record just popped (the gate
// stack is readable by all), which must be the one this return popped (pk_retslot: a jump straight to
// that write would find a stale record below the top) and the caller's. What an attacker who jumps into a gate
// can still do is listed in docs/mechanisms.md §2.6 and attacked in tests/kernel-pkey-domains.test.ts.

import type { ProgramSpec } from './system.js';

export const PKEY_KEY_KERNEL = 0;
export const PKEY_KEY_MAIN = 1;
export const PKEY_KEY_GATE = 2;
export const PKEY_KEY_MSG = 3;
export const PKEY_KEY_FIRST_DOMAIN = 4;
/** Bytes of the shared message buffer `pk_msg`. */
export const PKEY_MSG_BYTES = 8192;
/** Bytes of each domain's stack. */
export const PKEY_STACK_BYTES = 2048;
/** A gate-stack record: return address, stack pointer, the caller's rights. */
const REC = 32;
/** Offset from pk_gsp of pk_retslot: the record the current return popped. */
const RETSLOT_OFF = 8;
const GATE_DEPTH = 16;

export interface PkeyDomain {
  name: string;
  /** The domain's code (handlers and what they call; no `main`). */
  text: string;
  /** The domain's data: placed on pages of its own key. */
  data?: string;
  /** Its entry: a function (a0..a7 arguments and results, psABI), and the domain allowed to call it ('main' or a domain's name). */
  entry?: { handler: string; caller: string };
}

/** `pkr` with every key closed (access- and write-disable) except `open` (read/write) and `readOnly`. */
export function rights(open: number[], readOnly: number[] = []): bigint {
  let v = (1n << 64n) - 1n;
  for (const k of open) v &= ~(3n << BigInt(2 * k));
  for (const k of readOnly) v &= ~(1n << BigInt(2 * k));
  return v;
}

export const RIGHTS_GATE = rights([PKEY_KEY_GATE]);
export const RIGHTS_MAIN = rights([PKEY_KEY_KERNEL, PKEY_KEY_MAIN, PKEY_KEY_MSG], [PKEY_KEY_GATE]);
export const rightsOfDomain = (i: number): bigint => rights([PKEY_KEY_MSG, PKEY_KEY_FIRST_DOMAIN + i], [PKEY_KEY_GATE]);

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** Write `value` to pkr, then check the register still holds it (a jump straight to the csrw with another value aborts). */
function writeChecked(value: bigint, swapInto?: string, label?: string): string {
  return `
    li t6, ${hex(value)}${label ? `\n${label}:` : ''}
    ${swapInto ? `csrrw ${swapInto}, pkr, t6` : 'csrw pkr, t6'}
    li t5, ${hex(value)}
    bne t6, t5, pkey_abort`;
}

function edgeGate(callee: string, handler: string, callerRights: bigint, calleeRights: bigint, retSlot: boolean): string {
  return `
# gate into ${callee}: enter with call/jalr (ra = the return address), arguments in a0..a7
pkey_gate_${callee}:${writeChecked(RIGHTS_GATE, 't4')}
    li t5, ${hex(callerRights)}
    bne t4, t5, pkey_abort      # the rights held before this gate: only its caller may pass
    la t5, pk_gsp
    ld t6, 0(t5)
    addi t6, t6, -${REC}
    la t3, pk_gstack
    bltu t6, t3, pkey_abort     # no room for the record
    sd ra, 0(t6)
    sd sp, 8(t6)
    sd t4, 16(t6)
    sd t6, 0(t5)${writeChecked(calleeRights)}
    la sp, pk_stack_${callee}   # the callee's own stack, in its pages
    call ${handler}
pkey_gate_${callee}_back:${writeChecked(RIGHTS_GATE, 't4')}
    li t5, ${hex(calleeRights)}
    bne t4, t5, pkey_abort      # only the callee returns through here
    la t5, pk_gsp
    ld t6, 0(t5)
    la t3, pk_gstack_top
    bgeu t6, t3, pkey_abort     # nothing to return to
    ld t4, 16(t6)
    li t3, ${hex(callerRights)}
    bne t4, t3, pkey_abort      # the record on top is not a call of this gate's caller
    sd t6, ${RETSLOT_OFF}(t5)       # the record being returned through (read back after the last write)
    addi t6, t6, ${REC}
    sd t6, 0(t5)
pkey_gate_${callee}_restore:${writeChecked(callerRights, undefined, `pkey_gate_${callee}_restore_csrw`)}
    la t5, pk_gsp               # from here on nothing comes from registers: the record just popped
    ld t6, 0(t5)${retSlot ? `
    ld t3, ${RETSLOT_OFF}(t5)
    addi t4, t6, -${REC}
    bne t3, t4, pkey_abort      # popped by this return, not a stale record below the top` : ''}
    ld t4, -${REC - 16}(t6)
    li t3, ${hex(callerRights)}
    bne t4, t3, pkey_abort
    ld ra, -${REC}(t6)
    ld sp, -${REC - 8}(t6)
    ret`;
}

/**
 * One process of protection-key domains. `mainText` must define `main` and call `pkey_start` before it
 * relies on its rights (before that every key is open: the loader's time, for the domains' start-up);
 * calls go through `pkey_gate_<domain>`. `pageKeys` and `pkrGate` tell the image builder the keys and the
 * gate range, so a kernel built with `pkey` keys the pages and the inspection allows pkr writes only there.
 */
export function pkeyProcess(opts: {
  name: string; mainText: string; mainData?: string; domains: PkeyDomain[]; prio?: number;
  /** Test only (tests/kernel-pkey-domains.test.ts): leave out the return-slot check, to show the replay it stops. */
  withoutReturnSlotCheck?: boolean;
}): ProgramSpec {
  const { domains } = opts;
  if (domains.length > 32 - PKEY_KEY_FIRST_DOMAIN) throw new Error(`pkey process ${opts.name}: at most ${32 - PKEY_KEY_FIRST_DOMAIN} domains`);
  const index = new Map(domains.map((d, i) => [d.name, i]));
  const rightsOf = (name: string) => {
    if (name === 'main') return RIGHTS_MAIN;
    const i = index.get(name);
    if (i === undefined) throw new Error(`pkey process ${opts.name}: no domain ${name}`);
    return rightsOfDomain(i);
  };
  const gates = domains.filter((d) => d.entry).map((d) => edgeGate(d.name, d.entry!.handler, rightsOf(d.entry!.caller), rightsOf(d.name), !opts.withoutReturnSlotCheck));
  const text = `${opts.mainText}
${domains.map((d) => `
# ---- domain ${d.name} (key ${PKEY_KEY_FIRST_DOMAIN + index.get(d.name)!})
${d.text}`).join('\n')}

# ---- the gates: the only code that writes pkr (the image builder's inspection refuses any other)
    .balign 4
pkey_gates_start:
# pkey_start(): once, at the start (every key open): the gate stack, then the main domain's rights
pkey_start:
    la t5, pk_gsp
    la t6, pk_gstack_top
    sd t6, 0(t5)${writeChecked(RIGHTS_MAIN, 't4')}
    bnez t4, pkey_abort         # only from the all-open start: later every domain has keys closed
    ret
${gates.join('\n')}
pkey_abort:
    ebreak                      # a gate entered other than at its start: the kernel kills the process
pkey_gates_end:
`;
  const data = `${opts.mainData ?? ''}
    .balign 4096
pk_main_end:
pk_gate_pages:
pk_gstack:
    .zero ${REC * GATE_DEPTH}
pk_gstack_top:
pk_gsp:
    .quad 0
pk_retslot:
    .quad 0
    .balign 4096
pk_msg:
    .zero ${PKEY_MSG_BYTES}
${domains.map((d) => `
    .balign 4096
pk_dom_${d.name}:
${d.data ?? ''}
    .balign 16
    .zero ${PKEY_STACK_BYTES}
pk_stack_${d.name}:
    .zero 16`).join('\n')}
    .balign 4096
pk_domains_end:
`;
  const pageKeys = [
    { start: '_udata', end: 'pk_main_end', key: PKEY_KEY_MAIN },
    { start: 'pk_gate_pages', end: 'pk_msg', key: PKEY_KEY_GATE },
    { start: 'pk_msg', end: domains.length ? `pk_dom_${domains[0].name}` : 'pk_domains_end', key: PKEY_KEY_MSG },
    ...domains.map((d, i) => ({ start: `pk_dom_${d.name}`, end: i + 1 < domains.length ? `pk_dom_${domains[i + 1].name}` : 'pk_domains_end', key: PKEY_KEY_FIRST_DOMAIN + i })),
  ];
  return { name: opts.name, prio: opts.prio, text, data, pageKeys, pkrGate: ['pkey_gates_start', 'pkey_gates_end'] };
}
