// Protection-key systems (docs/mechanisms.md §2.4): the image builder inspects every program's text and
// refuses a `pkr` write outside the program's gate. Built with `{ xpc: false }` and booted with
// `ext: ['pkey']`. Not in SYSTEMS (`rvx kernel` builds with the XPC configuration).

import type { ProgramSpec, SystemSpec } from '../system.js';

/** A domain that changes its rights only through its gate, and reads them. */
const polite: ProgramSpec = {
  name: 'polite',
  pkrGate: ['pkr_gate', 'pkr_gate_end'],
  text: `
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    li a0, 0xc                  # key 1: access- and write-disable
    call pkr_gate
    csrr t0, pkr                # reading the rights is allowed anywhere
    li t1, 0xc
    bne t0, t1, 1f
    la a0, m_ok
    call puts
    li a0, 0
    j 2f
1:
    li a0, 1
2:
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
pkr_gate:                       # the one place that writes pkr
    csrw pkr, a0
    ret
pkr_gate_end:
`,
  data: `
m_ok:
    .asciz "polite: rights changed through the gate\\n"
`,
};

export const pkeyPolite: SystemSpec = { name: 'pkey-polite', description: 'pkr written only through the gate', pkeyInspect: true, programs: [polite] };

/** The attack: the same domain plus one instruction that opens every key by itself. */
export const pkeyAttack: SystemSpec = {
  name: 'pkey-attack',
  description: 'a domain writes pkr itself: the image is refused',
  pkeyInspect: true,
  programs: [{ ...polite, name: 'rogue', text: polite.text.replace('    csrr t0, pkr', '    csrw pkr, zero              # the attack: every key open\n    csrr t0, pkr') }],
};
