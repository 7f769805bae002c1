// What the mechanism engines (docs/mechanisms.md) did in one instruction, for the timing model
// (emulator/timing/mech.ts): CommitRecord.mechEvent bits, with CommitRecord.mechPa the physical address
// of the structure they read or wrote in memory.

/** gcall/gret/gfill/gflush looked the gate cache up (gcall). */
export const GATE_EV_LOOKUP = 1 << 0;
/** gcall pushed a return record at mechPa. */
export const GATE_EV_PUSH = 1 << 1;
/** gret read (and on success cleared) the return record at mechPa. */
export const GATE_EV_POP = 1 << 2;
/** gfill wrote a gate-cache slot. */
export const GATE_EV_FILL = 1 << 3;
/** gflush invalidated gate-cache slots. */
export const GATE_EV_FLUSH = 1 << 4;
/** aslswitch read the list entry at mechPa. */
export const ASL_EV_READ = 1 << 5;
/** The instruction installed a new satp (and redirected fetch into the new space). */
export const MECH_EV_SATP_SWITCH = 1 << 6;
