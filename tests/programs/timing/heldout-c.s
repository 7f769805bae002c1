# Held out (written after the model's parameters were fixed, not used to choose anything): a small C
# program (CRC-32 of 1 KiB, insertion sort of 64 words, a word count, a 256-entry hash table) compiled by
# Debian's riscv64-unknown-elf-gcc 12.2 with -O2 -march=rv64imac -mabi=lp64 -mcmodel=medany -fno-pic
# -ffreestanding -fno-builtin -S, after a start-up stub; the C source is in the comment at the end.
        .text
        .globl _start
_start:
        la sp, stack_top
        call run
        mv s0, a0
        fence
        li t0, 1
        la t1, tohost
        sd t0, 0(t1)
1:      j 1b
        .section .tohost, "aw", @progbits
        .balign 64
        .globl tohost
tohost: .dword 0
        .balign 64
        .globl fromhost
fromhost: .dword 0
        .bss
        .balign 16
stack:  .skip 4096
stack_top:
	.file	"prog.c"
	.option nopic
	.attribute arch, "rv64i2p1_m2p0_a2p1_c2p0"
	.attribute unaligned_access, 0
	.attribute stack_align, 16
	.text
	.align	1
	.globl	run
	.type	run, @function
run:
	li	a5,12288
	lla	t4,.LANCHOR0+256
	addi	a5,a5,57
	li	a2,1103515648
	lla	t6,.LANCHOR0+1280
	mv	a0,t4
	mv	a4,t4
	addiw	a2,a2,-403
	mv	a1,a5
.L2:
	mulw	a5,a5,a2
	addi	a4,a4,1
	addw	a5,a5,a1
	srliw	a3,a5,16
	sb	a3,-1(a4)
	bne	t6,a4,.L2
	lla	t1,.LANCHOR0
	li	a1,1103515648
	li	a2,12288
	mv	t3,t1
	mv	a4,t1
	addiw	a1,a1,-403
	addiw	a2,a2,57
.L3:
	mulw	a5,a5,a1
	addi	a4,a4,4
	addw	a5,a5,a2
	srliw	a3,a5,8
	sw	a3,-4(a4)
	bne	a0,a4,.L3
	li	a0,-306675712
	lla	a7,.LANCHOR0+1280
	li	a6,0
	addi	a0,a0,800
	li	t5,256
.L6:
	mv	a5,a6
	li	a3,8
.L5:
	srliw	a4,a5,1
	andi	a2,a5,1
	addiw	a3,a3,-1
	xor	a1,a0,a4
	sext.w	a5,a4
	beq	a2,zero,.L4
	sext.w	a5,a1
.L4:
	bne	a3,zero,.L5
	sw	a5,0(a7)
	addiw	a6,a6,1
	addi	a7,a7,4
	bne	a6,t5,.L6
	li	t5,-1
.L7:
	lbu	a5,0(t4)
	srliw	a4,t5,8
	addi	t4,t4,1
	xor	a5,t5,a5
	andi	a5,a5,0xff
	slli	a5,a5,2
	add	a5,t3,a5
	lw	t5,1280(a5)
	xor	t5,t5,a4
	sext.w	t5,t5
	bne	t6,t4,.L7
	not	t5,t5
	li	a6,0
	li	a0,-1
	lla	t4,.LANCHOR0
	li	a7,63
.L11:
	lw	a1,4(t1)
	sext.w	a4,a6
	mv	a5,t1
	j	.L8
.L10:
	sw	a2,4(a5)
	addiw	a4,a4,-1
	addi	a5,a5,-4
	beq	a4,a0,.L18
.L8:
	lw	a2,0(a5)
	bltu	a1,a2,.L10
	addiw	a5,a4,1
	slli	a5,a5,2
	add	a5,t3,a5
.L9:
	sw	a1,0(a5)
	addi	a6,a6,1
	addi	t1,t1,4
	bne	a6,a7,.L11
	lla	a4,.LANCHOR1
	li	t0,0
	li	a2,0
	li	a5,116
	li	a1,32
	li	a0,10
.L13:
	beq	a5,a1,.L20
	beq	a5,a0,.L20
	bne	a2,zero,.L12
	addiw	t0,t0,1
	li	a2,1
.L12:
	lbu	a5,1(a4)
	addi	a4,a4,1
	bne	a5,zero,.L13
	li	t6,-1640529920
	li	t4,0
	lla	a6,.LANCHOR2
	addiw	t6,t6,-1615
	li	t2,200
