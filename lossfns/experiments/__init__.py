"""Paper protocols: one subpackage per document, with the same few module names where they apply.

* ``protocols``: the experiment protocols, presets (``PRESETS``) and runs of the document's notebooks
  (a document with several big protocol files keeps them under descriptive names);
* ``claims``: the document's claim and verdict helpers (the helpers every document shares,
  :func:`~lossfns.verdicts.exact_claim` and :func:`~lossfns.verdicts.claim_rows`, are in
  :mod:`lossfns.verdicts`);
* ``theory``: closed-form theory helpers (no training);
* ``plots``: the figures of the document's notebooks.

:mod:`.doc000`: Xtreme Margin (Wali 2022); :mod:`.doc001`: Phuong & Zung, "On the dynamics of
loss functions"; :mod:`.doc002`: Chadha & Jain, a primer of loss functions; :mod:`.doc003`: Tsoi
et al. (NeurIPS 2022).

Old flat module (``lossfns.experiments.<old>``) -> new module (``lossfns.experiments.<new>``):

=========================  ==========================================================
old                        new
=========================  ==========================================================
``paper000``               ``doc000.protocols`` (networks, ``PRESETS``, protocols)
``paper000_training``      ``doc000.training`` (Sec. 11-12, 14, 15, 18 protocols)
``paper000_checks``        ``doc000.checks`` (statistics behind the verdicts)
``verdicts000_training``   ``doc000.claims`` (claims of 000-3, 000-12, 000-14, 000-15);
                           ``exact_claim``, ``claim_rows`` -> :mod:`lossfns.verdicts`
``verdicts000_cv``         ``doc000.claims_cv`` (verdicts of 000-8, 000-8b)
``verdicts000_holdout``    ``doc000.claims_holdout`` (verdicts of 000-13, 000-17)
``plots000``               ``doc000.plots``
``paper001``               ``doc001.theory`` (the toy model of Sec. 4)
``paper001_dynamics``      ``doc001.protocols``
``plots001``               ``doc001.plots``
``paper002``               ``doc002.protocols`` (the atlas's computations)
``plots002``               ``doc002.plots``
``paper003``               ``doc003.theory`` (theory helpers of supp. Sec. 1, ``PAPER003_SPEC``)
``paper003_theory``        ``doc003.convergence`` (Sec. 4.2: soft-set metrics converge)
``paper003_tabular``       ``doc003.tabular`` (Sec. 5.1, Tables 1 and 4)
``paper003_readings``      ``doc003.readings`` (the released code's readings)
``paper003_btg``           ``doc003.btg`` (the released ``torch-btg`` package)
``paper003_apperf``        ``doc003.apperf`` (AP-Perf, Table 1's F1† row)
``paper003_images``        ``doc003.images`` (Sec. 5.2, Tables 2 and 12)
``paper003_heaviside``     ``doc003.heaviside`` (Sec. 3-4: the Heaviside approximations)
``paper003_tables``        ``doc003.tables`` (supplementary Tables 3, 5-11)
``plots003``               ``doc003.plots``
=========================  ==========================================================

This layer imports the data and training layer and the core library; only the
pipeline (:mod:`lossfns.pipeline`) imports it. Notebooks call these functions
and only plot and narrate. The subpackages import none of their modules: importing
``lossfns.experiments.doc003.btg`` loads what it needs and nothing else.
"""
