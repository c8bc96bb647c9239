"""The replication report: every published number and claim next to ours, with a verdict.

    python -m lossfns.report                      # writes reports/REPLICATION.md and reports/verdicts.csv
    python -m lossfns.report --out /tmp/r.md      # the same text, elsewhere (and /tmp/verdicts.csv)

Published numbers live in ``data/published_numbers.csv`` and claims in ``data/claims.csv``.
Notebooks record our value of a published number with its 95% interval
(``run.reproduce(id, value, estimate=...)``) and each claim's test (``run.claim(id, ...)``;
a claim judged from wall-clock measurements, ``run.claim(id, ..., timing=True)``, lands in
``timings.json`` and is marked *timing* here). The report reads ``results/full/*/results.json``
and ``timings.json`` and judges every number with :func:`lossfns.verdicts.compare_number` from
the number's columns in ``data/published_numbers.csv`` (written by ``tools/published_columns.py``)
and gives each miss its cause from ``docs/causes.csv`` (:func:`lossfns.verdicts.cause_of`): the
rules live in :mod:`lossfns.verdicts` and ``docs/verdicts.md``, nowhere else. Beside the report it
writes ``verdicts.csv``, every verdict as data (:data:`VERDICT_COLUMNS`), which
``python -m lossfns.verdicts recheck`` (:mod:`lossfns.pipeline.recheck`) recomputes.

The report is a pure function of committed files: the artefacts under ``results/`` that git does
not ignore (so not ``results/quick``: ``--include-ignored`` adds those, for a local look only),
``data/``, ``docs/ambiguities.md``, ``docs/causes.csv``, and the staleness of each artefact, which
:mod:`lossfns.pipeline.freshness` computes by ``git diff`` between the artefact's commit and the
working tree. No date, host, HEAD commit or re-run identity check (that describes one working
tree: ``python -m lossfns.pipeline.identity`` prints it at the end of ``make reproduce``), so
``make report`` in a clean clone gives the committed ``reports/REPLICATION.md`` and
``reports/verdicts.csv`` byte for byte (``tests/test_report_pure.py``).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

from .artifacts import atomic_write
from ..verdicts import (CAUSES, CLAIM_VERDICTS, DIFFERENCE_KINDS, NUMBER_VERDICTS, Estimate, Published, cause_of,
                        compare_number, judge_parts)
from .paths import ambiguities_md, published_numbers_csv, repo_root, report_md, results_dir
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
            if key in out and out[key]["notebook"] != data.get("notebook"):
                raise ValueError(
                    f"{section} id {key!r} is recorded by two notebooks, {out[key]['notebook']} and "
                    f"{data.get('notebook')} ({res.relative_to(root)}): one id must come from one run; "
                    "remove the results folder of the notebook that no longer records it")
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


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v == ""


def causes_csv(root: Path | None = None) -> Path:
    """``docs/causes.csv``: why a number is not reproduced (or a claim contradicted). It lives
    beside the register (``docs/ambiguities.md``), not in ``data/``: only the report and the
    recheck read it, never a notebook, so editing it changes no artefact."""
    return ambiguities_md(root).parent / "causes.csv"


def causes(root: Path | None = None) -> list[dict]:
    """The rows of ``docs/causes.csv`` in file order (the first matching pattern wins):
    ``pattern``, ``cause``, ``register``, ``evidence``; none when the file is absent."""
    path = causes_csv(root)
    if not path.exists():
        return []
    return pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")


def _natural(v, log10: bool) -> float:
    """An interval end of ours on the number's own scale (a log10 interval back to values)."""
    if v is None or not math.isfinite(float(v)):
        return math.nan
    return 10 ** float(v) if log10 else float(v)


def _printed(p) -> str:
    """The published number as the paper prints it: decimals, and ± its sd where printed."""
    dec = p.get("decimals")
    value = f"{p['value']:.{int(dec)}f}" if not _blank(dec) else f"{p['value']:g}"
    sd = p.get("pub_sd")
    if not _blank(sd):
        value += f" ± {sd:.{int(p['pub_sd_decimals'])}f}"
    return value


