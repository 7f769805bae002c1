// Protection-key systems (docs/mechanisms.md §2.4): the image builder inspects every program's text and
// refuses a `pkr` write outside the program's gate. Built with `{ xpc: false }` and booted with
// `ext: ['pkey']`. In MECH_SYSTEMS (systems/index.ts): `rvx kernel` builds and boots them so.

import type { ProgramSpec, SystemSpec } from '../system.js';
import { pkeyProcess, RIGHTS_MAIN } from '../pkey-domains.js';

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

// ---------------------------------------------------------------------------------------------------
// Domains inside one process (docs/mechanisms.md §2.6, kernel-images/pkey-domains.ts): built with
// PKEY_KERNEL and booted with `ext: ['pkey']`. The main domain calls the `vault` domain through its gate;
// the vault keeps a counter in its own pages. The attacks replace what the vault does on a call with
// a1 = -1 (the main domain's first call).

export const PKEY_KERNEL = { xpc: false, pkey: true } as const;
export const PKEY_EXT = ['pkey'] as const;
export const PKEY_DOMAIN_CALLS = 8;

/** What the vault does when called with a1 = -1. */
export const PKEY_DOMAIN_ATTACKS = {
  /** Nothing: it returns -1. */
  none: `
    li a0, -1
    ret`,
  /** Reads the main domain's data: its key is closed in the vault's rights. */
  peek: `
    la t0, main_secret
    ld a0, 0(t0)
    ret`,
  /** Jumps into its gate's return path, at the write of the caller's rights, with those rights in t6
   *  and its own code as the return address: the check after the write passes, but the record it reads
   *  the return from is not a call of the main domain, so the gate aborts. */
  gatejump: `
    li t6, ${`0x${RIGHTS_MAIN.toString(16)}`}
    la ra, vault_after_jump
    la t0, pkey_gate_vault_restore
    jr t0
vault_after_jump:
    la t0, main_secret         # would run with the main domain's rights
    ld a0, 0(t0)
    ret`,
  /** Jumps to the write of the main domain's rights with another value in t6: the check aborts. */
  forge: `
    li t6, 0
    la t0, pkey_gate_vault_restore_csrw  # past the li of the constant: the csrw with t6 = 0 (every key open)
    jr t0`,
  /** Runs the main domain's code: fetches are not guarded by keys, one address space. */
  exec: `
    addi sp, sp, -16
    sd ra, 0(sp)
    call main_pure
    ld ra, 0(sp)
    addi sp, sp, 16
    ret`,
} as const;

export function pkeyDomains(attack: keyof typeof PKEY_DOMAIN_ATTACKS): SystemSpec {
  const main = pkeyProcess({
    name: 'pkmain',
    mainText: `
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    call pkey_start
    li a1, -1                   # the vault's special call first (the attacks)
    call pkey_gate_vault
    li t0, 0x5afe
    bne a0, t0, 1f
    la a0, m_exec
    call puts
1:
    li s0, 0
2:
    mv a1, s0
    call pkey_gate_vault        # a0 = a1 + the vault's counter (the number of earlier calls)
    add t0, s0, s0
    bne a0, t0, 8f
    addi s0, s0, 1
    li t0, ${PKEY_DOMAIN_CALLS}
    bltu s0, t0, 2b
    la t0, main_secret          # the main domain's own data: open to it
    ld t1, 0(t0)
    li t2, 0x5ec7e7
    bne t1, t2, 8f
    la a0, m_ok
    call puts
    li a0, 0
    j 9f
8:
    la a0, m_bad
    call puts
    li a0, 1
9:
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
main_pure:                      # code of the main domain that touches no data
    li a0, 0x5afe
    ret
`,
    mainData: `
    .balign 8
main_secret:
    .quad 0x5ec7e7
m_ok:
    .asciz "pkmain: ${PKEY_DOMAIN_CALLS} domain calls through the gate ok\\n"
m_bad:
    .asciz "pkmain: FAIL wrong answer\\n"
m_exec:
    .asciz "pkmain: the vault ran the main domain's code\\n"
`,
    domains: [{
      name: 'vault',
      entry: { handler: 'vault_call', caller: 'main' },
      text: `
vault_call:                     # a1 = x -> a0 = x + counter; counter + 1
    li t0, -1
    bne a1, t0, 1f${PKEY_DOMAIN_ATTACKS[attack]}
1:
    la t0, vault_counter
    ld t1, 0(t0)
    add a0, a1, t1
    addi t1, t1, 1
    sd t1, 0(t0)
    ret
`,
      data: `
    .balign 8
vault_counter:
    .quad 0
`,
    }],
  });
  return { name: `pkey-domains-${attack}`, description: `protection-key domains in one process (${attack})`, pkeyInspect: true, programs: [main] };
}

/**
 * The replayed return (docs/mechanisms.md §2.6): main calls `bee`, which calls `ant` (a deeper call that
 * leaves its record on the gate stack, below the top, after it returns); then main calls `wasp`, which
 * jumps to the last rights write of ant's gate. Without the return-slot check that gate would take the
 * stale record (bee's call to ant, bee's rights) for the one it popped: bee's code would resume after its
 * call with wasp's registers and bee's rights, and store wasp's value in bee's data.
 */
export function pkeyReplay(withoutReturnSlotCheck = false): SystemSpec {
  const main = pkeyProcess({
    name: 'pkmain',
    withoutReturnSlotCheck,
    mainText: `
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    call pkey_start
    li a1, 5
    call pkey_gate_bee          # bee asks ant: 5 * 2
    li t0, 10
    bne a0, t0, 8f
    call pkey_gate_wasp         # the attack
    li a1, 0
    call pkey_gate_bee          # what bee keeps
    li t0, 0x666
    beq a0, t0, 7f
    li t0, 10
    bne a0, t0, 8f
    la a0, m_intact
    call puts
    li a0, 0
    j 9f
7:
    la a0, m_replay
    call puts
    li a0, 2
    j 9f
8:
    la a0, m_bad
    call puts
    li a0, 1
9:
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
    mainData: `
m_intact:
    .asciz "pkmain: bee's data intact\\n"
m_replay:
    .asciz "pkmain: REPLAY: bee resumed after its old call and stored the attacker's value\\n"
m_bad:
    .asciz "pkmain: FAIL wrong answer\\n"
`,
    domains: [
      {
        name: 'bee',
        entry: { handler: 'bee_call', caller: 'main' },
        text: `
bee_call:                       # a1 = 0: a0 = what bee keeps; else a0 = ant(a1), kept
    bnez a1, 1f
    la t0, bee_last
    ld a0, 0(t0)
    ret
1:
    addi sp, sp, -16
    sd ra, 0(sp)
    call pkey_gate_ant
    la t0, bee_last
    sd a0, 0(t0)
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
        data: `
    .balign 8
bee_last:
    .quad 0
`,
      },
      {
        name: 'ant',
        entry: { handler: 'ant_call', caller: 'bee' },
        text: `
ant_call:
    slli a0, a1, 1
    ret
`,
      },
      {
        name: 'wasp',
        entry: { handler: 'wasp_call', caller: 'main' },
        text: `
wasp_call:                      # jumps to the last rights write of ant's gate (its caller is bee)
    li a0, 0x666
    la t0, pkey_gate_ant_restore
    jr t0
`,
      },
    ],
  });
  return { name: `pkey-replay${withoutReturnSlotCheck ? '-unchecked' : ''}`, description: 'protection-key domains: a replayed return through a stale gate record', pkeyInspect: true, programs: [main] };
}
