// IPC slow path: endpoints, long messages, replies, notifications, shared frames.

import type { Asm } from '../builder.js';

export function ipcText(a: Asm, X: boolean): void {
  a.heading('IPC slow path: queues, long messages, replies, notifications, shared frames');
  a.func('cap_lookup', 'a0 = slot, a1 = expected CAP_T_*: a0 = &slot (valid) or 0 (empty, wrong type, out of range).\nThe slot is the acting process\'s (s10): inside an xcall, the callee\'s.');
  a.block(`
    li t0, CAP_SLOTS
    bgeu a0, t0, 9f
    slli t0, a0, 5
    add t0, t0, s10
    addi t0, t0, TCB_CAPS
    ld t1, CAP_TYPE(t0)
    bne t1, a1, 9f
    mv a0, t0
    ret
9:
    li a0, 0
    ret
  `);
  a.func('ipcbuf_pa', 'a0 = physical address of the IPC buffer the thread a0 sees: its own page, or inside an xcall\nthe page mapped at USER_IPC_BUFFER in the callee it runs in (shared by every thread inside it).');
  if (X) {
    a.block(`
    ld t0, TCB_XPC_BUSY(a0)
    beqz t0, 1f
    ld t1, TCB_SATP(a0)
    ld t2, TCB_HOME_SATP(a0)
    beq t1, t2, 1f
    addi sp, sp, -16
    sd ra, 0(sp)
    sd a0, 8(sp)
    slli a0, t1, 20            # root table of the space it runs in
    srli a0, a0, 8
    li a1, USER_IPC_BUFFER
    li a2, PTE_U|PTE_R|PTE_W
    call uva_to_pa
    ld t0, 8(sp)
    ld ra, 0(sp)
    addi sp, sp, 16
    bgez a0, 2f
    mv a0, t0
1:
    `);
  }
  a.block(`
    ld a0, TCB_IPCBUF(a0)
2:
    ret
  `);
  a.func('msg_transfer', 'Copy a message from the saved registers (and IPC buffer) of sender a1 into receiver a0,\nwhose a0 becomes a2 (badge, or 0 for a reply). Lengths were checked at the system call.');
  a.block(`
    sd a2, TF_A0(a0)
    ld t0, TF_A1(a1)
    sd t0, TF_A1(a0)
    ld t1, TF_A2(a1)
    sd t1, TF_A2(a0)
    ld t1, TF_A3(a1)
    sd t1, TF_A3(a0)
    ld t1, TF_A4(a1)
    sd t1, TF_A4(a0)
    ld t1, TF_A5(a1)
    sd t1, TF_A5(a0)
    li t1, 32
    bleu t0, t1, 9f           # short: registers only
    addi sp, sp, -48          # long: copy between the IPC buffer pages (physical = kernel va)
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    mv s0, a0
    mv s1, a1
    addi s2, t0, 7
    andi s2, s2, -8           # bytes, rounded up to whole words
    mv a0, s1
    call ipcbuf_pa
    mv t2, a0
    mv a0, s0
    sd t2, 32(sp)
    call ipcbuf_pa
    ld t2, 32(sp)
    mv t3, a0
    add t0, t2, s2
1:
    ld t1, 0(t2)
    sd t1, 0(t3)
    addi t2, t2, 8
    addi t3, t3, 8
    bltu t2, t0, 1b
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    addi sp, sp, 48
9:
    ret
  `);
  a.func('ep_enqueue', 'Append TCB a1 to the queue of endpoint a0, whose state becomes a2.');
  a.block(`
    sd zero, TCB_NEXT(a1)
    sd a0, TCB_BLOCKED_ON(a1)
    ld t0, EP_STATE(a0)
    beqz t0, 1f
    ld t1, EP_TAIL(a0)
    sd a1, TCB_NEXT(t1)
    sd a1, EP_TAIL(a0)
    ret
1:
    sd a2, EP_STATE(a0)
    sd a1, EP_HEAD(a0)
    sd a1, EP_TAIL(a0)
    ret
  `);
  a.func('ep_dequeue', 'Take the first TCB of endpoint a0 (a0 = it); the endpoint goes idle when emptied.');
  a.block(`
    ld t0, EP_HEAD(a0)
    ld t1, TCB_NEXT(t0)
    sd t1, EP_HEAD(a0)
    bnez t1, 1f
    sd zero, EP_STATE(a0)
1:
    sd zero, TCB_NEXT(t0)
    sd zero, TCB_BLOCKED_ON(t0)
    mv a0, t0
    ret
  `);
  a.func('ep_remove', 'Remove TCB a1 from the queue of endpoint a0 wherever it is.');
  a.block(`
    li t3, 0
    ld t4, EP_HEAD(a0)
1:
    beqz t4, 9f
    beq t4, a1, 2f
    mv t3, t4
    ld t4, TCB_NEXT(t4)
    j 1b
2:
    ld t5, TCB_NEXT(a1)
    bnez t3, 3f
    sd t5, EP_HEAD(a0)
    j 4f
3:
    sd t5, TCB_NEXT(t3)
4:
    ld t6, EP_TAIL(a0)
    bne t6, a1, 5f
    sd t3, EP_TAIL(a0)
5:
    ld t0, EP_HEAD(a0)
    bnez t0, 9f
    sd zero, EP_STATE(a0)
9:
    ret
  `);

  a.func('check_msg_len', 'a1 = message length: falls through to the caller when <= MAX_MESSAGE, else returns E_INVAL\nto the user. (A macro-like tail: call as `call check_msg_len`.)');
  a.block(`
    li t0, MAX_MESSAGE
    bgtu a1, t0, 1f
    ret
1:
    li a0, E_INVAL
    j syscall_return
  `);

  a.func('sys_send', 'send(a0 = endpoint slot, a1 = length, a2..a5 = message) -> 0, E_CAP or E_INVAL. Blocks until\na receiver takes the message (seL4 Send).');
  a.block(`
    call check_msg_len
    li a1, CAP_T_ENDPOINT
    call cap_lookup
    beqz a0, 9f
    ld s0, CAP_OBJ(a0)
    ld s1, CAP_BADGE(a0)
    sd zero, TF_A0(s11)        # the result once delivered
    ld t0, EP_STATE(s0)
    li t1, EPS_RECV
    bne t0, t1, 2f
    mv a0, s0                  # a receiver is waiting: deliver and both continue
    call ep_dequeue
    mv s2, a0
    mv a1, s11
    mv a2, s1
    call msg_transfer
    sd zero, TCB_REPLY_TO(s2)
    mv a0, s2
    call ready_enqueue
    j resume_current
2:
    sd s1, TCB_SEND_BADGE(s11)  # queue as a sender
    sd zero, TCB_SEND_FLAGS(s11)
    li t0, TS_BLOCKED_SEND
    sd t0, TCB_STATE(s11)
    mv a0, s0
    mv a1, s11
    li a2, EPS_SEND
    call ep_enqueue
    j schedule
9:
    li a0, E_CAP
    j syscall_return
  `);
  a.func('sys_call', 'call(a0 = endpoint slot, a1 = length, a2..a5 = message) -> 0 with the reply in a1..a5\n(long replies in the IPC buffer), or E_CAP, E_INVAL, E_DEAD (the server died before replying).');
  a.block(`
    call check_msg_len
    li a1, CAP_T_ENDPOINT
    call cap_lookup
    beqz a0, 9f
    ld s0, CAP_OBJ(a0)
    ld s1, CAP_BADGE(a0)
    li t0, TS_BLOCKED_REPLY
    ld t1, EP_STATE(s0)
    li t2, EPS_RECV
    bne t1, t2, 2f
    sd t0, TCB_STATE(s11)      # a receiver is waiting: hand over and run it
    mv a0, s0
    call ep_dequeue
    mv s2, a0
    mv a1, s11
    mv a2, s1
    call msg_transfer
    sd s11, TCB_REPLY_TO(s2)
    mv a0, s2
    j switch_to
2:
    sd s1, TCB_SEND_BADGE(s11)
    li t0, SENDF_CALL
    sd t0, TCB_SEND_FLAGS(s11)
    li t0, TS_BLOCKED_SEND
    sd t0, TCB_STATE(s11)
    mv a0, s0
    mv a1, s11
    li a2, EPS_SEND
    call ep_enqueue
    j schedule
9:
    li a0, E_CAP
    j syscall_return
  `);
  a.func('do_recv', 'Receive on the endpoint in slot a0 (shared by recv and reply_recv). As in seL4, a receive on a valid\nendpoint first drops a reply capability the thread did not use (its caller stays blocked).');
  a.block(`
    li a1, CAP_T_ENDPOINT
    call cap_lookup
    beqz a0, 9f
    sd zero, TCB_REPLY_TO(s11)
    ld s0, CAP_OBJ(a0)
    ld t0, EP_STATE(s0)
    li t1, EPS_SEND
    bne t0, t1, 2f
    mv a0, s0                  # a sender is queued: take its message
    call ep_dequeue
    mv s2, a0
    mv a0, s11
    mv a1, s2
    ld a2, TCB_SEND_BADGE(s2)
    call msg_transfer
    ld t0, TCB_SEND_FLAGS(s2)
    andi t0, t0, SENDF_CALL
    beqz t0, 1f
    sd s2, TCB_REPLY_TO(s11)   # a call: the sender now waits for our reply
    li t0, TS_BLOCKED_REPLY
    sd t0, TCB_STATE(s2)
    j resume_current
1:
    sd zero, TF_A0(s2)         # a send: the sender continues
    mv a0, s2
    call ready_enqueue
    j resume_current
2:
    li t0, TS_BLOCKED_RECV
    sd t0, TCB_STATE(s11)
    mv a0, s0
    mv a1, s11
    li a2, EPS_RECV
    call ep_enqueue
    j schedule
9:
    li a0, E_CAP
    j syscall_return
  `);
  a.func('sys_recv', 'recv(a0 = endpoint slot) -> a0 = badge, a1 = length, a2..a5 = message; or E_CAP; E_PERM inside an xcall.');
  a.i('bne s10, s11, syscall_perm').i('j do_recv');
  a.func('syscall_perm', 'E_PERM: receiving and replying are the home process\'s business. A reply capability is held by\nthe thread for its home process; inside an xcall the callee may neither use it nor replace it.');
  a.li('a0', 'E_PERM').i('j syscall_return');
  a.func('do_reply', 'Deliver the reply in the saved registers of s11 to its caller. a0 = 0 or E_NOREPLY.');
  a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s2, 8(sp)
    ld s2, TCB_REPLY_TO(s11)
    beqz s2, 8f
    ld t0, TCB_STATE(s2)
    li t1, TS_BLOCKED_REPLY
    bne t0, t1, 8f
    mv a0, s2
    mv a1, s11
    li a2, 0
    call msg_transfer
    sd zero, TCB_REPLY_TO(s11)
    mv a0, s2
    call ready_enqueue
    li a0, 0
    j 9f
8:
    sd zero, TCB_REPLY_TO(s11)
    li a0, E_NOREPLY
9:
    ld ra, 0(sp)
    ld s2, 8(sp)
    addi sp, sp, 16
    ret
  `);
  a.func('sys_reply', 'reply(a1 = length, a2..a5 = message) -> 0, E_INVAL or E_NOREPLY (no caller waiting); E_PERM inside an xcall.');
  a.block(`
    bne s10, s11, syscall_perm
    call check_msg_len
    call do_reply
    j syscall_return
  `);
  a.func('sys_reply_recv', 'reply_recv(a0 = endpoint slot, a1 = length, a2..a5 = reply) -> as recv. The reply goes to\nthe caller (if any), then the thread receives on the endpoint; an invalid slot fails only the receive\n(E_CAP), as in seL4. E_PERM inside an xcall.');
  a.block(`
    bne s10, s11, syscall_perm
    call check_msg_len
    mv s3, a0
    call do_reply              # seL4: the reply is sent whatever happens to the receive
    mv a0, s3
    j do_recv
  `);
  a.func('sys_signal', 'signal(a0 = notification slot) -> 0 or E_CAP: OR the badge into the word and mark it signalled\n(a badge of 0 signals too: seL4), wake the waiter.');
  a.block(`
    li a1, CAP_T_NOTIFICATION
    call cap_lookup
    beqz a0, 9f
    ld s0, CAP_OBJ(a0)
    ld t0, CAP_BADGE(a0)
    ld t1, NTFN_WORD(s0)
    or t1, t1, t0
    sd t1, NTFN_WORD(s0)
    li t0, 1
    sd t0, NTFN_ACTIVE(s0)
    ld t2, NTFN_WAITER(s0)
    beqz t2, 1f
    sd t1, TF_A0(t2)           # the waiter receives the word
    sd zero, NTFN_WORD(s0)
    sd zero, NTFN_ACTIVE(s0)
    sd zero, NTFN_WAITER(s0)
    sd zero, TCB_BLOCKED_ON(t2)
    mv a0, t2
    call ready_enqueue
1:
    li a0, 0
    j syscall_return
9:
    li a0, E_CAP
    j syscall_return
  `);
  a.func('sys_wait', 'wait(a0 = notification slot) -> the word (the OR of the badges signalled since the last wait: 0 when\nonly badge-0 capabilities signalled), blocking until signalled; E_CAP, or E_INVAL (another thread waits).');
  a.block(`
    li a1, CAP_T_NOTIFICATION
    call cap_lookup
    beqz a0, 9f
    ld s0, CAP_OBJ(a0)
    ld t0, NTFN_ACTIVE(s0)
    beqz t0, 1f
    ld a0, NTFN_WORD(s0)
    sd zero, NTFN_WORD(s0)
    sd zero, NTFN_ACTIVE(s0)
    j syscall_return
1:
    ld t0, NTFN_WAITER(s0)
    bnez t0, 8f
    sd s11, NTFN_WAITER(s0)
    sd s0, TCB_BLOCKED_ON(s11)
    li t0, TS_BLOCKED_NOTIF
    sd t0, TCB_STATE(s11)
    j schedule
8:
    li a0, E_INVAL
    j syscall_return
9:
    li a0, E_CAP
    j syscall_return
  `);
  a.func('sys_map_shared', 'map_shared(a0 = frame slot, a1 = va) -> 0, E_CAP, E_INVAL (va not page aligned or outside\n[USER_SHARED_MIN, USER_SHARED_MAX)), E_EXISTS or E_NOMEM. Maps the frame read/write.');
  a.block(`
    mv s3, a1
    li a1, CAP_T_FRAME
    call cap_lookup
    beqz a0, 9f
    ld s0, CAP_OBJ(a0)         # physical base
    ld s1, CAP_BADGE(a0)       # pages
    slli t0, s3, 52
    bnez t0, 8f
    mv a0, s3                  # range_check(va, pages * PAGE_SIZE, USER_SHARED_MIN, USER_SHARED_MAX)
    slli a1, s1, 12
    li a2, USER_SHARED_MIN
    li a3, USER_SHARED_MAX
    call range_check
    bnez t0, 8f
    li s2, 0                   # first check that nothing is mapped there
1:
    slli t0, s2, 12
    ld a0, TCB_ROOT(s10)
    add a1, s3, t0
    li a2, PTE_V
    call uva_to_pa
    bgez a0, 7f
    addi s2, s2, 1
    bltu s2, s1, 1b
    li s2, 0
2:
    slli t0, s2, 12
    ld a0, TCB_ROOT(s10)
    add a1, s3, t0
    add a2, s0, t0
    li a3, PTE_R|PTE_W|PTE_U
    call vm_map
    bnez a0, 5f
    addi s2, s2, 1
    bltu s2, s1, 2b
    li a0, 0
    j syscall_return
5:
    mv s4, a0                  # E_NOMEM (a page-table page): unmap the pages mapped so far
4:
    beqz s2, 6f
    addi s2, s2, -1
    slli t0, s2, 12
    ld a0, TCB_ROOT(s10)
    add a1, s3, t0
    call vm_unmap
    j 4b
6:
    mv a0, s4
    j syscall_return
7:
    li a0, E_EXISTS
    j syscall_return
8:
    li a0, E_INVAL
    j syscall_return
9:
    li a0, E_CAP
    j syscall_return
  `);
}
