# MIPS benchmark: a bare-metal integer workload for `rvx bench mips`. Each round fills an array with a
# 64-bit LCG, insertion-sorts it and checks the order, then runs a bitwise CRC-32 and an FNV-1a hash
# over its bytes. ROUNDS rounds run in M mode with translation off, then the same ROUNDS rounds in S
# mode under Sv39 (a 1 GiB identity gigapage). Both halves must produce the same checksum, the CRC and
# FNV routines must give their published check values, and the run ends through HTIF (tohost = 1 on
# success, else (code << 1) | 1 with the code below). About 2 x ROUNDS x 249,000 instructions (209 million for 420 rounds).
#
# Failure codes: 2 array not sorted, 3 CRC-32("123456789") != 0xcbf43926, 4 FNV-1a("a") wrong,
# 5 M and S checksums differ, 6 unexpected trap.

        .ifndef ROUNDS
        .equ ROUNDS, 420
        .endif
        .equ N, 256                     # array elements (8 bytes each)

        .text
        .globl _start
_start:
        la t0, 1f                       # PMP: open all memory to S (tolerate a hart without PMP)
        csrw mtvec, t0
        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f
        csrw pmpcfg0, t0
        .balign 4
1:      la t0, trap_m
        csrw mtvec, t0
        la sp, stack_top

        # self-checks of the kernels
        la a0, check_str
        li a1, 9
        call crc32
        li t0, 0xcbf43926
        li a7, 3
        bne a0, t0, fail
        la a0, check_str_a
        li a1, 1
        call fnv1a
        li t0, 0xaf63dc4c8601ec8c
        li a7, 4
        bne a0, t0, fail

        # first half: M mode, bare
        li a0, ROUNDS
        call rounds
        mv s1, a0

        # second half: S mode under Sv39
        la t0, pt_root
        li t1, (0x80000000 >> 12) << 10 | 0xcf     # V R W X A D
        sd t1, 16(t0)                               # root[2]: VA 0x80000000.. -> PA 0x80000000..
        srli t0, t0, 12
        li t1, 8 << 60
        or t0, t0, t1
        csrw satp, t0
        sfence.vma
        li t0, 0x1800
        csrc mstatus, t0
        li t0, 0x0800                   # MPP = S
        csrs mstatus, t0
        la t0, s_half
        csrw mepc, t0
        mret
s_half:
        li a0, ROUNDS
        call rounds
        mv s2, a0
        ecall                           # to M: trap_m continues at finish

finish:
        li a7, 5
        bne s1, s2, fail
        li t0, 1
        la t1, tohost
        sd t0, 0(t1)
1:      j 1b

fail:                                   # a7 = code
        slli t0, a7, 1
        ori t0, t0, 1
        la t1, tohost
        sd t0, 0(t1)
1:      j 1b

        .balign 4
trap_m:
        csrr t0, mcause
        li t1, 9                        # ecall from S: the second half is done
        li a7, 6
        bne t0, t1, fail
        csrw satp, zero
        la t0, finish
        csrw mepc, t0
        li t0, 0x1800
        csrs mstatus, t0                # MPP = M
        mret

# a0 = rounds -> a0 = checksum
rounds:
        addi sp, sp, -32
        sd ra, 0(sp)
        sd s0, 8(sp)
        sd s3, 16(sp)
        sd s4, 24(sp)
        mv s0, a0
        li s3, 0                        # checksum
        li s4, 1                        # seed
1:      beqz s0, 2f
        la a0, array
        li a1, N
        mv a2, s4
        call fill
        la a0, array
        li a1, N
        call isort
        la a0, array
        li a1, N
        call check_sorted
        la a0, array
        li a1, N * 8
        call crc32
        li t0, 31
        mul s3, s3, t0
        add s3, s3, a0
        la a0, array
        li a1, N * 8
        call fnv1a
        xor s3, s3, a0
        addi s4, s4, 1
        addi s0, s0, -1
        j 1b
2:      mv a0, s3
        ld ra, 0(sp)
        ld s0, 8(sp)
        ld s3, 16(sp)
        ld s4, 24(sp)
        addi sp, sp, 32
        ret

# fill(a0 = base, a1 = n, a2 = seed): x = x * 6364136223846793005 + 1442695040888963407
fill:
        li t1, 6364136223846793005
        li t2, 1442695040888963407
        mv t0, a2
1:      mul t0, t0, t1
        add t0, t0, t2
        sd t0, 0(a0)
        addi a0, a0, 8
        addi a1, a1, -1
        bnez a1, 1b
        ret

# isort(a0 = base, a1 = n): insertion sort, unsigned ascending
isort:
        li t0, 1
1:      bgeu t0, a1, 4f
        slli t1, t0, 3
        add t1, a0, t1
        ld t2, 0(t1)                    # key
        mv t3, t1
2:      beq t3, a0, 3f
        ld t4, -8(t3)
        bleu t4, t2, 3f
        sd t4, 0(t3)
        addi t3, t3, -8
        j 2b
3:      sd t2, 0(t3)
        addi t0, t0, 1
        j 1b
4:      ret

# check_sorted(a0 = base, a1 = n): fail with 2 unless ascending
check_sorted:
        addi a1, a1, -1
1:      beqz a1, 2f
        ld t0, 0(a0)
        ld t1, 8(a0)
        li a7, 2
        bltu t1, t0, fail
        addi a0, a0, 8
        addi a1, a1, -1
        j 1b
2:      ret

# crc32(a0 = buf, a1 = len) -> a0: CRC-32 (reflected, polynomial 0xedb88320), one bit at a time
crc32:
        li t0, 0xffffffff
        li t5, 0xedb88320
1:      beqz a1, 3f
        lbu t1, 0(a0)
        xor t0, t0, t1
        li t2, 8
2:      andi t3, t0, 1
        srli t0, t0, 1
        neg t3, t3
        and t3, t3, t5
        xor t0, t0, t3
        addi t2, t2, -1
        bnez t2, 2b
        addi a0, a0, 1
        addi a1, a1, -1
        j 1b
3:      not t0, t0
        slli t0, t0, 32
        srli a0, t0, 32
        ret

# fnv1a(a0 = buf, a1 = len) -> a0: 64-bit FNV-1a
fnv1a:
        li t0, 0xcbf29ce484222325
        li t2, 0x100000001b3
1:      beqz a1, 2f
        lbu t1, 0(a0)
        xor t0, t0, t1
        mul t0, t0, t2
        addi a0, a0, 1
        addi a1, a1, -1
        j 1b
2:      mv a0, t0
        ret

        .section .rodata
check_str:
        .ascii "123456789"
check_str_a:
        .ascii "a"

        .bss
        .balign 4096
pt_root:
        .space 4096
array:
        .space N * 8
        .balign 16
        .space 4096
stack_top:

        .section .tohost, "aw", @progbits
        .balign 8
        .globl tohost
        .type tohost, @object
        .size tohost, 8
tohost: .dword 0
        .globl fromhost
        .type fromhost, @object
        .size fromhost, 8
fromhost: .dword 0
