"""Paper protocols: one module per document with its networks, presets, protocols and theory.

* :mod:`.paper000` (networks, ``PRESETS``, protocols), :mod:`.paper000_training`,
  :mod:`.paper000_checks` (statistics behind the verdicts), :mod:`.plots000` (figures):
  Xtreme Margin (Wali 2022);
* :mod:`.paper001`: the toy model of Phuong & Zung, Sec. 4;
* :mod:`.paper003`: the theory helpers and network of Tsoi et al. (NeurIPS 2022).

This layer imports the data and training layer and the core library; only the
pipeline (:mod:`lossfns.pipeline`) imports it. Notebooks call these functions
and only plot and narrate.
"""
