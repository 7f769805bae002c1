// The `sel4` kernel flavour: a call / reply_recv fastpath that does, check by check, what seL4's RISC-V
// fastpath does, so that `rvx bench ipc` can compare XPC with a kernel path of seL4's weight (issue #11,
// "a fair comparison"). Written for rvx from reading seL4's sources (not copied); every step names the
// seL4 function it stands for. Source read: github.com/seL4/seL4 at commit
// 1326364bc9135d9445d936ebc01e38a402c1f4c6 (non-MCS, non-SMP configuration, one scheduling domain):
//   src/fastpath/fastpath.c               fastpath_call, fastpath_reply_recv
//   include/fastpath/fastpath.h           lookup_fp, thread_state_ptr_*, cap_reply_cap_ptr_new_np, endpoint_ptr_*
//   include/arch/riscv/arch/fastpath/fastpath.h
//                                         fastpath_mi_check, fastpath_copy_mrs, fastpath_reply_cap_check,
//                                         isValidVTableRoot_fp, switchToThread_fp, mdb_node_ptr_*, fastpath_restore
//   include/arch/riscv/arch/machine.h     setVSpaceRoot (write satp, then sfence.vma, with or without ASIDs)
//   include/kernel/thread.h               isHighestPrio
//   src/arch/riscv/traps.S                trap_entry (sstatus and scause saved, gp and the kernel stack loaded)
//
// What rvx keeps of its own (the slow path is shared with the `minimal` flavour and is left unchanged):
// * The state seL4 keeps in the TCB's CTEs and thread state (root CNode cap, VSpace cap, reply and caller
//   slots with their MDB links, fault, bound notification, the previous-TCB link of the endpoint queue,
//   the blocking IPC's CanGrant bit, saved sstatus/scause, the rights bits of each endpoint cap: rvx's own
//   caps carry all rights and the kernel's cap slots are left as they are) lives in a per-thread record
//   (`sel4_tcb_ext`, SX_* below), filled at boot by `sel4_fastpath_init` from the kernel's own state.
// * rvx's reply capability is TCB_REPLY_TO; it stays the authority (the slow path uses it): the
//   fastpath writes both, and reply_recv takes the fastpath only when the caller slot and TCB_REPLY_TO
//   agree (a stale caller slot left by a slow-path reply can never be used).
// * rvx's message ABI delivers a2..a5 on every call and reply (docs/kernel.md), so the fastpath copies
//   all four message registers (seL4's fastpath_copy_mrs with length = n_msgRegisters = 4).
// * One scheduling domain: seL4 compiles the domain checks out when numDomains is 1 (`maxDom` is 0);
//   so does this flavour (SEL4_NUM_DOMAINS below).
// * No bitmap of ready priorities: isHighestPrio reads the ready-queue heads above the priority.

import { ALL_REGS, type Asm, type Reg } from '../builder.js';
import * as L from '../layout.js';
import { homeXpcRegisters } from './fastpath.js';
import type { KernelConfig } from './common.js';

/** The seL4 commit the comments cite. */
export const SEL4_COMMIT = '1326364bc9135d9445d936ebc01e38a402c1f4c6';
const FP = `seL4@${SEL4_COMMIT.slice(0, 12)} src/fastpath/fastpath.c`;
const FPH = `seL4@${SEL4_COMMIT.slice(0, 12)} include/arch/riscv/arch/fastpath/fastpath.h`;

/** Scheduling domains (seL4 CONFIG_NUM_DOMAINS; 1 = the domain checks compile away as in seL4). */
const SEL4_NUM_DOMAINS = 1;