.L17:
	andi	a5,t4,63
	slli	a5,a5,2
	add	a5,t3,a5
	lw	t1,0(a5)
	addw	a7,t1,t4
	mulw	a1,a7,t6
	mv	t1,a7
	srliw	a5,a1,24
	slli	a5,a5,2
	add	a5,a6,a5
	lw	a4,-1792(a5)
	srliw	a1,a1,24
	bne	a4,zero,.L14
	j	.L36
.L16:
	lw	a4,-1792(a5)
	andi	a1,a2,0xff
	beq	a4,zero,.L15
.L14:
	addiw	a2,a1,1
	andi	a0,a2,0xff
	slli	a5,a0,2
	add	a5,a6,a5
	bne	a7,a4,.L16
.L36:
	slli	a0,a1,32
	srli	a0,a0,32
.L15:
	slli	a0,a0,2
	add	a0,a6,a0
	addw	a1,a3,a1
	sw	t1,-1792(a0)
	addiw	t4,t4,1
	sext.w	a3,a1
	bne	t4,t2,.L17
	lwu	a0,0(t3)
	lwu	a4,252(t3)
	slli	t5,t5,32
	srli	t5,t5,32
	slli	a5,t0,3
	add	a0,a0,a4
	add	a0,a0,t5
	sub	a5,a5,t0
	slli	a1,a1,32
	add	a0,a0,a5
	srli	a1,a1,32
	add	a0,a0,a1
	ret
.L20:
	li	a2,0
	j	.L12
.L18:
	mv	a5,t4
	j	.L9
	.size	run, .-run
	.section	.rodata
	.align	3
	.set	.LANCHOR1,. + 0
	.type	text, @object
	.size	text, 73
text:
	.string	"the quick brown fox jumps over the lazy dog\nand keeps running  far away\n"
	.bss
	.align	3
	.set	.LANCHOR0,. + 0
	.set	.LANCHOR2,. + 4096
	.type	arr, @object
	.size	arr, 256
arr:
	.zero	256
	.type	buf, @object
	.size	buf, 1024
buf:
	.zero	1024
	.type	crc_table, @object
	.size	crc_table, 1024
crc_table:
	.zero	1024
	.type	table, @object
	.size	table, 1024
table:
	.zero	1024
	.ident	"GCC: (12.2.0-14+deb12u1+11+b2) 12.2.0"

# The C source:
# /* A small mixed workload: CRC-32 of a buffer, insertion sort of 64 words, a string scan, a tiny hash table. */
# typedef unsigned long u64; typedef unsigned int u32; typedef unsigned char u8;
# static u8 buf[1024];
# static u32 arr[64];
# static u32 table[256];
# static u32 crc_table[256];
# 
# static void crc_init(void) {
#   for (u32 i = 0; i < 256; i++) {
#     u32 c = i;
#     for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
#     crc_table[i] = c;
#   }
# }
# static u32 crc32(const u8 *p, int n) {
#   u32 c = 0xffffffffu;
#   for (int i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
#   return c ^ 0xffffffffu;
# }
# static void isort(u32 *a, int n) {
#   for (int i = 1; i < n; i++) {
#     u32 v = a[i]; int j = i - 1;
#     while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
#     a[j + 1] = v;
#   }
# }
# static int count_words(const char *s) {
#   int n = 0, in = 0;
#   for (; *s; s++) {
#     int sp = *s == ' ' || *s == '\n';
#     if (!sp && !in) n++;
#     in = !sp;
#   }
#   return n;
# }
# static u32 hash_insert(u32 key) {
#   u32 h = (key * 2654435761u) >> 24;
#   while (table[h] != 0 && table[h] != key) h = (h + 1) & 255;
#   table[h] = key;
#   return h;
# }
# static const char text[] = "the quick brown fox jumps over the lazy dog\nand keeps running  far away\n";
# 
# u64 run(void) {
#   u32 x = 12345;
#   for (int i = 0; i < 1024; i++) { x = x * 1103515245u + 12345u; buf[i] = (u8)(x >> 16); }
#   for (int i = 0; i < 64; i++) { x = x * 1103515245u + 12345u; arr[i] = x >> 8; }
#   crc_init();
#   u32 c = crc32(buf, 1024);
#   isort(arr, 64);
#   int w = count_words(text);
#   u32 hs = 0;
#   for (int i = 0; i < 200; i++) hs += hash_insert(arr[i & 63] + (u32)i);
#   return (u64)c + arr[0] + arr[63] + (u64)w * 7 + hs;
# }
