"""The pipeline: run notebooks (papermill), sweeps, artefacts with provenance, the report and the site.

The top layer of the suite: it imports the paper protocols, the data and
training layer and the core library, and nothing imports it. Modules:
:mod:`.paths` (every path of the suite), :mod:`.profiles` (quick/full and the
required notebook parameters), :mod:`.artifacts` (atomic writes, provenance,
the notebook run object), :mod:`.run`, :mod:`.sweep`, :mod:`.report`,
:mod:`.site`, :mod:`.published`.
"""