/** Per-thread extension record: [name, bytes, what seL4 keeps there]. */
const SX_FIELDS: [string, string][] = [
  ['CN_TYPE', 'tcbCTable CTE: cap type (SEL4_CAP_CNODE)'],
  ['CN_GUARD_BITS', 'cap_cnode_cap_get_capCNodeGuardSize'],
  ['CN_RADIX', 'cap_cnode_cap_get_capCNodeRadix'],
  ['CN_GUARD', 'cap_cnode_cap_get_capCNodeGuard'],
  ['CN_PTR', 'cap_cnode_cap_get_capCNodePtr: the slot array (TCB_CAPS)'],
  ['VT_TYPE', 'tcbVTable CTE: cap type (SEL4_CAP_PAGE_TABLE)'],
  ['VT_MAPPED', 'cap_page_table_cap_get_capPTIsMapped'],
  ['VT_BASE', 'cap_page_table_cap_get_capPTBasePtr (physical root)'],
  ['VT_ASID', 'cap_page_table_cap_get_capPTMappedASID'],
  ['FAULT', 'tcbFault type (0 = seL4_Fault_NullFault; rvx kills faulting threads, so always 0)'],
  ['DOMAIN', 'tcbDomain'],
  ['EP_PREV', 'tcbEPPrev: the previous TCB in an endpoint queue'],
  ['BOUND_NTFN', 'tcbBoundNotification (rvx binds none: 0)'],
  ['CAN_GRANT', 'thread_state blockingIPCCanGrant'],
  ['SSTATUS', 'register slot 32: sstatus saved at trap entry'],
  ['SCAUSE', 'register slot 31: scause saved at trap entry'],
  ['REPLY_CAP0', 'tcbReply CTE: cap word 0'],
  ['REPLY_CAP1', 'tcbReply CTE: cap word 1'],
  ['REPLY_MDB_PREV', 'tcbReply CTE: mdbPrev'],
  ['REPLY_MDB_NEXT', 'tcbReply CTE: mdbNext | mdbRevocable << 1 | mdbFirstBadged'],
  ['CALLER_CAP0', 'tcbCaller CTE: cap word 0 (type | canGrant << 8)'],
  ['CALLER_CAP1', 'tcbCaller CTE: cap word 1 (capTCBPtr)'],
  ['CALLER_MDB_PREV', 'tcbCaller CTE: mdbPrev'],
  ['CALLER_MDB_NEXT', 'tcbCaller CTE: mdbNext'],
  ['RIGHTS', 'endpoint-cap rights of each slot, one byte per slot (seL4 keeps them in the cap word)'],
  ['RIGHTS_HI', '(slots 8..15)'],
];
const SX_SHIFT = 8; // 256-byte records
if (SX_FIELDS.length * 8 > 1 << SX_SHIFT) throw new Error('sel4 extension record larger than its stride');
if (L.CAP_SLOTS > 16) throw new Error('sel4 extension record: SX_RIGHTS holds 16 slots');
/** Offsets inside a CTE (cap word 0, cap word 1, mdbPrev, mdbNext). */
const CTE_MDB_NEXT = 24;

// Capability types and endpoint rights of this flavour (seL4's cap_endpoint_cap bits, by name).
const SEL4_CAP_CNODE = 0x10;
const SEL4_CAP_PAGE_TABLE = 0x11;
const SEL4_CAP_REPLY = 0x12;
const RIGHT_SEND = 1, RIGHT_RECV = 2, RIGHT_GRANT = 4, RIGHT_GRANT_REPLY = 8;

function sel4Constants(a: Asm): void {
  a.heading(`sel4 flavour: the per-thread record of the state seL4 keeps in its TCB's CTEs (fastpath-sel4.ts)`);
  SX_FIELDS.forEach(([name, what], i) => a.equ(`SX_${name}`, 8 * i, what));
  a.equ('SX_SHIFT', SX_SHIFT);
  a.equ('SX_REPLY', 'SX_REPLY_CAP0').equ('SX_CALLER', 'SX_CALLER_CAP0').equ('CTE_MDB_NEXT', CTE_MDB_NEXT);
  a.equ('SEL4_CAP_CNODE', SEL4_CAP_CNODE).equ('SEL4_CAP_PAGE_TABLE', SEL4_CAP_PAGE_TABLE).equ('SEL4_CAP_REPLY', SEL4_CAP_REPLY);
  a.equ('RIGHT_SEND', RIGHT_SEND).equ('RIGHT_RECV', RIGHT_RECV).equ('RIGHT_GRANT', RIGHT_GRANT).equ('RIGHT_GRANT_REPLY', RIGHT_GRANT_REPLY);
  a.equ('RIGHTS_ALL', RIGHT_SEND | RIGHT_RECV | RIGHT_GRANT | RIGHT_GRANT_REPLY);
  a.equ('CNODE_RADIX', Math.log2(L.CAP_SLOTS), 'one-level CSpace: 2^radix slots');
}

