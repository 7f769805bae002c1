// The program `rvx demo xpc` runs: bare metal, two Sv39 address spaces (a caller and a callee), and one
// message exchanged ITERATIONS times each way two ways:
//   1. a minimal trap-based IPC in the style of a microkernel fastpath: the caller's `ecall` enters an
//      S-mode kernel that saves the caller's registers, finds the callee, hands over the message
//      registers a0-a3, switches satp (with a full sfence.vma, as seL4 does on RISC-V) and `sret`s into
//      the callee; the callee's reply `ecall` takes the same way back;
//   2. XPC: the caller's `xcall` enters the callee directly, the callee's `xret` returns.
// Stored as assembly text so the bundled CLI carries it; rvx's own assembler builds it (`rvx demo xpc
// --source` prints it). Symbols named here are the phase boundaries the demo measures.

/** Iterations of each path unless the demo is told otherwise. */
export const DEFAULT_ITERATIONS = 16;

/** Output sections: kernel (S-only megapage at 0x80000000) and user code (U megapage at 0x80200000). */
export const IPC_LAYOUT = {
  sections: [
    { name: '.text' },
    { name: '.data' },
    { name: '.tohost' },
    { name: '.bss' },
    { name: '.utext', address: 0x80200000 },
  ],
};

/** The program's source for `iterations` passes of each path. */
export function ipcSource(iterations: number): string {
  return String.raw`# rvx demo xpc: one IPC between two Sv39 address spaces, trap-based and through XPC.
        .equ ITERATIONS, ${iterations}
        .equ PTE_V, 0x01
        .equ PTE_R, 0x02
        .equ PTE_W, 0x04
        .equ PTE_X, 0x08
        .equ PTE_U, 0x10
        .equ PTE_G, 0x20
        .equ PTE_A, 0x40
        .equ PTE_D, 0x80
        .equ SATP_SV39, 0x8000000000000000
        .equ KERNEL_PA, 0x80000000       # 2 MiB: boot, kernel, page tables (not user-accessible)
        .equ UTEXT_PA, 0x80200000        # 2 MiB: caller and callee code (user, read/execute)
        .equ PRIV_VA, 0x40000000         # each space's private 2 MiB: stack and data
        .equ CALLER_PA, 0x80400000
        .equ CALLEE_PA, 0x80600000
        # Thread control block: x1..x31 at 8*i, then the saved pc, satp, entry pc, reply target.
        .equ TCB_PC, 256
        .equ TCB_SATP, 264
        .equ TCB_ENTRY, 272
        .equ TCB_REPLY, 280
        .equ TCB_SIZE, 288
        .equ SYS_CALL, 1
        .equ SYS_REPLY, 2
        .equ SYS_EXIT, 3

# Load the registers of the TCB at t6 (t6 last) and return to its saved pc.
.macro RESTORE_AND_SRET
        ld t5, TCB_PC(t6)
        csrw sepc, t5
        ld x1, 8(t6)
        ld x2, 16(t6)
        ld x3, 24(t6)
        ld x4, 32(t6)
        ld x5, 40(t6)
        ld x6, 48(t6)
        ld x7, 56(t6)
        ld x8, 64(t6)
        ld x9, 72(t6)
        ld x10, 80(t6)
        ld x11, 88(t6)
        ld x12, 96(t6)
        ld x13, 104(t6)
        ld x14, 112(t6)
        ld x15, 120(t6)
        ld x16, 128(t6)
        ld x17, 136(t6)
        ld x18, 144(t6)
        ld x19, 152(t6)
        ld x20, 160(t6)
        ld x21, 168(t6)
        ld x22, 176(t6)
        ld x23, 184(t6)
        ld x24, 192(t6)
        ld x25, 200(t6)
        ld x26, 208(t6)
        ld x27, 216(t6)
        ld x28, 224(t6)
        ld x29, 232(t6)
        ld x30, 240(t6)
        ld x31, 248(t6)
        sret
.endm

# root[vpn2] -> next-level table at label; table[index] -> megapage at pa with flags.
.macro PT_POINT table, index, next
        la t0, \next
        srli t0, t0, 12
        slli t0, t0, 10
        ori t0, t0, PTE_V
        la t1, \table
        addi t1, t1, (\index) * 8
        sd t0, 0(t1)
.endm
.macro PT_LEAF table, index, pa, flags
        li t0, ((\pa >> 12) << 10) | (\flags)
        la t1, \table
        addi t1, t1, (\index) * 8
        sd t0, 0(t1)
.endm
.macro SATP_FOR reg, root, asid
        la \reg, \root
        srli \reg, \reg, 12
        li t6, SATP_SV39 | (\asid << 44)
        or \reg, \reg, t6
.endm

# ---- Machine-mode boot: page tables, kernel entry, the XPC engine, then the caller in U-mode -------------
        .text
        .globl _start
_start:
        la t0, m_trap
        csrw mtvec, t0
        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f
        csrw pmpcfg0, t0
        # Two spaces share the kernel (global, S-only) and user code megapages; each has its own data.
        PT_POINT root_caller, 2, l1_caller
        PT_POINT root_callee, 2, l1_callee
        PT_LEAF l1_caller, 0, KERNEL_PA, PTE_V|PTE_R|PTE_W|PTE_X|PTE_G|PTE_A|PTE_D
        PT_LEAF l1_callee, 0, KERNEL_PA, PTE_V|PTE_R|PTE_W|PTE_X|PTE_G|PTE_A|PTE_D
        PT_LEAF l1_caller, 1, UTEXT_PA, PTE_V|PTE_R|PTE_X|PTE_U|PTE_A
        PT_LEAF l1_callee, 1, UTEXT_PA, PTE_V|PTE_R|PTE_X|PTE_U|PTE_A
        PT_POINT root_caller, 1, l1p_caller
        PT_POINT root_callee, 1, l1p_callee
        PT_LEAF l1p_caller, 0, CALLER_PA, PTE_V|PTE_R|PTE_W|PTE_U|PTE_A|PTE_D
        PT_LEAF l1p_callee, 0, CALLEE_PA, PTE_V|PTE_R|PTE_W|PTE_U|PTE_A|PTE_D
        # Threads: the caller runs first; the callee starts at its entry with its own stack.
        la t2, tcb_caller
        SATP_FOR t0, root_caller, 1
        sd t0, TCB_SATP(t2)
        la t2, tcb_callee
        SATP_FOR t0, root_callee, 2
        sd t0, TCB_SATP(t2)
        la t0, callee_trap_entry
        sd t0, TCB_ENTRY(t2)
        li t0, PRIV_VA + 0x1000
        sd t0, 16(t2)                   # callee sp
        la t0, tcb_callee
        la t1, endpoints
        sd t0, 0(t1)
        # The kernel: U-mode ecalls go to S-mode; sscratch holds the running thread's TCB.
        li t0, 1 << 8
        csrw medeleg, t0
        la t0, k_trap
        csrw stvec, t0
        la t0, tcb_caller
        csrw sscratch, t0
        # The XPC engine: x-entry 0 enters the callee; the caller holds the capability for it.
        la t2, xentry_table
        SATP_FOR t0, root_callee, 2
        sd t0, 0(t2)
        la t0, callee_xpc_entry
        sd t0, 8(t2)
        la t0, cap_callee
        sd t0, 16(t2)
        li t0, 1
        sd t0, 40(t2)
        csrw xentry_base, t2
        li t0, 1
        csrw xentry_size, t0
        la t0, cap_caller
        csrw xcap, t0
        la t0, link_stack
        csrw xlink_base, t0
        csrw xlink_top, t0
        la t0, link_stack_end
        csrw xlink_limit, t0
        # Into the caller.
        SATP_FOR t0, root_caller, 1
        csrw satp, t0
        sfence.vma
        li t0, PRIV_VA + 0x1000
        mv sp, t0
        li t0, 0x1800
        csrc mstatus, t0                # MPP = U
        la t0, caller
        csrw mepc, t0
        mret

# Any trap reaching M-mode is a bug: report it as exit code 0x100 + cause.
m_trap:
        csrr a0, mcause
        addi a0, a0, 0x100
        j halt

# ---- The S-mode kernel: one trap entry, CALL and REPLY each with its own way out -----------------------
        .balign 4
k_trap:
        csrrw t6, sscratch, t6          # t6 = running TCB; sscratch = user t6
        sd x1, 8(t6)
        sd x2, 16(t6)
        sd x3, 24(t6)
        sd x4, 32(t6)
        sd x5, 40(t6)
        sd x6, 48(t6)
        sd x7, 56(t6)
        sd x8, 64(t6)
        sd x9, 72(t6)
        sd x10, 80(t6)
        sd x11, 88(t6)
        sd x12, 96(t6)
        sd x13, 104(t6)
        sd x14, 112(t6)
        sd x15, 120(t6)
        sd x16, 128(t6)
        sd x17, 136(t6)
        sd x18, 144(t6)
        sd x19, 152(t6)
        sd x20, 160(t6)
        sd x21, 168(t6)
        sd x22, 176(t6)
        sd x23, 184(t6)
        sd x24, 192(t6)
        sd x25, 200(t6)
        sd x26, 208(t6)
        sd x27, 216(t6)
        sd x28, 224(t6)
        sd x29, 232(t6)
        sd x30, 240(t6)
        csrr t5, sscratch
        sd t5, 248(t6)
        csrw sscratch, t6
        csrr t5, sepc
        sd t5, TCB_PC(t6)
k_dispatch:
        csrr t5, scause
        li t4, 8                        # ecall from U
        bne t5, t4, k_bad
        li t4, SYS_CALL
        beq a7, t4, k_call
        li t4, SYS_REPLY
        beq a7, t4, k_reply
        li t4, SYS_EXIT
        beq a7, t4, k_exit
k_bad:
        li a0, 0x200
        add a0, a0, t5
        j halt

# CALL(endpoint a6, message a0-a3): the callee runs from its entry with the message.
k_call:
        li t4, 1
        bgeu a6, t4, k_bad              # one endpoint
        la t4, endpoints
        slli t5, a6, 3
        add t4, t4, t5
        ld t4, 0(t4)                    # callee TCB
        sd t6, TCB_REPLY(t4)            # reply capability: the caller
        sd a0, 80(t4)                   # message registers
        sd a1, 88(t4)
        sd a2, 96(t4)
        sd a3, 104(t4)
        ld t5, TCB_ENTRY(t4)
        sd t5, TCB_PC(t4)
        csrw sscratch, t4
        mv t6, t4
k_call_switch:
        ld t5, TCB_SATP(t6)
        csrw satp, t5
        sfence.vma
k_call_restore:
        RESTORE_AND_SRET

# REPLY(message a0-a3): back to the thread that called, after its ecall.
k_reply:
        ld t4, TCB_REPLY(t6)
        beqz t4, k_bad
        sd zero, TCB_REPLY(t6)
        sd a0, 80(t4)
        sd a1, 88(t4)
        sd a2, 96(t4)
        sd a3, 104(t4)
        ld t5, TCB_PC(t4)
        addi t5, t5, 4
        sd t5, TCB_PC(t4)
        csrw sscratch, t4
        mv t6, t4
k_reply_switch:
        ld t5, TCB_SATP(t6)
        csrw satp, t5
        sfence.vma
k_reply_restore:
        RESTORE_AND_SRET

k_exit:
        j halt

# Exit through HTIF with code a0.
halt:
        slli a0, a0, 1
        ori a0, a0, 1
        la t0, tohost
        sd a0, 0(t0)
1:      j 1b

# ---- User code (shared by both spaces) ---------------------------------------------------------------
        .section .utext, "ax"
caller:
        # Path 1: trap-based IPC.
        li s0, ITERATIONS
1:      mv a0, s0
        li a1, 2
        li a2, 3
        li a3, 4
        addi s1, s0, 9                  # the callee answers a0 + a1 + a2 + a3
        li a6, 0
        li a7, SYS_CALL
t_call:
        ecall
t_back:
        bne a0, s1, caller_fail
        addi s0, s0, -1
        bnez s0, 1b
        # Path 2: XPC.
        li s0, ITERATIONS
2:      mv a0, s0
        li a1, 2
        li a2, 3
        li a3, 4
        addi s1, s0, 9
        li t0, 0
x_call:
        xcall t0
x_back:
        bne a0, s1, caller_fail
        addi s0, s0, -1
        bnez s0, 2b
        li a0, 0
        li a7, SYS_EXIT
        ecall
caller_fail:
        li a0, 1
        li a7, SYS_EXIT
        ecall

# The callee, entered by the kernel (trap path) or by xcall (XPC path): the same work either way.
callee_trap_entry:
        add a0, a0, a1
        add a0, a0, a2
        add a0, a0, a3
callee_trap_reply:
        li a7, SYS_REPLY
        ecall
        j callee_trap_entry             # (never: the kernel restarts the callee at its entry)

callee_xpc_entry:
        add a0, a0, a1
        add a0, a0, a2
        add a0, a0, a3
callee_xpc_ret:
        xret

# ---- Kernel data ------------------------------------------------------------------------------------
        .data
        .balign 8
endpoints: .dword 0
cap_caller: .byte 1                     # may call x-entry 0
cap_callee: .byte 0
        .section .tohost, "aw", @progbits
        .balign 8
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
        .bss
        .balign 4096
root_caller: .space 4096
root_callee: .space 4096
l1_caller: .space 4096
l1_callee: .space 4096
l1p_caller: .space 4096
l1p_callee: .space 4096
        .balign 64
tcb_caller: .space TCB_SIZE
tcb_callee: .space TCB_SIZE
        .balign 64
xentry_table: .space 64
        .balign 128
link_stack: .space 16 * 128
link_stack_end:
`;
}
