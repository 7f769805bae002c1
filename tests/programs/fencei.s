# Self-modifying code (unprivileged spec ch. 3, Zifencei): instructions stored to memory are fetched
# after a FENCE.I. The patched routine is executed first, so a model that caches decoded instructions
# must notice the store.
        .include "rvtest.inc"

        .equ ADDI_A0_ZERO, 0x00000513   # addi a0, zero, 0 (imm in bits 31:20)

        RVTEST_BEGIN
        li a0, 0
        call patched
        CHECK 2, a0, 1

        # patch `addi a0, zero, k` for k = 2..40 and run each version
        li s0, 2
        li s1, 40
        la s2, patched
1:      slli t0, s0, 20
        li t1, ADDI_A0_ZERO
        or t0, t0, t1
        sw t0, 0(s2)
        fence.i
        call patched
        li gp, 3
        bne a0, s0, rvtest_fail
        addi s0, s0, 1
        bleu s0, s1, 1b

        # patch a whole routine: copy a template over it, then run it
        la t0, template
        la t1, scratch_code
        lw t2, 0(t0)
        sw t2, 0(t1)
        lw t2, 4(t0)
        sw t2, 4(t1)
        lw t2, 8(t0)
        sw t2, 8(t1)
        fence.i
        li a0, 5
        call scratch_code
        CHECK 4, a0, 15                 # template: a0 = a0 * 3

        # a patched branch changes control flow
        la t1, scratch_code
        la t0, template
        lw t2, 8(t0)                    # `ret`
        sw t2, 0(t1)
        fence.i
        li a0, 9
        call scratch_code
        CHECK 5, a0, 9                  # returned at once

        RVTEST_END

        .text
        .option push
        .option norvc
        .balign 4
patched:
        addi a0, zero, 1
        ret
template:
        slli t3, a0, 1
        add a0, a0, t3
        ret
        .balign 4
scratch_code:
        .word 0, 0, 0, 0               # illegal until patched
        .option pop