def alternative_estimate(ref: str, key: str, entry: dict, root: Path | None = None):
    """The result a cause's ``alternative`` names, as an Estimate: ``ref`` is
    ``<notebook>:<results key>?<field>=<value>&...`` (``{id}`` stands for the number's id), a
    table of ``results.json`` (of the profile of our ``entry``) from which exactly one record
    must match; it needs ``lo`` and ``hi`` (and ``ours`` or ``ours (mean)``); its ``se`` and
    ``n`` where the record has them (e.g. 003-5-1b's ``table1_reading_estimates``), else our
    entry's ``n``. Raises ``LookupError`` when the file, table or record is missing."""
    from urllib.parse import parse_qsl
    head, _, query = ref.replace("{id}", key).partition("?")
    notebook, _, table = head.partition(":")
    root = root or repo_root()
    res = results_dir(entry.get("profile") or "full", notebook, root=root) / "results.json"
    if not res.exists():   # named relative to the repository: the report holds no machine's paths
        raise LookupError(f"{res.relative_to(root).as_posix() if res.is_relative_to(root) else res} does not exist")
    records = json.loads(res.read_text()).get("results", {}).get(table)
    if not isinstance(records, list):
        raise LookupError(f"{notebook} has no table {table!r}")
    want = dict(parse_qsl(query, keep_blank_values=True))
    hits = [r for r in records if all(str(r.get(k)) == v for k, v in want.items())]
    if len(hits) != 1:
        raise LookupError(f"{len(hits)} records of {notebook}:{table} match {want}")
    r = hits[0]
    value = r.get("ours", r.get("ours (mean)"))
    n = int(r.get("n") or (entry.get("estimate") or {}).get("n") or 0)
    se = r.get("se")
    se = float(se) if se is not None else math.nan
    return Estimate(float(value), float(r["lo"]), float(r["hi"]), se, n, f"alternative {ref}")


def _checker(spec: Published, key: str, entry: dict | None, root: Path | None):
    """``check(cause_row) -> (ok, note)`` for :func:`lossfns.verdicts.cause_of`: the alternative
    result judged by the number's own rule; ok unless it too is *not reproduced*."""
    def check(c):
        try:
            est = alternative_estimate(str(c["alternative"]), key, entry or {}, root)
        except LookupError as exc:
            return False, f"alternative result missing ({exc})"
        v = compare_number(spec, est)
        label = str(c["alternative"]).split("?", 1)[-1].replace("{id}", key)
        return v["verdict"] != "not reproduced", (
            f"the alternative ({label}) gives [{est.lo:.4g}, {est.hi:.4g}]: {v['verdict']} by the same rule")
    return check


def verdicts(pub: pd.DataFrame, ours: dict, cause_table: list[dict] | None = None,
             root: Path | None = None) -> pd.DataFrame:
    """One row per published number: the paper's value (with its sd and trial count), ours with
    our interval, the difference ours - published with its 95% interval
    (:func:`lossfns.verdicts.compare_number`), the registered margin, the verdict and, for a
    number not reproduced, its cause (``cause_table``: :func:`causes`, by default the
    repository's ``docs/causes.csv``; a cause naming an alternative result is checked against
    the results under ``root``)."""
    cause_table = causes() if cause_table is None else cause_table
    rows = []
    for key, p in pub.iterrows():
        o = ours.get(key)
        log10 = p["compare"] == "log10"
        est = None if o is None else o.get("estimate")
        spec = Published.from_row(p)
        v = compare_number(spec, est, recorded=o is not None, stand_in=bool(o and o.get("stand_in")))
        c = cause_of(key, v["verdict"], cause_table, diff=v["diff"], check=_checker(spec, key, o, root))
        same = "" if _blank(p.get("same_run_as")) else str(p["same_run_as"])
        # a number nobody produced keeps the transcription's note (why it is not run, e.g.
        # SVMperf is not installable here); a produced one, the notebook's note
        note = (o or {}).get("note", "") if o is not None else (p.get("note", "") if isinstance(p.get("note", ""), str) else "")
        reason = "; ".join(x for x in (v["reason"], note, f"our run is that of {same}: counted once" if same else "")
                           if x)
        e = est or {}
        rows.append({"id": key, "document": p["document"], "table": p["table"], "row": p["row"],
                     "column": p["column"], "statistic": "" if _blank(p.get("statistic")) else p["statistic"],
                     "published": p["value"], "printed": _printed(p),
                     "published_sd": p.get("pub_sd", math.nan), "published_n": p.get("pub_n", math.nan),
                     "decimals": p.get("decimals", math.nan),
                     "ours": None if o is None else o["value"],
                     "ours_lo": _natural(e.get("lo"), log10), "ours_hi": _natural(e.get("hi"), log10),
                     "interval": _fmt_interval(est, log10), "difference": v["diff"],
                     "difference_lo": v["lo"], "difference_hi": v["hi"], "margin": v["margin"],
                     "z": v["z"], "verdict": v["verdict"], **c, "same_run_as": same, "counted": not same,
                     "reason": reason, "profile": (o or {}).get("profile", ""),
                     "dataset": (o or {}).get("dataset", ""), "notebook": (o or {}).get("notebook", ""),
                     "reported_as": p.get("reported_as", "")})
    return pd.DataFrame(rows)


