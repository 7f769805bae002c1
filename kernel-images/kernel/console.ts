// Console driver (UART or HTIF) and kernel printing helpers.

import type { Asm } from '../builder.js';
import { type KernelConfig } from './common.js';

/** Console: putc/puts/hex/decimal/process names. */
export function consoleText(a: Asm, cfg: KernelConfig): void {
  // -------------------------------------------------------------------------------------------------
  a.heading(`Console (${cfg.console === 'uart' ? '16550 UART at UART_VA' : 'HTIF putchar through tohost'})`);
  if (cfg.console === 'uart') {
    a.func('console_init', 'UART: 8 data bits, no parity, FIFO on (the divisor is irrelevant on rvx).');
    a.li('t0', 'UART_VA');
    a.li('t1', 0x03).i('sb t1, 3(t0)', 'LCR: 8N1, DLAB off');
    a.li('t1', 0x07).i('sb t1, 2(t0)', 'FCR: FIFO on and cleared');
    a.i('sb zero, 1(t0)', 'IER: no interrupts');
    a.i('ret');
    a.func('kputc', 'Print the byte in a0 (clobbers t0, t1).');
    a.li('t0', 'UART_VA');
    a.label('1').i('lbu t1, 5(t0)', 'LSR').i('andi t1, t1, 0x20', 'THRE').i('beqz t1, 1b');
    a.i('sb a0, 0(t0)', 'THR').i('ret');
  } else {
    a.func('console_init', 'HTIF console: nothing to set up.');
    a.i('ret');
    a.func('kputc', 'Print the byte in a0 through HTIF device 1 command 1 (clobbers t0, t1, t2).');
    a.la('t1', 'tohost');
    a.label('1').ld('t2', 0, 't1').i('bnez t2, 1b', 'wait until the host has taken the previous request');
    a.li('t0', 0x0101000000000000n).i('andi t2, a0, 0xff').i('or t0, t0, t2').sd('t0', 0, 't1');
    a.label('2').ld('t2', 0, 't1').i('bnez t2, 2b');
    a.la('t1', 'fromhost').sd('zero', 0, 't1').i('ret');
  }
  a.func('kputs', 'Print the zero-terminated string at a0.');
  a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s0, 8(sp)
    mv s0, a0
1:
    lbu a0, 0(s0)
    beqz a0, 2f
    call kputc
    addi s0, s0, 1
    j 1b
2:
    ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 16
    ret
  `);
  a.func('kput_hex', 'Print a0 as 0x followed by hexadecimal digits (no leading zeros).');
  a.block(`
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    mv s0, a0
    li a0, 48                 # '0'
    call kputc
    li a0, 120                # 'x'
    call kputc
    li s1, 60                 # shift of the current nibble
    li s2, 0                  # a nonzero digit has been printed
1:
    srl a0, s0, s1
    andi a0, a0, 15
    bnez a0, 2f
    bnez s2, 2f
    bnez s1, 4f               # skip leading zeros, but print the last digit
2:
    li s2, 1
    li t0, 10
    blt a0, t0, 3f
    addi a0, a0, 39            # 'a' - '0' - 10
3:
    addi a0, a0, 48            # '0'
    call kputc
4:
    addi s1, s1, -4
    bgez s1, 1b
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    addi sp, sp, 32
    ret
  `);
  a.func('kput_dec', 'Print a0 as a signed decimal number.');
  a.block(`
    addi sp, sp, -48
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    mv s0, a0
    bgez s0, 1f
    li a0, 45                 # '-'
    call kputc
    neg s0, s0
1:
    addi s1, sp, 47           # digits are built backwards in sp+24..sp+47
    sb zero, 0(s1)
2:
    li t0, 10
    remu t1, s0, t0
    divu s0, s0, t0
    addi t1, t1, 48            # '0'
    addi s1, s1, -1
    sb t1, 0(s1)
    bnez s0, 2b
    mv a0, s1
    call kputs
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    addi sp, sp, 48
    ret
  `);
  a.func('kput_name', 'Print "name (pid N)" of the TCB in a0.');
  a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s0, 8(sp)
    mv s0, a0
    ld a0, TCB_NAME(s0)
    call kputs
    la a0, str_pid
    call kputs
    ld a0, TCB_PID(s0)
    call kput_dec
    li a0, 41                 # ')'
    call kputc
    ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 16
    ret
  `);
}

