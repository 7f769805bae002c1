# Page-table stores inside translated code while the cycle model walks (for
# tests/jit-rocket-lockstep.test.ts): S mode reads 48 virtual pages in different TLB sectors (more than
# the model's 32-entry D-TLB holds, so every read misses there and the model walks), and right after
# each read clears the valid bit of that page's PTE with an ordinary store, then reads the page again
# (the hart's own TLB still holds it: no sfence.vma). The model must walk the page tables as they were
# at the first read, as the interpreter's order has it: the entry is found, and the second read hits.
# A translated block replays its commit log after the stores ran (M mode makes the PTEs valid again
# between rounds, after the batch), so this checks that the replay reads page tables as of each
# instruction. Passes (tohost = 1) when every read returned the page's word.
        .globl _start
        .text
_start:
        la t0, mtrap
        csrw mtvec, t0
        li t1, (0x80000000 >> 12) << 10 | 0xcf   # root[2]: identity gigapage, V R W X A D
        la t0, root
        sd t1, 16(t0)
        la t1, l1                                # root[1] -> l1 (VA 0x40000000..)
        srli t1, t1, 12
        slli t1, t1, 10
        ori t1, t1, 1
        sd t1, 8(t0)
        la t0, l1                                # l1[0] -> l0
        la t1, l0
        srli t1, t1, 12
        slli t1, t1, 10
        ori t1, t1, 1
        sd t1, 0(t0)
        la t2, page                              # every l0[4 i] maps the same data page (R W A D)
        srli t2, t2, 12
        slli t2, t2, 10
        ori t2, t2, 0xc7
        la t0, l0
        li t3, 48
1:      sd t2, 0(t0)
        addi t0, t0, 32
        addi t3, t3, -1
        bnez t3, 1b
        la t0, page
        li t1, 0x1234
        sd t1, 0(t0)
        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f
        csrw pmpcfg0, t0
        la t0, root
        srli t0, t0, 12
        li t1, 8 << 60
        or t0, t0, t1
        csrw satp, t0
        sfence.vma
        li t0, 0x1800
        csrc mstatus, t0
        li t0, 0x800
        csrs mstatus, t0                         # MPP = S
        la t0, s_main
        csrw mepc, t0
        mret

s_main:
        li s0, 0x1234
        li s1, 0                                 # reads that returned the right word
        li s4, 3                                 # rounds: warm, then clear-and-reread twice
round:
        li a0, 0x40000000                        # VA of page 4 i
        la a1, l0                                # its PTE
        li a2, 48
2:      ld t0, 0(a0)                             # model: D-TLB miss, walk (PTE valid then)
        ld t1, 0(a1)
        andi t1, t1, -2
        sd t1, 0(a1)                             # clear V: the hart's TLB still maps the page
        ld t2, 0(a0)
        bne t0, s0, 3f
        bne t2, s0, 3f
        addi s1, s1, 1
3:      li t3, 0x4000
        add a0, a0, t3
        addi a1, a1, 32
        addi a2, a2, -1
        bnez a2, 2b
        # Valid again for the next round, from M mode: the ecall ends the translated batch, so its
        # commit log is replayed while the PTEs are still invalid.
        li a7, 1
        ecall
        addi s4, s4, -1
        bnez s4, round
        li a7, 0
        ecall

        .balign 4
mtrap:  csrr t0, mcause
        li t1, 9                                 # ecall from S
        bne t0, t1, fail
        beqz a7, finish
        la a1, l0
        li a2, 48
4:      ld t1, 0(a1)
        ori t1, t1, 1
        sd t1, 0(a1)
        addi a1, a1, 32
        addi a2, a2, -1
        bnez a2, 4b
        csrr t0, mepc
        addi t0, t0, 4
        csrw mepc, t0
        mret
finish: li t0, 144                               # 3 rounds x 48 pages
        bne s1, t0, fail
        li t0, 1
        j done
fail:   li t0, 3
done:   la t1, tohost
        sd t0, 0(t1)
1:      j 1b

        .bss
        .balign 4096
root:   .space 4096
l1:     .space 4096
l0:     .space 4096
page:   .space 4096

        .section .tohost, "aw", @progbits
        .balign 8
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
