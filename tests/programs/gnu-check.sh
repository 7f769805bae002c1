#!/usr/bin/env bash
# Development oracle (not needed by rvx): assemble each conformance program with GNU binutils and run it on
# QEMU's spike machine, which implements HTIF through the ELF's tohost symbol. Exit status 0 = pass,
# otherwise the failing case number. Usage: tests/programs/gnu-check.sh [prog.s ...]
# A program may end with cases QEMU gets wrong, each marked '# qemu-deviation: N'.
# ISA=rv64ima checks the C-free variant on a hart without C (QEMU -cpu rv64,c=false).
set -u
cd "$(dirname "$0")"
isa=${ISA:-rv64imac}
cpu=rv64
[ "$isa" = rv64ima ] && cpu=rv64,c=false
out=${OUT:-/tmp/rvtest-gnu}
mkdir -p "$out"
status=0
progs=("$@")
[ ${#progs[@]} -eq 0 ] && progs=(*.s)
for s in "${progs[@]}"; do
  s=$(basename "$s")
  if [ "$isa" = rv64ima ] && grep -q 'needs: C' "$s"; then continue; fi
  elf="$out/${s%.s}.$isa.elf"
  riscv64-unknown-elf-as -march=${isa}_zicsr_zifencei -mabi=lp64 -I include -o "$elf.o" "$s" || { echo "FAIL(as) $s"; status=1; continue; }
  riscv64-unknown-elf-ld -Ttext=0x80000000 -o "$elf" "$elf.o" || { echo "FAIL(ld) $s"; status=1; continue; }
  timeout 20 qemu-system-riscv64 -machine spike -cpu "$cpu" -bios none -nographic -monitor none -serial none -kernel "$elf" </dev/null
  rc=$?
  dev=$(sed -n 's/.*qemu-deviation: \([0-9]*\).*/\1/p' "$s" | grep -x "$rc")
  if [ $rc -eq 0 ]; then echo "pass $s";
  elif [ -n "$dev" ] && [ $rc -eq "$dev" ]; then echo "pass $s (up to case $dev, a known QEMU deviation)"; else echo "FAIL $s: case $rc"; status=1; fi
done
exit $status
