"""Document 003 (Tsoi et al., NeurIPS 2022): :mod:`.theory` (theory helpers of supp. Sec. 1 and
the network ``PAPER003_SPEC``), :mod:`.convergence` (Sec. 4.2), :mod:`.heaviside` (Sec. 3-4),
:mod:`.tabular` (Sec. 5.1, Tables 1 and 4), :mod:`.readings` and :mod:`.btg` (the released code's
readings and package), :mod:`.apperf` (AP-Perf), :mod:`.images` (Sec. 5.2, Tables 2 and 12),
:mod:`.tables` (supplementary Tables 3, 5-11) and :mod:`.plots` (figures)."""
