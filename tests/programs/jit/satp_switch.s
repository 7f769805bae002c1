# The same virtual code address under two address spaces (for tests/jit-lockstep.test.ts): VA 0x40000000
# is a megapage mapped to a copy of routine_a under one root table and of routine_b under another; S mode
# calls it 40 times under each, switching satp (and sfence.vma) in between, so a translated block of one
# mapping must never run under the other. Passes (tohost = 1) when a0 shows both ran every time.
        .globl _start
        .text
_start:
        la t0, mtrap
        csrw mtvec, t0
        la a0, routine_a
        la a1, routine_a_end
        li a2, 0x80200000
        call copy
        la a0, routine_b
        la a1, routine_b_end
        li a2, 0x80400000
        call copy
        li t1, (0x80000000 >> 12) << 10 | 0xcf   # identity gigapage: V R W X A D
        la t0, root_a
        sd t1, 16(t0)
        la t0, root_b
        sd t1, 16(t0)
        la t0, root_a
        la t1, l1_a
        srli t1, t1, 12
        slli t1, t1, 10
        ori t1, t1, 1
        sd t1, 8(t0)
        la t0, root_b
        la t1, l1_b
        srli t1, t1, 12
        slli t1, t1, 10
        ori t1, t1, 1
        sd t1, 8(t0)
        la t0, l1_a
        li t1, (0x80200000 >> 12) << 10 | 0xcb   # megapage: V R X A D
        sd t1, 0(t0)
        la t0, l1_b
        li t1, (0x80400000 >> 12) << 10 | 0xcb
        sd t1, 0(t0)
        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f
        csrw pmpcfg0, t0
        li t0, 0x1800
        csrc mstatus, t0
        li t0, 0x800
        csrs mstatus, t0                # MPP = S
        la t0, s_main
        csrw mepc, t0
        mret

s_main:
        li a0, 0
        li t1, 8 << 60
        la t0, root_a
        srli t0, t0, 12
        or s2, t0, t1
        la t0, root_b
        srli t0, t0, 12
        or s3, t0, t1
        li s1, 40
1:      csrw satp, s2
        sfence.vma
        li t2, 0x40000000
        jalr t2
        csrw satp, s3
        sfence.vma
        li t2, 0x40000000
        jalr t2
        addi s1, s1, -1
        bnez s1, 1b
        ecall

        .balign 4
mtrap:  csrr t0, mcause
        li t1, 9                        # ecall from S
        bne t0, t1, fail
        li t0, 2400                     # 40 x (20 x 1 + 20 x 2)
        bne a0, t0, fail
        li t0, 1
        j done
fail:   li t0, 3
done:   la t1, tohost
        sd t0, 0(t1)
1:      j 1b

copy:   lw t0, 0(a0)
        sw t0, 0(a2)
        addi a0, a0, 4
        addi a2, a2, 4
        bltu a0, a1, copy
        ret

        .balign 4
routine_a:
        li t0, 20
2:      addi a0, a0, 1
        addi t0, t0, -1
        bnez t0, 2b
        ret
        .balign 4
routine_a_end:
routine_b:
        li t0, 20
2:      addi a0, a0, 2
        addi t0, t0, -1
        bnez t0, 2b
        ret
        .balign 4
routine_b_end:

        .bss
        .balign 4096
root_a: .space 4096
root_b: .space 4096
l1_a:   .space 4096
l1_b:   .space 4096

        .section .tohost, "aw", @progbits
        .balign 8
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
