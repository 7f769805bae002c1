# fence.i after storing into the code line that is then called: the I-cache refill probes the dirty
# line out of the D-cache, the next store upgrades it again (docs/cycle-model.md, fence.i).
        .equ FENCEI_VARIANT, 1
        .include "fencei.inc"
