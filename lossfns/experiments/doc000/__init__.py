"""Document 000, Xtreme Margin (Wali 2022): :mod:`.protocols` (networks, ``PRESETS``, protocols),
:mod:`.training` (Sec. 11-12, 14, 15, 18), :mod:`.checks` (statistics behind the verdicts),
:mod:`.claims` (claims of the training notebooks), :mod:`.claims_cv` (Sec. 7-8),
:mod:`.claims_holdout` (Sec. 13 and 17) and :mod:`.plots` (figures)."""