def claim_verdicts(table: pd.DataFrame, ours: dict, cause_table: list[dict] | None = None) -> pd.DataFrame:
    """One row per claim of ``data/claims.csv``: our verdict and its evidence (the notebook's:
    claims are judged where they are run), and the cause of a contradiction (``cause_table``,
    as for :func:`verdicts`), whose own evidence follows the test's after ``; cause:``."""
    cause_table = causes() if cause_table is None else cause_table
    rows = []
    for key, c in table.iterrows():
        o = rejudge_claim(ours.get(key), c)
        timing = bool((o or {}).get("timing"))
        evidence = "" if o is None else o.get("reason", "")
        if timing:  # a speed claim: its numbers are this run's wall clock, not the science's
            evidence = f"*{TIMING_NOTE}*; {evidence}" if evidence else f"*{TIMING_NOTE}*"
        verdict = "not run" if o is None else o["verdict"]
        why = cause_of(key, verdict, cause_table)
        if why["evidence"]:  # what the cause rests on, as a number's reason carries it
            evidence = f"{evidence}; cause: {why['evidence']}" if evidence else f"cause: {why['evidence']}"
        rows.append({"id": key, "document": c["document"], "section": c["section"], "claim": c["claim"],
                     "verdict": verdict, "cause": why["cause"], "register": why["register"],
                     "evidence": evidence, "test": c["test"], "kind": c.get("kind", ""),
                     "margin": _margin(c.get("margin")), "contradicted_by": c.get("contradicted_by", ""),
                     "timing": timing, "profile": (o or {}).get("profile", ""), "notebook": c["notebook"]})
    return pd.DataFrame(rows)


