// The seL4-style IPC fastpath for call and reply_recv.

import { ALL_REGS, type Asm, type Reg } from '../builder.js';

/**
 * Load the destination thread's home XPC registers (link stack empty, no segment) on a fastpath switch,
 * and clear the user-writable seg-mask offset so the caller's value never reaches it (docs/kernel.md,
 * "What a fastpath must keep"). Every fastpath flavour uses this one sequence.
 */
export function homeXpcRegisters(a: Asm, tcb: Reg, tmp: Reg): void {
  a.comment('destination XPC registers (home state: link stack empty, no segment)');
  for (const [csr, f] of [['xcap', 'TCB_XCAP'], ['xlink_base', 'TCB_LINK_BASE'], ['xlink_top', 'TCB_LINK_BASE'], ['xlink_limit', 'TCB_LINK_LIMIT'], ['xseglist', 'TCB_SEGLIST'], ['xseglist_size', 'TCB_SEGLIST_SIZE']] as const) {
    a.ld(tmp, f, tcb).csrw(csr, tmp);
  }
  a.csrw('xsegmask_off', 'zero', 'user-writable even with no mask active: not the caller\'s value (1 instruction)');
}

/** The seL4-style fastpath for call and reply_recv (message in a1..a5, no long message, no XPC state). */
export function fastpathText(a: Asm, X: boolean): void {
  a.heading('IPC fastpath (seL4 style). Entered from trap_entry with t6 = current TCB, every user register\n' +
    'saved, and the message still live in a0 (capability slot), a1 (length <= 32) and a2..a5. Anything\n' +
    'unusual (long message, no partner waiting, XPC state, bad capability) takes the slow path, which\n' +
    'reloads nothing: the registers are saved in the TCB. Phase labels for rvx profile --regions:\n' +
    'fastpath_call_entry (= trap_entry) -> fastpath_call -> fastpath_switch_as -> fastpath_restore -> fastpath_sret.');

  const capLookup = (slow: string) => a.block(`
    sltiu t0, a0, CAP_SLOTS
    beqz t0, ${slow}
    slli t0, a0, 5
    add t0, t0, t6            # &caps[slot] - TCB_CAPS
    ld t1, TCB_CAPS+CAP_TYPE(t0)
    li t2, CAP_T_ENDPOINT
    bne t1, t2, ${slow}
    ld t2, TCB_CAPS+CAP_OBJ(t0)     # t2 = endpoint
  `);
  const xpcCheck = (slow: string) => {
    if (!X) return;
    a.comment('No XPC state in flight on this thread (inside an xcall, holding a relay segment or a mask).');
    a.csrr('t0', 'xlink_top').ld('t1', 'TCB_LINK_BASE', 't6').i(`bne t0, t1, ${slow}`);
    a.csrr('t0', 'xseg_len').i(`bnez t0, ${slow}`);
    a.csrr('t0', 'xsegmask_len').i(`bnez t0, ${slow}`);
  };
  // Switch to t4 (destination TCB, home XPC state) and restore it with a0 = t3.
  const switchAndRestore = (p: string) => {
    a.la('t5', 'current').sd('t4', 0, 't5');
    a.li('t5', 'TS_RUNNING').sd('t5', 'TCB_STATE', 't4');
    a.global(`fastpath_${p}switch_as`);
    a.ld('t5', 'TCB_HOME_SATP', 't4').csrw('satp', 't5', 'the destination address space (its home: not busy)');
    a.raw('.if KERNEL_ASID == 0').i('sfence.vma zero, zero', 'no ASIDs: flush, as seL4 does on RISC-V').raw('.endif');
    if (X) homeXpcRegisters(a, 't4', 't5');
    a.global(`fastpath_${p}restore`);
    a.ld('t5', 'TCB_PC', 't4').csrw('sepc', 't5');
    a.csrw('sscratch', 't4');
    a.mv('a0', 't3', 'badge (call) or 0 (reply)');
    a.mv('t6', 't4');
    const keep = new Set<Reg>(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 't6']);
    a.restoreRegs(ALL_REGS.filter((r) => !keep.has(r)), 't6', 'TCB_REGS');
    a.ld('t6', 'TF_T6', 't6');
    a.global(`fastpath_${p}sret`);
    a.i('sret');
  };

  a.global('fastpath_call');
  a.comment('call(a0 = slot, a1 = length, a2..a5 = message)');
  a.i('sltiu t0, a1, 33').i('beqz t0, syscall_slow', 'long message');
  capLookup('syscall_slow');
  a.ld('t3', 'TCB_CAPS+CAP_BADGE', 't0', 't3 = badge');
  a.ld('t1', 'EP_STATE', 't2').li('t0', 'EPS_RECV').i('bne t1, t0, syscall_slow', 'no receiver waiting');
  xpcCheck('syscall_slow');
  a.ld('t4', 'EP_HEAD', 't2', 't4 = receiver');
  if (X) a.ld('t0', 'TCB_XPC_BUSY', 't4').i('bnez t0, syscall_slow');
  a.comment('dequeue the receiver');
  a.ld('t5', 'TCB_NEXT', 't4').sd('t5', 'EP_HEAD', 't2');
  a.i('bnez t5, 1f').sd('zero', 'EP_STATE', 't2', 'queue now empty: idle');
  a.label('1');
  a.li('t5', 'TS_BLOCKED_REPLY').sd('t5', 'TCB_STATE', 't6', 'the caller waits for the reply');
  if (X) a.sd('zero', 'TCB_XPC_BUSY', 't6', 'checked above: the caller is in its home XPC state');
  a.sd('t6', 'TCB_REPLY_TO', 't4', 'the receiver holds the reply capability');
  switchAndRestore('');

  a.global('fastpath_reply_recv');
  a.comment('reply_recv(a0 = slot to receive on, a1 = reply length, a2..a5 = reply message)');
  a.i('sltiu t0, a1, 33').i('beqz t0, syscall_slow', 'long message');
  xpcCheck('syscall_slow');
  a.ld('t4', 'TCB_REPLY_TO', 't6', 't4 = the caller to reply to').i('beqz t4, syscall_slow');
  a.ld('t0', 'TCB_STATE', 't4').li('t1', 'TS_BLOCKED_REPLY').i('bne t0, t1, syscall_slow');
  if (X) a.ld('t0', 'TCB_XPC_BUSY', 't4').i('bnez t0, syscall_slow');
  capLookup('syscall_slow');
  a.ld('t1', 'EP_STATE', 't2').li('t0', 'EPS_SEND').i('beq t1, t0, syscall_slow', 'a sender is queued: slow path');
  a.comment('the server waits on the endpoint: append it to the receive queue');
  a.sd('zero', 'TCB_NEXT', 't6');
  a.li('t0', 'EPS_RECV').i('bne t1, t0, 1f');
  a.ld('t0', 'EP_TAIL', 't2').sd('t6', 'TCB_NEXT', 't0').i('j 2f');
  a.label('1').sd('t6', 'EP_HEAD', 't2').sd('t0', 'EP_STATE', 't2');
  a.label('2').sd('t6', 'EP_TAIL', 't2');
  a.li('t0', 'TS_BLOCKED_RECV').sd('t0', 'TCB_STATE', 't6');
  a.sd('t2', 'TCB_BLOCKED_ON', 't6');
  a.sd('zero', 'TCB_REPLY_TO', 't6');
  if (X) a.sd('zero', 'TCB_XPC_BUSY', 't6');
  a.li('t3', 0, 'the caller sees 0 (success)');
  switchAndRestore('rr_');
}
