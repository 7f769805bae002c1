# Bare-metal start for rvx and Spike: FS = Initial, a stack, main(), exit code through HTIF tohost;
# putch through the HTIF console (device 1, command 1).
        .section .text.init, "ax"
        .globl _start
_start: la sp, stack_top
        li t0, 0x2000
        csrs mstatus, t0
        call main
        slli a0, a0, 1
        ori a0, a0, 1
        la t0, tohost
        sd a0, 0(t0)
1:      j 1b

        .text
        .globl putch
putch:  li t0, (1 << 56) | (1 << 48)
        andi a0, a0, 0xff
        or a0, a0, t0
        la t0, tohost
        sd a0, 0(t0)
1:      ld t1, 0(t0)
        bnez t1, 1b
        la t0, fromhost
        sd zero, 0(t0)
        ret

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
