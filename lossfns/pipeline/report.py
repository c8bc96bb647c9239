"""The replication report: every published number and claim next to ours, with a verdict.

    python -m lossfns.report                      # writes reports/REPLICATION.md
    python -m lossfns.report --out /tmp/r.md      # the same text, elsewhere

Published numbers live in ``data/published_numbers.csv`` and claims in ``data/claims.csv``.
Notebooks record our value of a published number with its 95% interval
(``run.reproduce(id, value, estimate=...)``) and each claim's test (``run.claim(id, ...)``;
a claim judged from wall-clock measurements, ``run.claim(id, ..., timing=True)``, lands in
``timings.json`` and is marked *timing* here). The report reads ``results/full/*/results.json``
and ``timings.json`` and judges every number with :func:`lossfns.verdicts.number_verdict`: the
rules live in :mod:`lossfns.verdicts` and ``docs/verdicts.md``, nowhere else.

The report is a pure function of committed files: the artefacts under ``results/`` that git does
not ignore (so not ``results/quick``: ``--include-ignored`` adds those, for a local look only),
``data/``, ``docs/ambiguities.md``, and the staleness of each artefact, which
:mod:`lossfns.pipeline.freshness` computes by ``git diff`` between the artefact's commit and the
working tree. No date, host, HEAD commit or re-run identity check (that describes one working
tree: ``python -m lossfns.pipeline.identity`` prints it at the end of ``make reproduce``), so
``make report`` in a clean clone gives the committed ``reports/REPLICATION.md`` byte for byte
(``tests/test_report_pure.py``).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
from pathlib import Path

import pandas as pd

from .artifacts import atomic_write
from ..verdicts import CLAIM_VERDICTS, NUMBER_VERDICTS, number_verdict
from .paths import ambiguities_md, repo_root, report_md, results_dir
from .published import claims, published  # noqa: F401  (re-exported: lossfns.report.published)

PROVENANCE_NOTE = ("*dirty*: written from a tree with uncommitted changes; *stale*: the notebook or a "
                   "module it imports changed since; both mean the number is not what HEAD would produce. "
                   "*set*: `ok` when every artefact carries the manifest's run id and checksum and no "
                   "foreign file lies beside them; `legacy` for a set written before run ids (its "
                   "provenance sidecars agree with its manifest; checksums were not recorded); `bad` "
                   "otherwise (`python -m lossfns.run verify` says why).")


TIMING_NOTE = "timing: wall-clock measured on the machine that ran the notebook (timings.json)"


def _git_ignored(paths: list[Path], root: Path) -> set[Path]:
    """The ``paths`` the repository's ignore rules exclude (none outside a git checkout, or
    without git); the user's global excludes file is left out, so the answer is the clone's."""
    if not paths:
        return set()
    try:
        out = subprocess.run(["git", "-c", "core.excludesFile=/dev/null", "check-ignore", "-z", "--stdin"],
                             cwd=root, capture_output=True, text=True, timeout=60,
                             input="\0".join(p.relative_to(root).as_posix() for p in paths))
    except (OSError, subprocess.TimeoutExpired):
        return set()
    if out.returncode not in (0, 1):  # 1: none ignored; 128: not a git checkout
        return set()
    return {root / q for q in out.stdout.split("\0") if q}


def _results_files(root: Path, include_ignored: bool = True):
    """(profile, results.json) of every notebook, the full profile overriding the quick one;
    without ``include_ignored``, only the files git does not ignore (those a clone has)."""
    found = [(profile, res) for profile in ("quick", "full")
             for res in sorted(results_dir(profile, root=root).glob("*/results.json"))]
    if not include_ignored:
        ignored = _git_ignored([res for _, res in found], root)
        found = [(profile, res) for profile, res in found if res not in ignored]
    best = {}
    for profile, res in found:
        best[res.parent.name] = (profile, res)
    return [best[k] for k in sorted(best)]


def _timing_claims(timings: dict) -> dict:
    """The claims of a timings.json: under ``timings/claims`` (where ``NotebookRun.finish``
    writes ``run.claim(..., timing=True)``) or a top-level ``claims``."""
    return {**(timings.get("claims") or {}), **((timings.get("timings") or {}).get("claims") or {})}


def _collect(section: str, root: Path | None = None, include_ignored: bool = True) -> dict:
    root = root or repo_root()
    out = {}
    for profile, res in _results_files(root, include_ignored):
        data = json.loads(res.read_text())
        for key, entry in (data.get("results", {}).get(section) or {}).items():
            out[key] = {**entry, "profile": profile, "notebook": data.get("notebook")}
        tim = res.with_name("timings.json")
        if section == "claims" and tim.exists():
            tdata = json.loads(tim.read_text())
            for key, entry in _timing_claims(tdata).items():
                out[key] = {**entry, "timing": True, "profile": profile,
                            "notebook": tdata.get("notebook", data.get("notebook"))}
    return out


def collect(root: Path | None = None, include_ignored: bool = True) -> dict:
    """Our values of published numbers by id (full profile preferred), each with its profile
    and notebook. ``include_ignored=False``: only from the results files git does not ignore
    (what :func:`main` writes the committed report from)."""
    return _collect("reproduced", root, include_ignored)


def collect_claims(root: Path | None = None, include_ignored: bool = True) -> dict:
    """Our claim verdicts by id (full profile preferred), from results.json and, for the claims
    judged from wall-clock measurements, timings.json (flagged ``"timing": True``)."""
    return _collect("claims", root, include_ignored)


def _fmt_interval(est: dict | None, log10: bool) -> str:
    if not est or not (math.isfinite(est.get("lo", math.nan)) and math.isfinite(est.get("hi", math.nan))):
        return "—"
    lo, hi = (10 ** est["lo"], 10 ** est["hi"]) if log10 else (est["lo"], est["hi"])
    return f"[{lo:.4g}, {hi:.4g}]"


def verdicts(pub: pd.DataFrame, ours: dict) -> pd.DataFrame:
    """One row per published number: ours, our 95% interval, z, verdict and why."""
    rows = []
    for key, p in pub.iterrows():
        o = ours.get(key)
        log10 = p["compare"] == "log10"
        margin = p.get("margin")
        margin = float(margin) if margin is not None and not pd.isna(margin) and margin != "" else None
        est = None if o is None else o.get("estimate")
        v = number_verdict(p["value"], est if o is not None else None,
                           stand_in=bool(o and o.get("stand_in")), margin=margin, log10=log10,
                           defined=p["compare"] != "undefined")
        if o is not None and est is None and v["verdict"] == "not run":
            v = {"verdict": "inconclusive", "z": math.nan, "reason": "recorded without an interval"}
        # a number nobody produced keeps the transcription's note (why it is not run, e.g.
        # SVMperf is not installable here); a produced one, the notebook's note
        note = (o or {}).get("note", "") if o is not None else (p.get("note", "") if isinstance(p.get("note", ""), str) else "")
        reason = "; ".join(x for x in (v["reason"], note) if x)
        rows.append({"id": key, "document": p["document"], "table": p["table"], "row": p["row"],
                     "column": p["column"], "published": p["value"],
                     "ours": None if o is None else o["value"],
                     "interval": _fmt_interval(est, log10), "z": v["z"], "verdict": v["verdict"],
                     "reason": reason, "profile": (o or {}).get("profile", ""),
                     "dataset": (o or {}).get("dataset", ""), "notebook": (o or {}).get("notebook", ""),
                     "reported_as": p.get("reported_as", "")})
    return pd.DataFrame(rows)


def claim_verdicts(table: pd.DataFrame, ours: dict) -> pd.DataFrame:
    """One row per claim of ``data/claims.csv``: our verdict and its evidence."""
    rows = []
    for key, c in table.iterrows():
        o = ours.get(key)
        timing = bool((o or {}).get("timing"))
        evidence = "" if o is None else o.get("reason", "")
        if timing:  # a speed claim: its numbers are this run's wall clock, not the science's
            evidence = f"*{TIMING_NOTE}*; {evidence}" if evidence else f"*{TIMING_NOTE}*"
        rows.append({"id": key, "document": c["document"], "section": c["section"], "claim": c["claim"],
                     "verdict": "not run" if o is None else o["verdict"],
                     "evidence": evidence, "test": c["test"], "timing": timing,
                     "profile": (o or {}).get("profile", ""), "notebook": c["notebook"]})
    return pd.DataFrame(rows)


def provenance_table(root: Path | None = None, include_ignored: bool = True) -> pd.DataFrame:
    """Per notebook: profile, commit, dirty and stale flags of its artefacts, and whether the
    set is whole (:func:`lossfns.pipeline.integrity.verify_set`: ``ok``; ``legacy`` for a set
    written before run ids, whose sidecars agree; ``bad`` with the first problem)."""
    from .freshness import artefact_status
    from .integrity import verify_set
    root = root or repo_root()
    rows = []
    for profile, res in _results_files(root, include_ignored):
        nb = root / "notebooks" / f"{res.parent.name}.ipynb"
        manifest = res.parent / "manifest.json"
        if not nb.exists() or not manifest.exists():
            continue
        st = artefact_status(manifest, nb, root)
        whole = verify_set(root, profile, res.parent.name)
        rows.append({"notebook": res.parent.name, "profile": profile,
                     "commit": (st["commit"] or "")[:10], "full_commit": st["commit"] or "",
                     "dirty": st["dirty"], "stale": st["stale"],
                     "set": whole["status"] + (f" ({len(whole['problems'])} problem(s): "
                                               f"{whole['problems'][0]})" if whole["problems"] else ""),
                     "changed since": ", ".join(st["changed"][:4]) + (" ..." if len(st["changed"]) > 4 else "")})
    return pd.DataFrame(rows)


def _counts(df: pd.DataFrame, order) -> str:
    if df.empty:
        return "(none)"
    t = df.groupby(["document", "verdict"]).size().unstack(fill_value=0)
    t = t.reindex(columns=[v for v in order if v in t.columns])
    return t.reset_index().to_markdown(index=False)


def newest_commit(commits, root: Path | None = None) -> str | None:
    """Of ``commits`` (full hashes), the one committed last (committer date; ties: the larger
    hash), or None when git does not know them. A property of the commits, not of HEAD, so
    committing the report does not change it."""
    commits = sorted({c for c in commits if c})
    if not commits:
        return None
    try:
        out = subprocess.run(["git", "show", "-s", "--format=%ct %H", *commits], cwd=root or repo_root(),
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    dated = [line.split() for line in out.stdout.splitlines() if len(line.split()) == 2]
    if out.returncode != 0 or not dated:
        return None
    return max((int(t), h) for t, h in dated)[1]


def _header(artefact_commit: str | None, include_ignored: bool) -> list[str]:
    """The report's opening paragraphs: what it is rendered from (nothing volatile)."""
    source = ("every results file present, git-ignored ones included (`--include-ignored`: numbers "
              "marked *quick* come from the quick (CI) profile, not the paper's protocol; a clone "
              "lacks them, so do not commit this text)" if include_ignored else
              "the committed artefacts only (the results files under `results/` that git does not "
              "ignore; `make reproduce` writes them)")
    newest = (f" The newest artefact commit is `{artefact_commit[:10]}`." if artefact_commit else "")
    return ["# Replication report", "",
            f"Rendered by `python -m lossfns.report` from {source}, `data/published_numbers.csv`, "
            "`data/claims.csv` and `docs/ambiguities.md`; an artefact's staleness is a `git diff` "
            "between its commit and the tree. No date, host or HEAD commit enters it, so a clean "
            "clone renders this text byte for byte." + newest, "",
            "Verdicts of published numbers: " + ", ".join(f"**{v}**" for v in NUMBER_VERDICTS)
            + "; of claims: " + ", ".join(f"**{v}**" for v in CLAIM_VERDICTS)
            + ". The rules (95% intervals from our own spread; no hand-set tolerance) are in "
            "`docs/verdicts.md` and `lossfns/verdicts.py`.", "",
            "Wall-clock measurements (`timings.json` beside each `results.json`) differ from run to "
            "run and machine to machine: a claim judged from them is marked *timing* in its evidence, "
            "and holds for the machine that ran the notebook. The re-run identity check of `make "
            "reproduce` (`python -m lossfns.pipeline.identity`, results.json only) describes one "
            "working tree and is printed there, not kept here.", ""]


