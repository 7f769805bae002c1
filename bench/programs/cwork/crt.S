# Bare-metal start for the C benchmark (rvx and Spike): a stack, main(), its return value through
# HTIF tohost ((code << 1) | 1; 1 = pass).
        .section .text.init, "ax"
        .globl _start
_start: la sp, stack_top
        call main
        slli a0, a0, 1
        ori a0, a0, 1
        la t0, tohost
        sd a0, 0(t0)
1:      j 1b

        .section .tohost, "aw", @progbits
        .balign 64
        .globl tohost
tohost: .dword 0
        .balign 64
        .globl fromhost
fromhost: .dword 0

        .bss
        .balign 16
        .space 65536
stack_top:
