"""Recompute every verdict from ``results/`` and ``data/`` alone and compare it with the
committed ``reports/verdicts.csv``.

    python -m lossfns.verdicts recheck              # exit 0: they agree; 1: they differ
    python -m lossfns.verdicts recheck --against X  # compare with another verdicts.csv

No notebook runs: each published number is judged again from the estimate its notebook recorded
in ``results.json`` (the committed artefacts only, as the report reads them) and its columns in
``data/published_numbers.csv``, by :func:`lossfns.verdicts.compare_number`; each miss gets its
cause from ``docs/causes.csv`` (alternatives checked against the results); claims are read back
as their notebooks judged them. The recomputed table is rendered exactly as
``python -m lossfns.report`` writes ``reports/verdicts.csv`` and compared cell by cell, so a
report that was not regenerated after a change of the data, the rule or the artefacts fails.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from . import report
from .paths import repo_root, report_md

__all__ = ["recompute", "differences", "main"]


def recompute(root: Path | None = None) -> str:
    """The text of ``verdicts.csv`` recomputed from the committed results under ``root``."""
    root = root or repo_root()
    df = report.verdicts(report.published(), report.collect(root, include_ignored=False), root=root)
    cdf = report.claim_verdicts(report.claims(), report.collect_claims(root, include_ignored=False))
    return report.verdicts_csv_text(report.verdict_table(df, cdf))


def _rows(text: str) -> dict:
    return {(r["kind"], r["id"]): r for r in csv.DictReader(io.StringIO(text))}


def differences(recomputed: str, committed: str, *, limit: int = 50) -> list[str]:
    """What differs between two verdicts.csv texts, one line per row and column (at most
    ``limit`` lines, then a count); empty when they are identical."""
    if recomputed == committed:
        return []
    new, old = _rows(recomputed), _rows(committed)
    out = [f"{k[0]} {k[1]}: only in the recomputed verdicts" for k in new if k not in old]
    out += [f"{k[0]} {k[1]}: only in the committed verdicts" for k in old if k not in new]
    for k in new:
        if k in old:
            out += [f"{k[0]} {k[1]}: {c} committed {old[k].get(c)!r}, recomputed {v!r}"
                    for c, v in new[k].items() if old[k].get(c) != v]
    if not out:  # same cells, other bytes (order, header, line ends)
        out = ["the same verdicts in another order or layout: regenerate with python -m lossfns.report"]
    return out[:limit] + ([f"... and {len(out) - limit} more"] if len(out) > limit else [])


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="python -m lossfns.verdicts",
                                 description="recheck: recompute every verdict from results/ and data/ and "
                                             "compare it with the committed reports/verdicts.csv")
    ap.add_argument("command", choices=["recheck"])
    ap.add_argument("--against", type=Path, default=None,
                    help="the verdicts.csv to compare with (default: reports/verdicts.csv)")
    args = ap.parse_args(argv)
    against = args.against or report.verdicts_csv(report_md())
    if not against.exists():
        print(f"{against} does not exist: write it with python -m lossfns.report", file=sys.stderr)
        return 1
    diff = differences(recompute(), against.read_text())
    if diff:
        print(f"{against} differs from the verdicts recomputed from results/ and data/ "
              f"(regenerate it with python -m lossfns.report):", file=sys.stderr)
        for line in diff:
            print(f"  {line}", file=sys.stderr)
        return 1
    n = sum(1 for _ in csv.DictReader(io.StringIO(against.read_text())))
    print(f"{against}: all {n} verdicts agree with a recomputation from results/ and data/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
