# A loop storing next to HTIF's tohost (docs/machine.md "HTIF"): LOOPS passes of sd/addi/bnez
# (3 x LOOPS instructions) store to `buf`, which shares tohost's 4 KiB page, as the data of riscv-tests
# and of many bare-metal programs does; then the program exits through tohost with code 0. Prepend
# `.equ OWN_PAGE, 1` to put buf on a page of its own (the speed every store to the tohost page should
# have); `.equ LOOPS, n` to change the length. Time it with `rvx run` on each tier:
#   node dist/rvx.cjs asm bench/programs/htif-page.s -o /tmp/near.elf
#   (echo '.equ OWN_PAGE, 1'; cat bench/programs/htif-page.s) > /tmp/far.s
#   node dist/rvx.cjs asm /tmp/far.s -o /tmp/far.elf
#   time node dist/rvx.cjs run /tmp/near.elf     (also --core ideal, --tier interp --core ideal)

        .ifndef LOOPS
        .equ LOOPS, 3000000
        .endif
        .ifndef OWN_PAGE
        .equ OWN_PAGE, 0
        .endif

        .text
        .globl _start
_start:
        li t0, LOOPS
        la t1, buf
1:      sd t0, 0(t1)
        addi t0, t0, -1
        bnez t0, 1b
        li a0, 1
        la t2, tohost
        sd a0, 0(t2)
2:      j 2b

        .data
        .balign 4096
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
        .if OWN_PAGE
        .balign 4096
        .endif
buf:    .dword 0