/** The sel4-flavour fastpath (replaces fastpath.ts's when cfg.flavour is 'sel4'). */
export function fastpathSel4Text(a: Asm, cfg: KernelConfig): void {
  const X = cfg.xpc;
  sel4Constants(a);
  a.heading('IPC fastpath, sel4 flavour: seL4\'s RISC-V fastpath, check by check (kernel-images/kernel/fastpath-sel4.ts).\n' +
    `Source read: github.com/seL4/seL4 @ ${SEL4_COMMIT}.\n` +
    'Entered from trap_entry with t6 = current TCB, every user register saved, a0 = cptr, a1 = message info\n' +
    '(rvx: the length in bytes), a7 = system-call number, t4 = scause. Before the point of no return nothing\n' +
    'user-visible changes and a0..a5, a7 stay live for syscall_slow. Registers: gp = sel4_tcb_ext,\n' +
    's0 = current ext, s1 = partner TCB, s2 = partner ext, s3 = endpoint cap slot, s4 = endpoint, s5 = badge.\n' +
    'Phase labels: fastpath_call / fastpath_reply_recv (trap-entry tail) -> sel4_call / sel4_reply_recv ->\n' +
    'sel4_copy_mrs / sel4_rr_copy_mrs -> fastpath_switch_as -> fastpath_restore -> fastpath_sret.');

  const extOf = (dst: Reg, tcb: Reg, why: string) => {
    a.ld(dst, 'TCB_PID', tcb, why).i(`slli ${dst}, ${dst}, SX_SHIFT`).i(`add ${dst}, gp, ${dst}`);
  };
  // src/arch/riscv/traps.S trap_entry: the part of seL4's trap entry rvx's trap_entry does not do.
  const entryTail = (p: string, next: string) => {
    a.global(p);
    a.comment('seL4 traps.S trap_entry: sstatus and scause saved with the registers, gp and the kernel stack loaded');
    a.la('gp', 'sel4_tcb_ext', 'gp: the kernel data anchor (seL4: la gp, __global_pointer$)');
    a.la('sp', 'kstack_top', 'seL4: la sp, kernel_stack_alloc + BIT(CONFIG_KERNEL_STACK_BITS)');
    extOf('s0', 't6', 's0 = current thread\'s record');
    a.csrr('t0', 'sstatus').sd('t0', 'SX_SSTATUS', 's0', 'seL4: csrr x1, sstatus; STORE x1, 32*REGBYTES(t0)');
    a.sd('t4', 'SX_SCAUSE', 's0', 'seL4: STORE s0 (scause), 31*REGBYTES(t0)');
    a.global(next);
  };
  // fastpath_mi_check (riscv fastpath.h) and the current thread's fault (fastpath.c).
  const miAndFault = () => {
    a.comment(`${FPH} fastpath_mi_check: length fits the message registers, no extra caps`);
    a.i('sltiu t0, a1, 33').i('beqz t0, syscall_slow', 'rvx: length > 32 bytes (or a huge value) -> slow');
    a.comment(`${FP}: fault_type of ksCurThread->tcbFault must be seL4_Fault_NullFault`);
    a.ld('t0', 'SX_FAULT', 's0').i('bnez t0, syscall_slow');
  };
  // lookup_fp (include/fastpath/fastpath.h): guarded decode of cptr a0 through the root CNode cap.
  const lookup = () => {
    a.comment('seL4 include/fastpath/fastpath.h lookup_fp(TCB_PTR_CTE_PTR(ksCurThread, tcbCTable)->cap, cptr)');
    a.ld('t0', 'SX_CN_TYPE', 's0').li('t1', 'SEL4_CAP_CNODE').i('bne t0, t1, syscall_slow', 'root cap not a CNode: null cap');
    a.ld('t1', 'SX_CN_GUARD_BITS', 's0').ld('t2', 'SX_CN_RADIX', 's0');
    a.i('beqz t1, 1f', 'guard size 0: no guard check');
    a.li('t3', 64).i('sub t3, t3, t1').i('srl t3, a0, t3', 'cptr2 >> (wordBits - guardBits)');
    a.ld('t5', 'SX_CN_GUARD', 's0').i('bne t3, t5, syscall_slow', 'guard mismatch: null cap');
    a.label('1');
    a.i('sll t3, a0, t1').li('t5', 64).i('sub t5, t5, t2').i('srl t3, t3, t5', 'radix = cptr2 << guardBits >> (wordBits - radixBits)');
    a.i('add t5, s0, t3').i('lbu s7, SX_RIGHTS(t5)', 's7 = the slot cap\'s rights (cap_endpoint_cap_get_capCan*)');
    a.ld('t5', 'SX_CN_PTR', 's0').i('slli t3, t3, 5').i('add s3, t5, t3', 's3 = CTE_PTR(capCNodePtr) + radix');
    a.i('add t1, t1, t2', 'bits += guardBits + radixBits');
    a.ld('t0', 'CAP_TYPE', 's3');
    a.li('t3', 64).i('bgeu t1, t3, 2f', 'bits < wordBits ...');
    a.li('t5', 'SEL4_CAP_CNODE').i('beq t0, t5, syscall_slow', '... and a CNode cap: seL4 loops; rvx has no nested CNodes');
    a.label('2');
    a.i('bgtu t1, t3, syscall_slow', 'bits > wordBits: depth mismatch, null cap');
  };
  // isValidVTableRoot_fp + the RISC-V ASID read; leaves the satp to write in s6.
  const vtable = (who: Reg, whoExt: Reg) => {
    a.comment(`${FP}: newVTable = TCB_PTR_CTE_PTR(dest, tcbVTable)->cap; ${FPH} isValidVTableRoot_fp`);
    a.ld('t0', 'SX_VT_TYPE', whoExt).li('t1', 'SEL4_CAP_PAGE_TABLE').i('bne t0, t1, syscall_slow');
    a.ld('t0', 'SX_VT_MAPPED', whoExt).i('beqz t0, syscall_slow', 'capPTIsMapped');
    a.ld('t0', 'SX_VT_BASE', whoExt, 'cap_pd (physical root)');
    a.ld('t1', 'SX_VT_ASID', whoExt, 'stored_hw_asid = cap_page_table_cap_get_capPTMappedASID');
    a.comment('satp_new(SATP_MODE, asid, addr >> seL4_PageBits) (riscv machine.h setVSpaceRoot)');
    a.i('srli t0, t0, 12').i('slli t1, t1, 44').i('or s6, t0, t1').li('t1', 8).i('slli t1, t1, 60').i('or s6, s6, t1');
    void who;
  };
  // isHighestPrio(dom, prio) (include/kernel/thread.h): no ready thread of a higher priority.
  const highestPrio = (prio: Reg) => {
    a.comment('include/kernel/thread.h isHighestPrio: L1 bitmap empty or prio >= getHighestPrio. rvx keeps no\n' +
      'bitmap: the ready-queue heads above prio are read instead (NUM_PRIOS of them at most).');
    a.la('t1', 'rq_head').li('t2', 'NUM_PRIOS-1');
    a.label('3');
    a.i(`bleu t2, ${prio}, 4f`).i('slli t3, t2, 3').i('add t3, t1, t3').ld('t3', 0, 't3').i('bnez t3, syscall_slow', 'a higher priority is ready');
    a.i('addi t2, t2, -1').i('j 3b');
    a.label('4');
  };
  const domain = () => {
    a.comment(`${FP}: dest->tcbDomain != ksCurDomain && 0 < maxDom -> slow path. ` +
      (SEL4_NUM_DOMAINS > 1 ? '' : 'One domain (maxDom = 0): compiled out, as in seL4.'));
    if (SEL4_NUM_DOMAINS > 1) throw new Error('sel4 flavour: one scheduling domain only');
  };
  const xpcCheck = () => {
    if (!X) return;
    a.comment('rvx XPC kernel: no XPC state in flight on this thread (as the minimal fastpath)');
    a.csrr('t0', 'xlink_top').ld('t1', 'TCB_LINK_BASE', 't6').i('bne t0, t1, syscall_slow');
    a.csrr('t0', 'xseg_len').i('bnez t0, syscall_slow');
    a.csrr('t0', 'xsegmask_len').i('bnez t0, syscall_slow');
    a.ld('t0', 'TCB_XPC_BUSY', 's1').i('bnez t0, syscall_slow');
  };
  // fastpath_copy_mrs (riscv fastpath.h): message registers from src's saved context into dest's.
  const copyMrs = (p: string, src: Reg, dst: Reg) => {
    a.global(`sel4_${p}copy_mrs`);
    a.comment(`${FPH} fastpath_copy_mrs: setRegister(dest, msgRegisters[i], getRegister(src, ...)), i < length;\n` +
      'rvx delivers a2..a5 on every message (docs/kernel.md), so length = n_msgRegisters = 4');
    for (const r of ['a2', 'a3', 'a4', 'a5'] as const) a.ld('t0', `TF_${r.toUpperCase()}`, src).sd('t0', `TF_${r.toUpperCase()}`, dst);
  };
  // switchToThread_fp + fastpath_restore (riscv fastpath.h), a0 = badge, a1 = message info.
  const switchAndRestore = (p: string) => {
    a.comment(`${FP}: thread_state_ptr_set_tsType_np(&dest->tcbState, ThreadState_Running)`);
    a.li('t0', 'TS_RUNNING').sd('t0', 'TCB_STATE', 's1');
    a.global(`fastpath_${p}switch_as`);
    a.comment(`${FPH} switchToThread_fp -> setVSpaceRoot: write satp, then sfence.vma (seL4 flushes even with ASIDs)`);
    a.csrw('satp', 's6').i('sfence.vma zero, zero');
    if (X) homeXpcRegisters(a, 's1', 't0');
    a.comment('NODE_STATE(ksCurThread) = dest');
    a.la('t0', 'current').sd('s1', 0, 't0');
    a.global(`fastpath_${p}restore`);
    a.comment(`${FPH} fastpath_restore(badge, msgInfo, ksCurThread)`);
    a.mv('a0', 's5', 'badge (0 for a reply)');
    a.comment(`${FP}: msgInfo = wordFromMessageInfo(seL4_MessageInfo_set_capsUnwrapped(info, 0)) (rvx: the length)`);
    a.mv('t6', 's1');
    a.ld('t0', 'TCB_PC', 't6').csrw('sepc', 't0', 'csrw sepc');
    a.csrw('sscratch', 't6', 'csrw sscratch: the TCB for the next trap entry');
    a.ld('t0', 'SX_SSTATUS', 's2').csrw('sstatus', 't0', 'LOAD_S t1, 32*REGBYTES(t0); csrw sstatus, t1');
    const keep = new Set<Reg>(['a0', 'a1', 't6']);
    a.restoreRegs(ALL_REGS.filter((r) => !keep.has(r)), 't6', 'TCB_REGS');
    a.ld('t6', 'TF_T6', 't6');
    a.global(`fastpath_${p}sret`);
    a.i('sret');
  };

  // ------------------------------------------------------------------------------------------------
  entryTail('fastpath_call', 'sel4_call');
  a.comment(`${FP} fastpath_call(cptr = a0, msgInfo = a1)`);
  miAndFault();
  lookup();
  a.comment(`${FP}: cap_capType_equals(ep_cap, cap_endpoint_cap) && cap_endpoint_cap_get_capCanSend(ep_cap)`);
  a.li('t1', 'CAP_T_ENDPOINT').i('bne t0, t1, syscall_slow');
  a.i('andi t0, s7, RIGHT_SEND').i('beqz t0, syscall_slow');
  a.ld('s4', 'CAP_OBJ', 's3', 'ep_ptr = EP_PTR(cap_endpoint_cap_get_capEPPtr(ep_cap))');
  a.ld('s1', 'EP_HEAD', 's4', 'dest = TCB_PTR(endpoint_ptr_get_epQueue_head(ep_ptr))');
  a.ld('t0', 'EP_STATE', 's4').li('t1', 'EPS_RECV').i('bne t0, t1, syscall_slow', 'endpoint_ptr_get_state(ep_ptr) != EPState_Recv');
  extOf('s2', 's1', 's2 = dest\'s record');
  vtable('s1', 's2');
  a.comment(`${FP}: dest->tcbPriority < ksCurThread->tcbPriority && !isHighestPrio(dom, dest->tcbPriority) -> slow`);
  a.ld('t4', 'TCB_PRIO', 's1').ld('t0', 'TCB_PRIO', 't6').i('bgeu t4, t0, 5f');
  highestPrio('t4');
  a.label('5');
  a.comment(`${FP}: !capCanGrant && !capCanGrantReply -> slow (the reply cap could not be created)`);
  a.i('andi t0, s7, RIGHT_GRANT|RIGHT_GRANT_REPLY').i('beqz t0, syscall_slow');
  domain();
  xpcCheck();
  a.comment('--- POINT OF NO RETURN ---');
  a.comment(`${FP}: dequeue dest: head = dest->tcbEPNext; its tcbEPPrev = NULL, or tail = 0 and state Idle`);
  a.ld('t0', 'TCB_NEXT', 's1').sd('t0', 'EP_HEAD', 's4');
  a.i('beqz t0, 6f');
  extOf('t1', 't0', 'dest->tcbEPNext\'s record');
  a.sd('zero', 'SX_EP_PREV', 't1').i('j 7f');
  a.label('6').sd('zero', 'EP_TAIL', 's4').sd('zero', 'EP_STATE', 's4', 'endpoint_ptr_mset_epQueue_tail_state(ep_ptr, 0, EPState_Idle)');
  a.label('7');
  a.ld('s5', 'CAP_BADGE', 's3', 'badge = cap_endpoint_cap_get_capEPBadge(ep_cap)');
  a.li('t0', 'TS_BLOCKED_REPLY').sd('t0', 'TCB_STATE', 't6', 'thread_state_ptr_set_tsType_np(ksCurThread, ThreadState_BlockedOnReply)');
  if (X) a.sd('zero', 'TCB_XPC_BUSY', 't6', 'checked above: the caller is in its home XPC state');
  a.comment(`${FP}: replySlot = TCB_PTR_CTE_PTR(ksCurThread, tcbReply), callerSlot = TCB_PTR_CTE_PTR(dest, tcbCaller);\n` +
    'cap_reply_cap_ptr_new_np(&callerSlot->cap, replyCanGrant, 0, ksCurThread); mdb links both ways');
  a.ld('t0', 'SX_CAN_GRANT', 's2', 'replyCanGrant = thread_state_ptr_get_blockingIPCCanGrant(&dest->tcbState)');
  a.i('slli t0, t0, 8').i('ori t0, t0, SEL4_CAP_REPLY').sd('t0', 'SX_CALLER_CAP0', 's2');
  a.sd('t6', 'SX_CALLER_CAP1', 's2', 'capTCBPtr = ksCurThread');
  a.i('addi t0, s0, SX_REPLY').sd('t0', 'SX_CALLER_MDB_PREV', 's2', 'mdb_node_ptr_set_mdbPrev_np(&callerSlot->cteMDBNode, replySlot)');
  a.i('addi t0, s2, SX_CALLER').i('ori t0, t0, 3').sd('t0', 'SX_REPLY_MDB_NEXT', 's0', 'mdbNext = callerSlot, mdbRevocable = 1, mdbFirstBadged = 1');
  a.sd('t6', 'TCB_REPLY_TO', 's1', 'rvx: the slow path\'s reply capability, kept in step');
  copyMrs('', 't6', 's1');
  switchAndRestore('');

  // ------------------------------------------------------------------------------------------------
  entryTail('fastpath_reply_recv', 'sel4_reply_recv');
  a.comment(`${FP} fastpath_reply_recv(cptr = a0, msgInfo = a1)`);
  miAndFault();
  lookup();
  a.comment(`${FP}: cap_capType_equals(ep_cap, cap_endpoint_cap) && cap_endpoint_cap_get_capCanReceive(ep_cap)`);
  a.li('t1', 'CAP_T_ENDPOINT').i('bne t0, t1, syscall_slow');
  a.i('andi t0, s7, RIGHT_RECV').i('beqz t0, syscall_slow');
  a.comment(`${FP}: tcbBoundNotification && notification_ptr_get_state(...) == NtfnState_Active -> slow`);
  a.ld('t0', 'SX_BOUND_NTFN', 's0').i('beqz t0, 1f').ld('t0', 'NTFN_WORD', 't0').i('bnez t0, syscall_slow');
  a.label('1');
  a.ld('s4', 'CAP_OBJ', 's3', 'ep_ptr');
  a.ld('t0', 'EP_STATE', 's4').li('t1', 'EPS_SEND').i('beq t0, t1, syscall_slow', 'a sender is waiting: slow');
  a.comment(`${FPH} fastpath_reply_cap_check(callerSlot->cap): cap_capType_equals(cap, cap_reply_cap)`);
  a.ld('t0', 'SX_CALLER_CAP0', 's0').i('andi t0, t0, 0xff').li('t1', 'SEL4_CAP_REPLY').i('bne t0, t1, syscall_slow');
  a.ld('s1', 'SX_CALLER_CAP1', 's0', 'caller = TCB_PTR(cap_reply_cap_get_capTCBPtr(callerCap))');
  a.comment('rvx: TCB_REPLY_TO is the authority; the caller slot must agree and the caller still wait for us');
  a.ld('t0', 'TCB_REPLY_TO', 't6').i('bne t0, s1, syscall_slow');
  a.ld('t0', 'TCB_STATE', 's1').li('t1', 'TS_BLOCKED_REPLY').i('bne t0, t1, syscall_slow');
  extOf('s2', 's1', 's2 = caller\'s record');
  a.comment(`${FP}: the caller has not faulted (caller->tcbFault is seL4_Fault_NullFault)`);
  a.ld('t0', 'SX_FAULT', 's2').i('bnez t0, syscall_slow');
  vtable('s1', 's2');
  a.comment(`${FP}: !isHighestPrio(dom, caller->tcbPriority) -> slow`);
  a.ld('t4', 'TCB_PRIO', 's1');
  highestPrio('t4');
  domain();
  xpcCheck();
  a.comment('--- POINT OF NO RETURN ---');
  a.comment(`${FP}: thread_state_ptr_mset_blockingObject_tsType(ksCurThread, ep_ptr, ThreadState_BlockedOnReceive)`);
  a.li('t0', 'TS_BLOCKED_RECV').sd('t0', 'TCB_STATE', 't6').sd('s4', 'TCB_BLOCKED_ON', 't6');
  a.i('srli t0, s7, 2').i('andi t0, t0, 1').sd('t0', 'SX_CAN_GRANT', 's0', 'thread_state_ptr_set_blockingIPCCanGrant(cap_endpoint_cap_get_capCanGrant)');
  a.comment(`${FP}: append ksCurThread to the endpoint queue (tcbEPPrev / tcbEPNext), state Recv.\n` +
    'rvx leaves EP_TAIL stale when a queue empties, so the queue state says whether the tail is valid');
  a.sd('zero', 'TCB_NEXT', 't6');
  a.ld('t0', 'EP_STATE', 's4').li('t1', 'EPS_RECV').i('beq t0, t1, 1f');
  a.sd('zero', 'SX_EP_PREV', 's0').sd('t6', 'EP_HEAD', 's4').i('j 2f');
  a.label('1');
  a.ld('t0', 'EP_TAIL', 's4').sd('t6', 'TCB_NEXT', 't0', 'endpointTail->tcbEPNext = ksCurThread').sd('t0', 'SX_EP_PREV', 's0', 'ksCurThread->tcbEPPrev = endpointTail');
  a.label('2');
  a.sd('t6', 'EP_TAIL', 's4').li('t1', 'EPS_RECV').sd('t1', 'EP_STATE', 's4', 'endpoint_ptr_mset_epQueue_tail_state(ep_ptr, ksCurThread, EPState_Recv)');
  a.comment(`${FP}: delete the reply cap: the mdbPrev CTE's mdbNext = 0 (revocable, first badged); callerSlot cap and mdb null`);
  a.ld('t0', 'SX_CALLER_MDB_PREV', 's0').li('t1', 3).sd('t1', 'CTE_MDB_NEXT', 't0');
  a.sd('zero', 'SX_CALLER_CAP0', 's0').sd('zero', 'SX_CALLER_CAP1', 's0').sd('zero', 'SX_CALLER_MDB_PREV', 's0').sd('zero', 'SX_CALLER_MDB_NEXT', 's0');
  a.sd('zero', 'TCB_REPLY_TO', 't6', 'rvx: the slow path\'s reply capability, kept in step');
  if (X) a.sd('zero', 'TCB_XPC_BUSY', 't6');
  a.li('s5', 0, 'replies carry no badge');
  copyMrs('rr_', 't6', 's1');
  switchAndRestore('rr_');
  sel4InitText(a);
}

