// rvx ld's default layout, written as a linker script for tools/ld/script/: the layout GNU ld 2.40 gives a
// static RV64 executable with its built-in script (`riscv64-unknown-elf-ld --verbose`), reduced to what a
// static link has — no dynamic sections — and written here from its documented behaviour:
//   - the ELF and program headers are loaded at the start of the text segment and .text follows them
//     (SIZEOF_HEADERS); code, read-only data, .eh_frame_hdr and .eh_frame share that segment;
//   - the data segment starts on the next page at the same offset within the page (DATA_SEGMENT_ALIGN);
//     the TLS template, the constructor tables, .data, .got, the small data (.sdata, which also takes
//     .srodata) and then .sbss and .bss follow;
//   - __global_pointer$ is 0x800 past the start of the small data, unless .data or the end of .bss calls
//     for less (GNU's MIN/MAX formula), and the usual symbols (_etext, _edata, __bss_start, _end, the
//     __init_array_* ends, __DATA_BEGIN__, __SDATA_BEGIN__, __BSS_END__) are defined as GNU's script does;
//   - the stabs sections, .comment and the DWARF sections follow, in GNU's order (the stabs descriptions,
//     empty in practice, matter: an allocated orphan such as a .heap or .noinit after .bss goes before the
//     assignments to . that end the image, so _end and __BSS_END__ follow it, because the next output
//     section statement, .stab, has no inputs; ld's lang_insert_orphan).
// The text segment starts at `textSegment` (GNU ld's default is 0x10000; rvx uses 0x80000000, its machine's RAM).