def render(df: pd.DataFrame, root: Path | None = None, claims_df: pd.DataFrame | None = None,
           prov_df: pd.DataFrame | None = None, *, artefact_commit: str | None = None,
           include_ignored: bool = False) -> str:
    """The report's Markdown from the verdict tables (:func:`verdicts`, :func:`claim_verdicts`),
    the provenance table and ``docs/ambiguities.md`` under ``root``: nothing else."""
    root = root or repo_root()
    claims_df = claims_df if claims_df is not None else pd.DataFrame(columns=["document", "verdict"])
    lines = [*_header(artefact_commit, include_ignored),
             "## Summary", "", "Published numbers:", "", _counts(df, NUMBER_VERDICTS), "",
             "Claims:", "", _counts(claims_df, CLAIM_VERDICTS), ""]
    if prov_df is not None and not prov_df.empty:
        bad = prov_df[prov_df.dirty | prov_df.stale]
        broken = prov_df[prov_df["set"].str.startswith("bad")] if "set" in prov_df else prov_df.iloc[:0]
        lines += ["## Provenance of the artefacts", "", PROVENANCE_NOTE, "",
                  prov_df.drop(columns=["full_commit"], errors="ignore").to_markdown(index=False), ""]
        if len(broken):
            lines += [f"**{len(broken)} notebook(s) whose artefact set fails `python -m lossfns.run "
                      f"verify` (mixed runs or altered files): {', '.join(broken.notebook)}.**", ""]
        lines += [(f"**{len(bad)} notebook(s) with dirty or stale artefacts.**" if len(bad)
                   else "Every artefact is clean and current." if not len(broken)
                   else "Every artefact is clean and current, but see the sets above."), ""]
    docs = list(dict.fromkeys([*df["document"], *claims_df["document"]]))
    for doc in docs:
        dgrp = df[df["document"] == doc]
        for table, grp in dgrp.groupby("table", sort=False):
            lines += [f"## {doc} — {table}", ""]
            if grp["reported_as"].iloc[0]:
                lines += [f"The paper reports: {grp['reported_as'].iloc[0]}.", ""]
            show = grp[["row", "column", "published", "ours", "interval", "z", "verdict", "profile",
                        "dataset", "reason"]]
            lines += [show.to_markdown(index=False, floatfmt=".4f", missingval="—"), ""]
        cgrp = claims_df[claims_df["document"] == doc] if not claims_df.empty else claims_df
        if len(cgrp):
            lines += [f"## {doc} — claims", ""]
            lines += [cgrp[["section", "claim", "verdict", "evidence", "test", "profile"]].to_markdown(
                index=False, missingval="—"), ""]
    amb = ambiguities_md(root)
    if amb.exists():
        lines += ["---", "", amb.read_text().replace("# ", "## ", 1)]
    return "\n".join(lines) + "\n"