def _margin(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def rejudge_claim(recorded: dict | None, spec) -> dict | None:
    """A recorded claim judged again by the claims file's rule: a claim recorded with ``parts``
    (part name -> ``{"values": paired differences, ...}``) whose ``kind`` (``spec``: its row of
    data/claims.csv) is one of :data:`lossfns.verdicts.DIFFERENCE_KINDS` gets
    :func:`lossfns.verdicts.judge_parts` with the file's ``margin``, so that the verdict follows
    the file, not the code that ran (a stand-in keeps "not comparable", the test's verdict as
    ``direction``). Anything else is returned as recorded."""
    kind = spec.get("kind", "") if spec is not None else ""
    parts = (recorded or {}).get("parts")
    if recorded is None or kind not in DIFFERENCE_KINDS or not isinstance(parts, dict) or not parts:
        return recorded
    if not all(isinstance(p, dict) and "values" in p for p in parts.values()):
        return recorded
    judged = judge_parts({n: p["values"] for n, p in parts.items()}, kind, _margin(spec.get("margin")))
    out = {**recorded, "verdict": judged["verdict"], "reason": judged["reason"], "parts": judged["parts"]}
    if recorded.get("stand_in") and judged["verdict"] != "not comparable":
        out.update(verdict="not comparable", direction=judged["verdict"])
    return out


#: Columns of reports/verdicts.csv (one row per published number and per claim).
VERDICT_COLUMNS = ["kind", "id", "document", "table", "row", "column", "statistic", "published",
                   "published_sd", "published_n", "decimals", "ours", "ours_lo", "ours_hi", "difference",
                   "difference_lo", "difference_hi", "margin", "z", "verdict", "cause", "register",
                   "evidence", "same_run_as", "counted", "profile", "notebook"]


def verdict_table(df: pd.DataFrame, claims_df: pd.DataFrame) -> pd.DataFrame:
    """The machine-readable verdicts (``reports/verdicts.csv``): the numbers of :func:`verdicts`
    and the claims of :func:`claim_verdicts` in one table of :data:`VERDICT_COLUMNS` (a claim's
    ``table`` is its section and its ``row`` the claim's text)."""
    nums = df.assign(kind="number") if len(df) else pd.DataFrame(columns=VERDICT_COLUMNS)
    cl = claims_df.rename(columns={"section": "table", "claim": "row"}) if len(claims_df) else claims_df
    cl = cl.assign(kind="claim", counted=True) if len(cl) else pd.DataFrame(columns=VERDICT_COLUMNS)
    out = pd.concat([nums.reindex(columns=VERDICT_COLUMNS), cl.reindex(columns=VERDICT_COLUMNS)],
                    ignore_index=True)
    return out


def verdicts_csv_text(table: pd.DataFrame) -> str:
    """:func:`verdict_table` as CSV text: numbers with 6 significant digits (what the rule
    decides on is far coarser, so the text does not depend on a platform's last bits), blanks
    for what does not apply; a pure function of the table."""
    def cell(v):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        if isinstance(v, (bool, np.bool_)):
            return "true" if v else "false"
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        if isinstance(v, (float, np.floating)):
            return f"{float(v):.6g}"
        return str(v)
    body = table.reindex(columns=VERDICT_COLUMNS).astype(object).map(cell)
    return body.to_csv(index=False, lineterminator="\n")


def provenance_table(root: Path | None = None, include_ignored: bool = True) -> pd.DataFrame:
    """Per notebook: profile, commit, dirty and stale flags of its artefacts, and whether the
    set is whole (:func:`lossfns.pipeline.integrity.verify_set`: ``ok``; ``legacy`` for a set
    written before run ids, whose sidecars agree; ``bad`` with the first problem)."""
    from .integrity import verify_set
    root = root or repo_root()
    rows = []
    for profile, res in _results_files(root, include_ignored):
        nb = root / "notebooks" / f"{res.parent.name}.ipynb"
        manifest = res.parent / "manifest.json"
        if not nb.exists() or not manifest.exists():
            continue
        st = artefact_freshness(manifest, nb, root)
        whole = verify_set(root, profile, res.parent.name)
        rows.append({"notebook": res.parent.name, "profile": profile,
                     "commit": (st["commit"] or "")[:10], "full_commit": st["commit"] or "",
                     "dirty": st["dirty"], "stale": st["stale"],
                     "set": whole["status"] + (f" ({len(whole['problems'])} problem(s): "
                                               f"{whole['problems'][0]})" if whole["problems"] else ""),
                     "changed since": ", ".join(st["changed"][:4]) + (" ..." if len(st["changed"]) > 4 else "")})
    return pd.DataFrame(rows)


def cell_inputs(text: str) -> list[tuple]:
    """What of a notebook a run executes: each cell's type, source and tags (``parameters``
    among them), in order; not its stored outputs, execution counts or other metadata."""
    return [(c.get("cell_type"), "".join(c.get("source", "")), tuple(c.get("metadata", {}).get("tags", ())))
            for c in json.loads(text).get("cells", [])]


def artefact_freshness(manifest: Path, notebook: Path, root: Path) -> dict:
    """:func:`lossfns.pipeline.freshness.artefact_status`, except that the notebook counts as
    changed only when its cells (:func:`cell_inputs`) did: the committed quick-profile outputs
    are what an earlier run printed, not an input of the full run, so refreshing nbval's
    reference (e.g. on another CPU) leaves a full run current. The same rule as the pre-stop
    hook's (cell sources)."""
    from .freshness import artefact_status
    st = artefact_status(manifest, notebook, root)
    rel = Path(notebook).resolve().relative_to(Path(root).resolve()).as_posix()
    if rel in st["changed"] and st["commit"]:
        before = subprocess.run(["git", "show", f"{st['commit']}:{rel}"], cwd=root, capture_output=True,
                                text=True, timeout=30)
        if before.returncode == 0 and cell_inputs(before.stdout) == cell_inputs(Path(notebook).read_text()):
            changed = [c for c in st["changed"] if c != rel]
            st = {**st, "changed": changed, "stale": bool(changed)}
    return st


def _counts(df: pd.DataFrame, order, column: str = "verdict") -> str:
    """Counts per document and ``column`` (in ``order``), with a total row; only the rows
    ``counted`` (a number sharing another's run is counted once, there)."""
    if "counted" in df:
        df = df[df["counted"].astype(bool)]
    if df.empty:
        return "(none)"
    t = df.groupby(["document", column]).size().unstack(fill_value=0)
    t = t.reindex(columns=[v for v in order if v in t.columns])
    t.loc["all"] = t.sum()
    return t.reset_index().to_markdown(index=False)


#: An ``unexplained`` row of docs/causes.csv records what was checked: its evidence starts with
#: this; a miss no row matches is unexplained and not investigated.
INVESTIGATED = "investigated:"
#: The cause columns of the summary: ``unexplained`` split by whether it was investigated
SUMMARY_CAUSES = (*[c for c in CAUSES if c != "unexplained"], "unexplained, investigated",
                  "unexplained, not investigated")


def summary_cause(cause: str, evidence) -> str:
    """The summary's cause of a miss: ``cause``, with ``unexplained`` split into
    "unexplained, investigated" (its evidence names what was checked, :data:`INVESTIGATED`) and
    "unexplained, not investigated".

    >>> summary_cause("unexplained", "investigated: no reading lowers it")
    'unexplained, investigated'
    >>> summary_cause("unexplained", "reading (A90) checked: not reproduced either")
    'unexplained, not investigated'
    >>> summary_cause("paper", "")
    'paper'
    """
    if cause != "unexplained":
        return cause
    investigated = INVESTIGATED in str(evidence or "")
    return "unexplained, investigated" if investigated else "unexplained, not investigated"


def _with_summary_cause(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(summary_cause=[summary_cause(c, e) for c, e in zip(df["cause"], df["evidence"])])


def _summary(df: pd.DataFrame, claims_df: pd.DataFrame) -> list[str]:
    """The summary: verdicts per document (numbers, claims) and the causes of the misses."""
    lines = ["## Summary", "", "Published numbers:", "", _counts(df, NUMBER_VERDICTS), ""]
    shared = df[~df["counted"].astype(bool)] if "counted" in df else df.iloc[:0]
    if len(shared):
        tables = ", ".join(dict.fromkeys(f"{d} {t}" for d, t in zip(shared["document"], shared["table"])))
        lines += [f"{len(shared)} published number(s) share our run with another number ({tables}: "
                  "column `same_run_as` of `data/published_numbers.csv`): each is shown in its table and "
                  "counted once, with the number whose run it is.", ""]
    miss = df[df["verdict"] == "not reproduced"] if len(df) else df
    lines += ["Why a number is not reproduced (`docs/causes.csv`; `docs/verdicts.md` says what each "
              "cause means and what evidence it needs; an `unexplained` miss is *investigated* "
              "when a row of the causes file records what was checked):", "",
              _counts(_with_summary_cause(miss), SUMMARY_CAUSES, "summary_cause") if len(miss) else "(none)", "",
              "Claims:", "", _counts(claims_df, CLAIM_VERDICTS), ""]
    contra = claims_df[claims_df["verdict"] == "contradicted"] if len(claims_df) else claims_df
    if len(contra):
        lines += ["Why a claim is contradicted:", "", _counts(_with_summary_cause(contra), SUMMARY_CAUSES,
                                                               "summary_cause"), ""]
    return lines


def _number_table(grp: pd.DataFrame) -> str:
    def diff(r):
        if not math.isfinite(r["difference_lo"]) or not math.isfinite(r["difference_hi"]):
            return "—" if not math.isfinite(r["difference"]) else f"{r['difference']:+.4f}"
        return f"{r['difference']:+.4f} [{r['difference_lo']:+.4f}, {r['difference_hi']:+.4f}]"
    def ours(v):
        return "—" if v is None or not math.isfinite(float(v)) else f"{float(v):.4f}"
    show = pd.DataFrame({
        "row": grp["row"], "column": grp["column"], "published": grp["printed"], "ours": grp["ours"].map(ours),
        "our interval": grp["interval"], "ours − published [95%]": grp.apply(diff, axis=1),
        "margin": grp["margin"].map(lambda m: "exact" if m == 0 else (f"±{m:g}" if math.isfinite(m) else "—")),
        "verdict": grp["verdict"],
        "cause": [f"{c} ({r})" if r else c for c, r in zip(grp["cause"], grp["register"])],
        "profile": grp["profile"], "dataset": grp["dataset"],
        "reason": [f"{why}; cause: {ev}" if ev else why for why, ev in zip(grp["reason"], grp["evidence"])]})
    return show.to_markdown(index=False, disable_numparse=True, missingval="—")


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
            "`data/claims.csv`, `docs/ambiguities.md` and `docs/causes.csv`; an artefact's staleness "
            "is a `git diff` "
            "between its commit and the tree. No date, host or HEAD commit enters it, so a clean "
            "clone renders this text byte for byte." + newest, "",
            "Verdicts of published numbers: " + ", ".join(f"**{v}**" for v in NUMBER_VERDICTS)
            + "; of claims: " + ", ".join(f"**{v}**" for v in CLAIM_VERDICTS)
            + ". A published number is judged by the difference ours − published, with a 95% "
            "interval that carries our spread, the paper's (its printed sd over its trials) and its "
            "printed rounding, against an equivalence margin registered per kind of quantity: "
            "**reproduced** inside the margin, **not reproduced** wholly outside, **inconclusive** "
            "otherwise; every number not reproduced carries a cause. The rules are in "
            "`docs/verdicts.md` and `lossfns/verdicts.py`; `reports/verdicts.csv` holds every verdict "
            "as data, and `python -m lossfns.verdicts recheck` recomputes it from `results/` and "
            "`data/`.", "",
            "Wall-clock measurements (`timings.json` beside each `results.json`) differ from run to "
            "run and machine to machine: a claim judged from them is marked *timing* in its evidence, "
            "and holds for the machine that ran the notebook. The re-run identity check of `make "
            "reproduce` (`python -m lossfns.pipeline.identity`, results.json only) describes one "
            "working tree and is printed there, not kept here.", ""]


#: results.json entries named ``<table>_readings``: per published id, each reading's estimate and
#: verdict (``<reading>: verdict``), written by a notebook that runs other readings of a paper
#: (003-5-1b: the released code's); the report puts our own verdict beside them
OURS_READING = "ours (the paper's equations)"


def collect_readings(root: Path | None = None, include_ignored: bool = True) -> dict:
    """``(document, table) -> DataFrame`` of every ``<table>_readings`` entry of the results
    files (full profile preferred), with the notebook that wrote it."""
    root = root or repo_root()
    out = {}
    for profile, res in _results_files(root, include_ignored):
        data = json.loads(res.read_text())
        for key, recs in (data.get("results") or {}).items():
            if key.endswith("_readings") and isinstance(recs, list) and recs and "id" in recs[0]:
                t = pd.DataFrame(recs).assign(notebook=data.get("notebook"), profile=profile)
                doc = str(t["id"].iloc[0]).split("/")[0]
                where = (doc, key[: -len("_readings")])
                out[where] = merge_readings(out[where], t) if where in out else t
    return out


def merge_readings(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Two ``<table>_readings`` frames of one table, written by two notebooks (003-5-1b runs
    Mammography's readings, 003-5-1d and 003-5-1e Adult's): one row per published id (``a``'s
    order, then ``b``'s new ids), every reading's value and verdict (``"not run"`` where a
    frame has none), ``matches`` recomputed from the verdicts, ``notebook`` and ``profile``
    naming both."""
    drop = ["matches", "notebook", "profile"]
    cols = [c for c in dict.fromkeys([*a.columns, *b.columns]) if c not in drop]
    ids = list(dict.fromkeys([*a["id"], *b["id"]]))

    def prep(t):
        t = t.drop(columns=[c for c in drop if c in t]).set_index("id")
        verdicts = [c for c in t.columns if c.endswith(": verdict")]
        t[verdicts] = t[verdicts].mask(t[verdicts] == "not run")
        return t

    m = prep(a).combine_first(prep(b)).reindex(ids).reset_index()[cols]
    names = _reading_names(m)
    for n in names:
        m[f"{n}: verdict"] = m[f"{n}: verdict"].fillna("not run")
    m["matches"] = [", ".join(n for n in names if r[f"{n}: verdict"] == "reproduced") or "neither"
                    for r in m.to_dict("records")]
    for c in ("notebook", "profile"):
        m[c] = ", ".join(dict.fromkeys(str(x) for x in (*a[c], *b[c])))
    return m


def _reading_names(table: pd.DataFrame) -> list[str]:
    """The readings of a ``<table>_readings`` frame: its columns ``<reading>: verdict``."""
    return [c[: -len(": verdict")] for c in table.columns if c.endswith(": verdict")]


def readings_summary(table: pd.DataFrame, df: pd.DataFrame) -> pd.DataFrame:
    """Per data set of a ``<table>_readings`` frame (:func:`collect_readings`) and per reading,
    our own rows (``df``: :func:`verdicts`) included: the published numbers the reading
    estimated and how many it reproduces, on the ids the readings estimated."""
    verdict = df.set_index("id")["verdict"]
    names = _reading_names(table)
    t = table.assign(dataset=table["id"].str.split("/").str[2],
                     **{f"{OURS_READING}: verdict": table["id"].map(verdict).fillna("not run")})
    rows = []
    for ds, g in t.groupby("dataset", sort=False):
        for name in [OURS_READING, *names]:
            v = g[f"{name}: verdict"]
            v = v[v != "not run"]
            if len(v):
                rows.append({"dataset": ds, "reading": name, "numbers": len(v),
                             "reproduced": int((v == "reproduced").sum()),
                             "not reproduced": int((v == "not reproduced").sum()),
                             "inconclusive": int((v == "inconclusive").sum())})
    return pd.DataFrame(rows)


_SHORT = {"reproduced": "R", "not reproduced": "N", "inconclusive": "I"}


def readings_numbers(table: pd.DataFrame, df: pd.DataFrame) -> pd.DataFrame:
    """The numbers behind :func:`readings_summary`: per published number of a ``<table>_readings``
    frame, the paper's mean ± sd, ours (``df``: :func:`verdicts`) and each reading's mean, each
    with its verdict's initial (R reproduced, N not reproduced, I inconclusive; blank: not run)."""
    ours = df.set_index("id")
    names = _reading_names(table)

    def cell(value, verdict) -> str:
        if verdict not in _SHORT or value is None or pd.isna(value):
            return ""
        return f"{float(value):.3f} {_SHORT[verdict]}"

    rows = []
    for r in table.to_dict("records"):
        sd = r.get("published sd")
        pub = f"{r['published']:.2f}" + (f" ± {float(sd):.2f}" if sd is not None and not pd.isna(sd) else "")
        o = ours.loc[r["id"]] if r["id"] in ours.index else None
        row = {"number": "/".join(str(r["id"]).split("/")[2:]), "published": pub,
               OURS_READING: "" if o is None else cell(o.get("ours"), o.get("verdict"))}
        row.update({name: cell(r.get(name), r.get(f"{name}: verdict")) for name in names})
        row["matches"] = r.get("matches", "")
        rows.append(row)
    return pd.DataFrame(rows)


def _readings_lines(doc: str, readings: dict, df: pd.DataFrame) -> list[str]:
    lines = []
    for (d, table), t in readings.items():
        if d != doc:
            continue
        summary = readings_summary(t, df)
        lines += [f"## {doc} — {table}: which reading the published numbers match", "",
                  f"From notebook(s) {t['notebook'].iloc[0]} ({t['profile'].iloc[0]} profile): each reading of "
                  f"the paper's released code trained under our protocol, judged by the same rule; "
                  f"\"{OURS_READING}\" is the verdict of the table above on the same numbers.", ""]
        for ds, g in summary.groupby("dataset", sort=False):
            best = g[g["reproduced"] == g["reproduced"].max()]
            share = ", ".join(f"{r.reading} ({r.reproduced} of {r.numbers})" for r in best.itertuples())
            lines += [f"- **{ds}**: most reproduced by {share}." if g["reproduced"].max() else
                      f"- **{ds}**: no reading reproduces a published number it estimated."]
        lines += ["", summary.to_markdown(index=False), "",
                  "Per published number: the paper's mean ± sd, ours and each reading's mean with its verdict "
                  "(R reproduced, N not reproduced, I inconclusive; blank: not run), and the readings that "
                  "reproduce it.", "", readings_numbers(t, df).to_markdown(index=False), ""]
    return lines


def render(df: pd.DataFrame, root: Path | None = None, claims_df: pd.DataFrame | None = None,
           prov_df: pd.DataFrame | None = None, *, artefact_commit: str | None = None,
           include_ignored: bool = False) -> str:
    """The report's Markdown from the verdict tables (:func:`verdicts`, :func:`claim_verdicts`),
    the provenance table and ``docs/ambiguities.md`` under ``root``: nothing else."""
    root = root or repo_root()
    claims_df = claims_df if claims_df is not None else pd.DataFrame(columns=["document", "verdict"])
    lines = [*_header(artefact_commit, include_ignored), *_summary(df, claims_df)]
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
    readings = collect_readings(root, include_ignored)
    docs = list(dict.fromkeys([*df["document"], *claims_df["document"]]))
    for doc in docs:
        dgrp = df[df["document"] == doc]
        for table, grp in dgrp.groupby("table", sort=False):
            lines += [f"## {doc} — {table}", ""]
            if grp["reported_as"].iloc[0]:
                lines += [f"The paper reports: {grp['reported_as'].iloc[0]}.", ""]
            lines += [_number_table(grp), ""]
        lines += _readings_lines(doc, readings, df)
        cgrp = claims_df[claims_df["document"] == doc] if not claims_df.empty else claims_df
        if len(cgrp):
            lines += [f"## {doc} — claims", ""]
            show = cgrp[["section", "claim", "verdict", "cause", "evidence", "test", "contradicted_by", "profile"]].assign(
                cause=[f"{c} ({r})" if r else c for c, r in zip(cgrp["cause"], cgrp["register"])])
            show = show.rename(columns={"contradicted_by": "contradicted by"})
            lines += [show.to_markdown(index=False, missingval="—"), ""]
    amb = ambiguities_md(root)
    if amb.exists():
        lines += ["---", "", amb.read_text().replace("# ", "## ", 1)]
    return "\n".join(lines) + "\n"


def build(root: Path | None = None, *, include_ignored: bool = False):
    """``(text, numbers, claims, provenance)``: the report rendered from the files under
    ``root`` (the repository by default; the published numbers and claims are always the
    repository's ``data/``) and the tables behind it."""
    root = root or repo_root()
    df = verdicts(published(), collect(root, include_ignored), root=root)
    cdf = claim_verdicts(claims(), collect_claims(root, include_ignored))
    prov_df = provenance_table(root, include_ignored)
    newest = newest_commit(prov_df["full_commit"], root) if not prov_df.empty else None
    text = render(df, root, claims_df=cdf, prov_df=prov_df, artefact_commit=newest,
                  include_ignored=include_ignored)
    return text, df, cdf, prov_df


def verdicts_csv(report_path: Path) -> Path:
    """Where the machine-readable verdicts go: ``verdicts.csv`` beside the report."""
    return Path(report_path).with_name("verdicts.csv")


def _write_both(out: Path, text: str, df: pd.DataFrame, cdf: pd.DataFrame) -> Path:
    with atomic_write(out) as fh:
        fh.write(text)
    with atomic_write(verdicts_csv(out)) as fh:
        fh.write(verdicts_csv_text(verdict_table(df, cdf)))
    return out


def write(out: Path | None = None, root: Path | None = None, *, include_ignored: bool = False) -> Path:
    """Render the report (:func:`build`) into ``out`` (default ``reports/REPLICATION.md``) and
    its verdicts into ``verdicts.csv`` beside it."""
    out = Path(out) if out is not None else report_md(root)
    text, df, cdf, _ = build(root, include_ignored=include_ignored)
    return _write_both(out, text, df, cdf)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lossfns.report",
                                 description="write reports/REPLICATION.md (a pure function of the committed files)")
    ap.add_argument("--out", type=Path, default=None,
                    help="where to write the report (default: reports/REPLICATION.md, which then also "
                         "refreshes docs/catalogue.md); verdicts.csv is written beside it")
    ap.add_argument("--include-ignored", action="store_true",
                    help="also read git-ignored results (results/quick): for a local look only, a "
                         "clone cannot render that text")
    args = ap.parse_args(argv)
    out = args.out if args.out is not None else report_md()
    text, df, cdf, prov_df = build(include_ignored=args.include_ignored)
    _write_both(out, text, df, cdf)
    print(f"wrote {out} and {verdicts_csv(out).name}: {len(df)} published numbers "
          f"{df[df.counted].verdict.value_counts().to_dict()} (counted once); "
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
