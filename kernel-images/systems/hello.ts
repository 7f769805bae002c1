// The smallest system: two processes print a greeting and exit.

import type { SystemSpec } from '../system.js';

export const hello: SystemSpec = {
  name: 'hello',
  description: 'two processes print a line each and exit',
  programs: [
    {
      name: 'hello',
      text: `
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    la a0, msg
    call puts
    call sys_getpid
    call put_dec
    call newline
    li a0, 0
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
      data: `
msg:
    .asciz "hello from user mode, pid "
`,
    },
    {
      name: 'world',
      text: `
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    la a0, msg
    call puts
    li a0, 7
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
      data: `
msg:
    .asciz "world: second process\\n"
`,
    },
  ],
};
