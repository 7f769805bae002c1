# A kernel-entry path under Sv39, the shape of the microkernel's IPC fastpath: U mode calls ecall in a
# loop; the S-mode handler swaps sp with sscratch, saves all 31 registers, reads scause and sepc,
# rewrites satp (same value) and runs sfence.vma (as an address-space switch does: every TLB entry and
# the walker's PTE cache go), writes sepc and sscratch, restores the registers and returns with sret.
# The kernel runs in a 1 GiB identity superpage (root[2]); the user program sees the same memory at
# 0x40000000 through a user superpage (root[1]).
        .include "calib.inc"
        CAL_BEGIN
        la t0, done                 # the closing ebreak ends the run in M mode
        csrw mtvec, t0
        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f
        csrw pmpcfg0, t0
        la t0, root
        li t2, 0x200000cf           # root[2]: VA 0x80000000 -> PA 0x80000000, V R W X A D
        sd t2, 16(t0)
        li t2, 0x200000df           # root[1]: VA 0x40000000 -> PA 0x80000000, V R W X U A D
        sd t2, 8(t0)
        srli t2, t0, 12
        li t5, 8
        slli t5, t5, 60
        or s11, t2, t5              # satp value, kept for the handler
        csrw satp, s11
        sfence.vma
        la t0, handler
        csrw stvec, t0
        li t0, 1 << 8               # delegate ecall from U
        csrw medeleg, t0
        la t0, kstack_top
        csrw sscratch, t0
        li t0, 1 << 11              # mret to S
        csrw mstatus, t0
        la t0, smode
        csrw mepc, t0
        mret
smode:  csrw sstatus, zero          # sret to U
        la t0, user
        li t1, 0x40000000 - 0x80000000
        add t0, t0, t1
        csrw sepc, t0
        sret

user:   li s0, 100
1:      ecall
        addi s0, s0, -1
        bnez s0, 1b
        ebreak                      # back to M mode: the end

        .balign 4
handler:
        csrrw sp, sscratch, sp
        addi sp, sp, -256
        .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        sd x\r, \r*8(sp)
        .endr
        csrr t0, sscratch
        sd t0, 16(sp)
        csrr t1, scause
        csrr t2, sepc
        addi t2, t2, 4
        csrw satp, s11
        sfence.vma
        csrw sepc, t2
        addi t0, sp, 256
        csrw sscratch, t0
        .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        ld x\r, \r*8(sp)
        .endr
        ld sp, 16(sp)
        sret

        .balign 4
done:   CAL_END
        .data
        .balign 4096
root:   .zero 4096
        .balign 16
kstack: .zero 1024
kstack_top:
