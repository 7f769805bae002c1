# Self-modifying code in hot loops under timer interrupts (for tests/jit-lockstep.test.ts): an inner loop
# whose first instruction is rewritten (addi imm 1 <-> 3) with sw + fence.i after every outer round, and
# a store that rewrites the very next instruction of its own block before it runs; meanwhile the timer
# interrupts at pseudo-random intervals (1..64 ticks) and the handler records where (mepc) it landed.
# Passes (tohost = 1) when the sum shows every rewrite took effect and interrupts were taken.
        .globl _start
        .text
_start:
        la t0, trap
        csrw mtvec, t0
        li s0, 0
        li s1, 200
        li t3, 0x200000                 # addi imm 1 <-> 3: bit 21 of the word
        li s5, 0
        li s6, 12345
        li s8, 0
        call arm_timer
        li t0, 0x80
        csrs mie, t0                    # MTIE
        csrsi mstatus, 8                # MIE
        .option push
        .option norvc
outer:
        li s2, 50
inner:
patch:  addi s0, s0, 1
        addi s2, s2, -1
        bnez s2, inner
        la t1, patch
        lw t2, 0(t1)
        xor t2, t2, t3
        sw t2, 0(t1)
        fence.i
        la t1, target
        la t4, template
        lw t4, 0(t4)
        sw t4, 0(t1)
target: addi s0, s0, 100                # rewritten to addi s0, s0, 7 before it first runs
        addi s1, s1, -1
        bnez s1, outer
        .option pop
        csrci mstatus, 8
        li t0, 21400                    # 100 x 50 x 1 + 100 x 50 x 3 + 200 x 7
        bne s0, t0, fail
        beqz s5, fail
        li t0, 1
        j done
fail:   li t0, 3
done:   la t1, tohost
        sd t0, 0(t1)
1:      j 1b

arm_timer:                              # mtimecmp = mtime + 1 + (LCG >> 58)
        li t5, 6364136223846793005
        mul s6, s6, t5
        addi s6, s6, 1
        srli t5, s6, 58
        addi t5, t5, 1
        li t6, 0x200bff8
        ld t6, 0(t6)
        add t5, t5, t6
        li t6, 0x2004000
        sd t5, 0(t6)
        ret

        .balign 4
trap:   csrr t5, mcause
        bgez t5, fail                   # only the timer interrupt is expected
        mv s7, ra
        addi s5, s5, 1
        csrr t5, mepc
        xor s8, s8, t5
        call arm_timer
        mv ra, s7
        mret

        .option push
        .option norvc
template:
        addi s0, s0, 7
        .option pop

        .section .tohost, "aw", @progbits
        .balign 8
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