/** Boot: fill every live thread's record from the kernel's own state (called once, after init_world). */
function sel4InitText(a: Asm): void {
  a.func('sel4_fastpath_init', 'sel4 flavour: each live thread\'s record (sel4_tcb_ext) from the kernel state: a one-level root\n' +
    'CNode cap over its slot array (guard 0 of 64 - CNODE_RADIX bits: a cptr decodes to slot cptr < CAP_SLOTS),\n' +
    'a mapped VSpace cap (root page table, the ASID of its satp), the boot sstatus (user mode, SPIE), and full\n' +
    'rights for each slot that holds an endpoint cap (rvx caps carry all rights), 0 for the others.');
  a.block(`
    la t0, tcbs
    la t1, sel4_tcb_ext
    li t2, 0
1:
    ld t3, TCB_STATE(t0)
    beqz t3, 3f
    li t3, SEL4_CAP_CNODE
    sd t3, SX_CN_TYPE(t1)
    li t3, 64-CNODE_RADIX
    sd t3, SX_CN_GUARD_BITS(t1)
    li t3, CNODE_RADIX
    sd t3, SX_CN_RADIX(t1)
    sd zero, SX_CN_GUARD(t1)
    addi t3, t0, TCB_CAPS
    sd t3, SX_CN_PTR(t1)
    li t3, SEL4_CAP_PAGE_TABLE
    sd t3, SX_VT_TYPE(t1)
    li t3, 1
    sd t3, SX_VT_MAPPED(t1)
    ld t3, TCB_ROOT(t0)
    sd t3, SX_VT_BASE(t1)
    ld t3, TCB_HOME_SATP(t0)
    slli t3, t3, 4
    srli t3, t3, 48
    sd t3, SX_VT_ASID(t1)
    csrr t3, sstatus
    andi t3, t3, ~0x100        # SPP = U
    ori t3, t3, 0x20           # SPIE
    sd t3, SX_SSTATUS(t1)
    addi t4, t0, TCB_CAPS      # rights of each slot: all for an endpoint cap, none otherwise
    addi t5, t1, SX_RIGHTS
    addi t6, t5, CAP_SLOTS
2:
    ld t3, CAP_TYPE(t4)
    addi t3, t3, -CAP_T_ENDPOINT
    seqz t3, t3
    neg t3, t3
    andi t3, t3, RIGHTS_ALL
    sb t3, 0(t5)
    addi t4, t4, CAP_SIZE
    addi t5, t5, 1
    bltu t5, t6, 2b
3:
    addi t0, t0, TCB_SIZE
    addi t1, t1, 1 << SX_SHIFT
    addi t2, t2, 1
    li t3, MAX_PROCS
    bltu t2, t3, 1b
    ret
  `);
  a.raw('.balign 64');
  a.global('sel4_tcb_ext');
  a.i(`.zero ${L.MAX_PROCS << SX_SHIFT}`, 'MAX_PROCS records of 1 << SX_SHIFT bytes');
}
