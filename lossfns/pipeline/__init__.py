"""The pipeline: run notebooks (papermill), sweeps, artefacts with provenance, the report and the site.

The top layer of the suite: it imports the paper protocols, the data and
training layer and the core library, and nothing imports it. Modules:
:mod:`.paths` (every path of the suite), :mod:`.profiles` (quick/full and the
required notebook parameters), :mod:`.artifacts` (atomic writes, provenance,
the notebook run object), :mod:`.integrity` (a run's lock, staging folder,
journalled swap and ``verify``: all-or-nothing artefact sets),
:mod:`.notebook_meta` (a notebook's ``metadata.lossfns``: the data it reads,
``seedless``), :mod:`.run`, :mod:`.sweep`, :mod:`.report`, :mod:`.site`,
:mod:`.published`, :mod:`.recheck` (``python -m lossfns.verdicts recheck``),
:mod:`.catalogue` (``docs/catalogue.md``), :mod:`.freshness` (is an artefact
what HEAD would produce), :mod:`.identity` (did a re-run reproduce the
committed numbers).
"""
