// Physical page allocator and Sv39 page tables.

import type { Asm } from '../builder.js';

/** Page allocator, vm_map, uva_to_pa. */
export function memoryText(a: Asm): void {
  // -------------------------------------------------------------------------------------------------
  a.heading('Physical page allocator: a free list of 4 KiB pages over a bump region [alloc_next, RAM_END)');
  a.func('page_alloc', 'a0 = a zeroed page, or 0 when memory is exhausted.');
  a.block(`
    la t0, free_list
    ld a0, 0(t0)
    beqz a0, 1f
    ld t1, 0(a0)
    sd t1, 0(t0)
    j page_zero
1:
    li a0, 1
    j page_alloc_contig
  `);
  a.func('page_alloc_contig', 'a0 = the first of a0 physically contiguous zeroed pages, or 0 (none left, or a0 = 0).\nThe page count is compared with the pages left, never multiplied first: no count can wrap the cursor.');
  a.block(`
    beqz a0, 9f
    la t0, alloc_next
    ld t1, 0(t0)
    li t3, RAM_END
    sub t2, t3, t1
    srli t2, t2, 12           # pages left (alloc_next <= RAM_END always)
    bgtu a0, t2, 9f
    slli a0, a0, 12
    add t2, t1, a0
    sd t2, 0(t0)
    mv a0, t1
    mv t0, t1                 # zero [t1, t2)
2:
    sd zero, 0(t0)
    sd zero, 8(t0)
    sd zero, 16(t0)
    sd zero, 24(t0)
    addi t0, t0, 32
    bltu t0, t2, 2b
    ret
9:
    li a0, 0
    ret
  `);
  a.label('page_zero');
  a.block(`
    li t1, PAGE_SIZE
    add t1, a0, t1
    mv t0, a0
1:
    sd zero, 0(t0)
    sd zero, 8(t0)
    sd zero, 16(t0)
    sd zero, 24(t0)
    addi t0, t0, 32
    bltu t0, t1, 1b
    ret
  `);
  a.func('page_free', 'Return the page at a0 to the free list.');
  a.block(`
    la t0, free_list
    ld t1, 0(t0)
    sd t1, 0(a0)
    sd a0, 0(t0)
    ret
  `);

  // -------------------------------------------------------------------------------------------------
  a.heading('The one range check for user-supplied (base, length) pairs');
  a.func('range_check', 'range_check(a0 = base, a1 = length, a2 = lo, a3 = hi): t0 = 0 when [base, base + length) lies\ninside [lo, hi), else nonzero. No sum is formed, so nothing can wrap: base >= lo, base <= hi and\nlength <= hi - base (an empty range at hi is inside). Leaf; changes t0 only. Every system call that\ntakes a user range (write, map_shared, xpc_relay_alloc, ...) checks it here (docs/kernel.md, Security model).');
  a.block(`
    bltu a0, a2, 9f
    bgtu a0, a3, 9f
    sub t0, a3, a0
    bgtu a1, t0, 9f
    li t0, 0
    ret
9:
    li t0, 1
    ret
  `);

  // -------------------------------------------------------------------------------------------------
  a.heading('Sv39 page tables (privileged spec 4.4)');
  a.func('vm_map', 'Map the 4 KiB page at va (a1) to pa (a2) with PTE flags a3 in the table rooted at a0.\nIntermediate tables are allocated on demand. a0 = 0, E_NOMEM, or E_EXISTS when va is mapped.');
  a.block(`
    addi sp, sp, -64
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
    sd s4, 40(sp)
    mv s0, a0                 # current table
    mv s1, a1
    mv s2, a2
    mv s3, a3
    li s4, 30                 # shift of the VPN field at this level: 30, 21
1:
    srl t0, s1, s4
    andi t0, t0, 511
    slli t0, t0, 3
    add t0, s0, t0            # &pte
    ld t1, 0(t0)
    andi t2, t1, PTE_V
    bnez t2, 2f
    sd t0, 48(sp)             # keep &pte across the call
    call page_alloc
    ld t0, 48(sp)
    beqz a0, 8f
    srli t1, a0, 12
    slli t1, t1, 10
    ori t1, t1, PTE_V         # a pointer to the next level: V only
    sd t1, 0(t0)
2:
    andi t2, t1, PTE_R|PTE_W|PTE_X
    bnez t2, 7f               # a superpage is in the way
    srli t1, t1, 10
    slli s0, t1, 12
    addi s4, s4, -9
    li t0, 12
    bne s4, t0, 1b
    srli t0, s1, 12           # leaf level
    andi t0, t0, 511
    slli t0, t0, 3
    add t0, s0, t0
    ld t1, 0(t0)
    andi t1, t1, PTE_V
    bnez t1, 7f
    srli t1, s2, 12
    slli t1, t1, 10
    or t1, t1, s3
    ori t1, t1, PTE_V|PTE_A|PTE_D
    sd t1, 0(t0)
    li a0, 0
    j 9f
7:
    li a0, E_EXISTS
    j 9f
8:
    li a0, E_NOMEM
9:
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    ld s4, 40(sp)
    addi sp, sp, 64
    ret
  `);
  a.func('uva_to_pa', 'Translate user va a1 in the table rooted at a0, requiring leaf PTE flags a2 (e.g.\nPTE_U|PTE_R). a0 = physical address, or -1 when not mapped that way. Leaf only (no t-regs but t0-t2).');
  a.block(`
    li t0, USER_VA_LIMIT
    bgeu a1, t0, 9f
    li t2, 30
1:
    srl t0, a1, t2
    andi t0, t0, 511
    slli t0, t0, 3
    add t0, a0, t0
    ld t1, 0(t0)
    andi t0, t1, PTE_V
    beqz t0, 9f
    li t0, 12
    beq t2, t0, 2f            # leaf level reached
    andi t0, t1, PTE_R|PTE_W|PTE_X
    bnez t0, 9f               # superpages are kernel mappings: never user buffers
    srli t1, t1, 10
    slli a0, t1, 12
    addi t2, t2, -9
    j 1b
2:
    and t0, t1, a2
    bne t0, a2, 9f
.if KERNEL_PKEY
    slli t1, t1, 10         # PPN = bits 53:10 (a protection key sits above)
    srli t1, t1, 20
.else
    srli t1, t1, 10
.endif
    slli t1, t1, 12
    slli t0, a1, 52           # page offset
    srli t0, t0, 52
    or a0, t1, t0
    ret
9:
    li a0, -1
    ret
  `);
  a.func('vm_unmap', 'Clear the leaf PTE of user va a1 in the table rooted at a0 and flush the TLB. a0 = the physical page it\nmapped, or 0 when nothing was mapped there. Intermediate tables stay. Leaf (t0-t2 only).');
  a.block(`
    li t0, USER_VA_LIMIT
    bgeu a1, t0, 9f
    li t2, 30
1:
    srl t0, a1, t2
    andi t0, t0, 511
    slli t0, t0, 3
    add t0, a0, t0
    ld t1, 0(t0)
    andi a0, t1, PTE_V
    beqz a0, 9f
    addi t2, t2, -9
    li a0, 12
    bltu t2, a0, 2f           # t2 was 12: t0 is the leaf PTE
    andi a0, t1, PTE_R|PTE_W|PTE_X
    bnez a0, 9f               # a superpage: not a user page
    srli t1, t1, 10
    slli a0, t1, 12
    j 1b
2:
    sd zero, 0(t0)
    sfence.vma zero, zero
.if KERNEL_PKEY
    slli t1, t1, 10         # PPN = bits 53:10 (a protection key sits above)
    srli t1, t1, 20
.else
    srli t1, t1, 10
.endif
    slli a0, t1, 12
    ret
9:
    li a0, 0
    ret
  `);
  a.func('vm_reclaim', 'Free every page the user half of the table rooted at a0 maps with PTE_OWNED (program, stack,\nIPC buffer) and clear those PTEs. Page-table pages, XPC context pages and shared frames stay: a dead\nprocess\'s contexts are still read when threads unwind through it. a0 = pages freed.');
  a.block(`
    addi sp, sp, -48
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
    sd s4, 40(sp)
    li s4, 0                   # pages freed
    mv s0, a0
    li s1, 0                   # root index: the user half is VPN[2] < 256
1:
    slli t0, s1, 3
    add t0, s0, t0
    ld t0, 0(t0)
    andi t1, t0, PTE_V
    beqz t1, 6f
    andi t1, t0, PTE_R|PTE_W|PTE_X
    bnez t1, 6f                # a leaf (the kernel gigapages): not ours
    srli t0, t0, 10
    slli s2, t0, 12            # level-1 table
    li s3, 0
2:
    slli t0, s3, 3
    add t0, s2, t0
    ld t0, 0(t0)
    andi t1, t0, PTE_V
    beqz t1, 5f
    srli t0, t0, 10
    slli t5, t0, 12            # level-0 table
    li t6, 0
3:
    slli t2, t6, 3
    add t2, t5, t2             # &pte
    ld t3, 0(t2)
    andi t4, t3, PTE_V
    beqz t4, 4f
    andi t4, t3, PTE_OWNED
    beqz t4, 4f
    sd zero, 0(t2)
.if KERNEL_PKEY
    slli t3, t3, 10         # PPN = bits 53:10 (a protection key sits above)
    srli t3, t3, 20
.else
    srli t3, t3, 10
.endif
    slli a0, t3, 12
    call page_free             # (clobbers t0, t1 only)
    addi s4, s4, 1
4:
    addi t6, t6, 1
    li t0, 512
    bltu t6, t0, 3b
5:
    addi s3, s3, 1
    li t0, 512
    bltu s3, t0, 2b
6:
    addi s1, s1, 1
    li t0, 256
    bltu s1, t0, 1b
    mv a0, s4
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    ld s4, 40(sp)
    addi sp, sp, 48
    ret
  `);
}
