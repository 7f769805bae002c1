# Held out (written after the model's parameters were fixed, not used to choose anything): a linked list
# of 512 nodes, 80 bytes apart in a pseudo-random order over 40 KiB (more than the D-cache holds), built
# and then walked 3 times; each step loads the next pointer (load-use), adds the value, branches on its
# low bit (data-dependent, about half taken) and calls a small leaf function every 4th node.
        .include "calib.inc"
        CAL_BEGIN
        la s1, nodes
        li s2, 512
        # order[i] = (i * 197) mod 512: a permutation (197 is odd)
        li t0, 0
        li t3, 0                     # previous node address (0 = none yet)
        mv s4, zero                  # head
1:      li t1, 197
        mul t1, t0, t1
        andi t1, t1, 511
        li t2, 80
        mul t2, t1, t2
        add t2, s1, t2               # this node
        sd zero, 0(t2)               # next = null for now
        mul t4, t1, t1
        xori t4, t4, 0x5a5
        sd t4, 8(t2)                 # value
        beqz t3, 2f
        sd t2, 0(t3)                 # previous.next = this
        j 3f
2:      mv s4, t2
3:      mv t3, t2
        addi t0, t0, 1
        bne t0, s2, 1b
        li s3, 3
        li a0, 0
        li s5, 0
4:      mv t0, s4
5:      ld t1, 8(t0)
        add a0, a0, t1
        andi t2, t1, 1
        beqz t2, 6f
        xor a0, a0, t1
6:      addi s5, s5, 1
        andi t3, s5, 3
        bnez t3, 7f
        mv a1, t1
        call leaf
7:      ld t0, 0(t0)
        bnez t0, 5b
        addi s3, s3, -1
        bnez s3, 4b
        CAL_END
        .text
leaf:   slli a2, a1, 3
        sub a2, a2, a1
        add a0, a0, a2
        ret
        .data
        .balign 64
nodes:  .zero 512*80