export function defaultScript(textSegment: bigint): string {
  const base = `0x${textSegment.toString(16)}`;
  return `
ENTRY(_start)
SECTIONS
{
  PROVIDE (__executable_start = ${base});
  . = ${base} + SIZEOF_HEADERS;
  .rela.dyn : { *(.rela.got) }
  .init : { KEEP (*(SORT_NONE(.init))) }
  .text : {
    *(.text.unlikely .text.*_unlikely .text.unlikely.*)
    *(.text.exit .text.exit.*)
    *(.text.startup .text.startup.*)
    *(.text.hot .text.hot.*)
    *(SORT(.text.sorted.*))
    *(.text .text.*)
  }
  .fini : { KEEP (*(SORT_NONE(.fini))) }
  PROVIDE (__etext = .);
  PROVIDE (_etext = .);
  PROVIDE (etext = .);
  .rodata : { *(.rodata .rodata.*) }
  .eh_frame_hdr : { *(.eh_frame_hdr) }
  .eh_frame : ONLY_IF_RO { KEEP (*(.eh_frame)) *(.eh_frame.*) }
  .gcc_except_table : ONLY_IF_RO { *(.gcc_except_table .gcc_except_table.*) }
  . = DATA_SEGMENT_ALIGN (CONSTANT (MAXPAGESIZE), CONSTANT (COMMONPAGESIZE));
  .eh_frame : ONLY_IF_RW { KEEP (*(.eh_frame)) *(.eh_frame.*) }
  .gcc_except_table : ONLY_IF_RW { *(.gcc_except_table .gcc_except_table.*) }
  .tdata : {
    PROVIDE_HIDDEN (__tdata_start = .);
    *(.tdata .tdata.*)
  }
  .tbss : { *(.tbss .tbss.*) *(.tcommon) }
  .preinit_array : {
    PROVIDE_HIDDEN (__preinit_array_start = .);
    KEEP (*(.preinit_array))
    PROVIDE_HIDDEN (__preinit_array_end = .);
  }
  .init_array : {
    PROVIDE_HIDDEN (__init_array_start = .);
    KEEP (*(SORT_BY_INIT_PRIORITY(.init_array.*) SORT_BY_INIT_PRIORITY(.ctors.*)))
    KEEP (*(.init_array EXCLUDE_FILE (*crtbegin.o *crtbegin?.o *crtend.o *crtend?.o ) .ctors))
    PROVIDE_HIDDEN (__init_array_end = .);
  }
  .fini_array : {
    PROVIDE_HIDDEN (__fini_array_start = .);
    KEEP (*(SORT_BY_INIT_PRIORITY(.fini_array.*) SORT_BY_INIT_PRIORITY(.dtors.*)))
    KEEP (*(.fini_array EXCLUDE_FILE (*crtbegin.o *crtbegin?.o *crtend.o *crtend?.o ) .dtors))
    PROVIDE_HIDDEN (__fini_array_end = .);
  }
  .ctors : {
    KEEP (*crtbegin.o(.ctors))
    KEEP (*crtbegin?.o(.ctors))
    KEEP (*(EXCLUDE_FILE (*crtend.o *crtend?.o ) .ctors))
    KEEP (*(SORT(.ctors.*)))
    KEEP (*(.ctors))
  }
  .dtors : {
    KEEP (*crtbegin.o(.dtors))
    KEEP (*crtbegin?.o(.dtors))
    KEEP (*(EXCLUDE_FILE (*crtend.o *crtend?.o ) .dtors))
    KEEP (*(SORT(.dtors.*)))
    KEEP (*(.dtors))
  }
  .data.rel.ro : { *(.data.rel.ro.local*) *(.data.rel.ro .data.rel.ro.*) }
  . = DATA_SEGMENT_RELRO_END (0, .);
  .data : {
    __DATA_BEGIN__ = .;
    *(.data .data.*)
  }
  .got : { *(.got.plt) *(.igot.plt) *(.got) *(.igot) }
  .sdata : {
    __SDATA_BEGIN__ = .;
    *(.srodata.cst16) *(.srodata.cst8) *(.srodata.cst4) *(.srodata.cst2) *(.srodata .srodata.*)
    *(.sdata .sdata.*)
  }
  _edata = .;
  PROVIDE (edata = .);
  . = .;
  __bss_start = .;
  .sbss : {
    *(.sbss .sbss.*)
    *(.scommon)
  }
  .bss : {
    *(.bss .bss.*)
    *(COMMON)
    . = ALIGN(. != 0 ? 8 : 1);
  }
  . = ALIGN(8);
  . = ALIGN(8);
  __BSS_END__ = .;
  __global_pointer$ = MIN(__SDATA_BEGIN__ + 0x800, MAX(__DATA_BEGIN__ + 0x800, __BSS_END__ - 0x800));
  _end = .;
  PROVIDE (end = .);
  . = DATA_SEGMENT_END (.);
  .stab 0 : { *(.stab) }
  .stabstr 0 : { *(.stabstr) }
  .stab.excl 0 : { *(.stab.excl) }
  .stab.exclstr 0 : { *(.stab.exclstr) }
  .stab.index 0 : { *(.stab.index) }
  .stab.indexstr 0 : { *(.stab.indexstr) }
  .comment 0 : { *(.comment) }
  .debug 0 : { *(.debug) }
  .line 0 : { *(.line) }
  .debug_srcinfo 0 : { *(.debug_srcinfo) }
  .debug_sfnames 0 : { *(.debug_sfnames) }
  .debug_aranges 0 : { *(.debug_aranges) }
  .debug_pubnames 0 : { *(.debug_pubnames) }
  .debug_info 0 : { *(.debug_info .gnu.linkonce.wi.*) }
  .debug_abbrev 0 : { *(.debug_abbrev) }
  .debug_line 0 : { *(.debug_line .debug_line.* .debug_line_end) }
  .debug_frame 0 : { *(.debug_frame) }
  .debug_str 0 : { *(.debug_str) }
  .debug_loc 0 : { *(.debug_loc) }
  .debug_macinfo 0 : { *(.debug_macinfo) }
  .debug_weaknames 0 : { *(.debug_weaknames) }
  .debug_funcnames 0 : { *(.debug_funcnames) }
  .debug_typenames 0 : { *(.debug_typenames) }
  .debug_varnames 0 : { *(.debug_varnames) }
  .debug_pubtypes 0 : { *(.debug_pubtypes) }
  .debug_ranges 0 : { *(.debug_ranges) }
  .debug_addr 0 : { *(.debug_addr) }
  .debug_line_str 0 : { *(.debug_line_str) }
  .debug_loclists 0 : { *(.debug_loclists) }
  .debug_macro 0 : { *(.debug_macro) }
  .debug_names 0 : { *(.debug_names) }
  .debug_rnglists 0 : { *(.debug_rnglists) }
  .debug_str_offsets 0 : { *(.debug_str_offsets) }
  .debug_sup 0 : { *(.debug_sup) }
  /DISCARD/ : { *(.note.GNU-stack) *(.gnu_debuglink) *(.gnu.lto_*) }
}
`;
}
