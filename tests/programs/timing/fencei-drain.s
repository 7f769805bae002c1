# fence.i right behind a store to a data line: decode waits for the D-cache to drain.
        .equ FENCEI_VARIANT, 3
        .include "fencei.inc"