def build(root: Path | None = None, *, include_ignored: bool = False):
    """``(text, numbers, claims, provenance)``: the report rendered from the files under
    ``root`` (the repository by default; the published numbers and claims are always the
    repository's ``data/``) and the tables behind it."""
    root = root or repo_root()
    df = verdicts(published(), collect(root, include_ignored))
    cdf = claim_verdicts(claims(), collect_claims(root, include_ignored))
    prov_df = provenance_table(root, include_ignored)
    newest = newest_commit(prov_df["full_commit"], root) if not prov_df.empty else None
    text = render(df, root, claims_df=cdf, prov_df=prov_df, artefact_commit=newest,
                  include_ignored=include_ignored)
    return text, df, cdf, prov_df


def write(out: Path | None = None, root: Path | None = None, *, include_ignored: bool = False) -> Path:
    """Render the report (:func:`build`) into ``out`` (default ``reports/REPLICATION.md``)."""
    out = Path(out) if out is not None else report_md(root)
    text = build(root, include_ignored=include_ignored)[0]
    with atomic_write(out) as fh:
        fh.write(text)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lossfns.report",
                                 description="write reports/REPLICATION.md (a pure function of the committed files)")
    ap.add_argument("--out", type=Path, default=None,
                    help="where to write the report (default: reports/REPLICATION.md, which then also "
                         "refreshes docs/catalogue.md)")
    ap.add_argument("--include-ignored", action="store_true",
                    help="also read git-ignored results (results/quick): for a local look only, a "
                         "clone cannot render that text")
    args = ap.parse_args(argv)
    out = args.out if args.out is not None else report_md()
    text, df, cdf, prov_df = build(include_ignored=args.include_ignored)
    with atomic_write(out) as fh:
        fh.write(text)
    print(f"wrote {out}: {len(df)} published numbers {df.verdict.value_counts().to_dict()}; "
          f"{len(cdf)} claims {cdf.verdict.value_counts().to_dict()}")
    if args.out is None:  # the generated loss catalogue, kept current beside the committed report
        from .catalogue import write as write_catalogue
        print(f"wrote {write_catalogue()}")
    if not prov_df.empty and (prov_df.dirty | prov_df.stale).any():
        bad = prov_df[prov_df.dirty | prov_df.stale].notebook.tolist()
        print(f"warning: dirty or stale artefacts in {bad} (see the report's provenance section)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
