# fence.i in a loop with a call to a line of its own: the I-cache refills after the flush, no stores.
        .equ FENCEI_VARIANT, 2
        .include "fencei.inc"
