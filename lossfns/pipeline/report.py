"""The replication report: every published number and claim next to ours, with a verdict.

    python -m lossfns.report            # writes reports/REPLICATION.md

Published numbers live in ``data/published_numbers.csv`` and claims in ``data/claims.csv``.
Notebooks record our value of a published number with its 95% interval
(``run.reproduce(id, value, estimate=...)``) and each claim's test (``run.claim(id, ...)``);
the report reads ``results/full/*/results.json`` (falling back to the quick profile, and saying
so) and judges every number with :func:`lossfns.verdicts.number_verdict`: the rules live in
:mod:`lossfns.verdicts` and ``docs/verdicts.md``, nowhere else. The header gives the date, the
commit, the counts of verdicts per document and marks every artefact that is dirty or stale.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
from pathlib import Path

import pandas as pd

from .artifacts import atomic_write, provenance
from ..verdicts import CLAIM_VERDICTS, NUMBER_VERDICTS, number_verdict
from .paths import ambiguities_md, identity_json, repo_root, report_md, results_dir
from .published import claims, published  # noqa: F401  (re-exported: lossfns.report.published)

PROVENANCE_NOTE = ("*dirty*: written from a tree with uncommitted changes; *stale*: the notebook or a "
                   "module it imports changed since; both mean the number is not what HEAD would produce.")


def _results_files(root: Path):
    """(profile, results.json) of every notebook, the full profile overriding the quick one."""
    best = {}
    for profile in ("quick", "full"):
        for res in sorted(results_dir(profile, root=root).glob("*/results.json")):
            best[res.parent.name] = (profile, res)
    return [best[k] for k in sorted(best)]


def _collect(section: str, root: Path | None = None) -> dict:
    root = root or repo_root()
    out = {}
    for profile, res in _results_files(root):
        data = json.loads(res.read_text())
        for key, entry in data.get("results", {}).get(section, {}).items():
            out[key] = {**entry, "profile": profile, "notebook": data.get("notebook")}
    return out


def collect(root: Path | None = None) -> dict:
    """Our values of published numbers by id (full profile preferred), each with its profile
    and notebook."""
    return _collect("reproduced", root)


def collect_claims(root: Path | None = None) -> dict:
    """Our claim verdicts by id (full profile preferred)."""
    return _collect("claims", root)


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
        rows.append({"id": key, "document": c["document"], "section": c["section"], "claim": c["claim"],
                     "verdict": "not run" if o is None else o["verdict"],
                     "evidence": "" if o is None else o.get("reason", ""), "test": c["test"],
                     "profile": (o or {}).get("profile", ""), "notebook": c["notebook"]})
    return pd.DataFrame(rows)


def provenance_table(root: Path | None = None) -> pd.DataFrame:
    """Per notebook: profile, commit, dirty and stale flags of its artefacts."""
    from .freshness import artefact_status
    root = root or repo_root()
    rows = []
    for profile, res in _results_files(root):
        nb = root / "notebooks" / f"{res.parent.name}.ipynb"
        manifest = res.parent / "manifest.json"
        if not nb.exists() or not manifest.exists():
            continue
        st = artefact_status(manifest, nb, root)
        rows.append({"notebook": res.parent.name, "profile": profile,
                     "commit": (st["commit"] or "")[:10], "dirty": st["dirty"], "stale": st["stale"],
                     "changed since": ", ".join(st["changed"][:4]) + (" ..." if len(st["changed"]) > 4 else "")})
    return pd.DataFrame(rows)


def _counts(df: pd.DataFrame, order) -> str:
    if df.empty:
        return "(none)"
    t = df.groupby(["document", "verdict"]).size().unstack(fill_value=0)
    t = t.reindex(columns=[v for v in order if v in t.columns])
    return t.reset_index().to_markdown(index=False)


def render(df: pd.DataFrame, root: Path | None = None, claims_df: pd.DataFrame | None = None,
           prov_df: pd.DataFrame | None = None, identity: dict | None = None) -> str:
    root = root or repo_root()
    prov = provenance()
    claims_df = claims_df if claims_df is not None else pd.DataFrame(columns=["document", "verdict"])
    lines = ["# Replication report", "",
             f"Generated on {datetime.date.today().isoformat()} by `python -m lossfns.report` at commit "
             f"`{prov['git_commit']}`{' (dirty tree)' if prov['git_dirty'] else ''}.", "",
             "Verdicts of published numbers: " + ", ".join(f"**{v}**" for v in NUMBER_VERDICTS)
             + "; of claims: " + ", ".join(f"**{v}**" for v in CLAIM_VERDICTS)
             + ". The rules (95% intervals from our own spread; no hand-set tolerance) are in "
             "`docs/verdicts.md` and `lossfns/verdicts.py`.", "",
             "Numbers marked *quick* come from the quick (CI) profile, not the paper's protocol: run "
             "`make reproduce` for the full profile.", "",
             "## Summary", "", "Published numbers:", "", _counts(df, NUMBER_VERDICTS), "",
             "Claims:", "", _counts(claims_df, CLAIM_VERDICTS), ""]
    if prov_df is not None and not prov_df.empty:
        bad = prov_df[prov_df.dirty | prov_df.stale]
        lines += ["## Provenance of the artefacts", "", PROVENANCE_NOTE, "",
                  prov_df.to_markdown(index=False), "",
                  (f"**{len(bad)} notebook(s) with dirty or stale artefacts.**" if len(bad)
                   else "Every artefact is clean and current."), ""]
    if identity:
        lines += ["## Re-run identity check", "", identity.get("summary", ""), ""]
        diff = [r for r in identity.get("notebooks", []) if r["status"] != "identical"]
        if diff:
            lines += [pd.DataFrame(diff).to_markdown(index=False), ""]
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lossfns.report", description="write reports/REPLICATION.md")
    ap.add_argument("--out", type=Path, default=report_md())
    args = ap.parse_args(argv)
    df = verdicts(published(), collect())
    cdf = claim_verdicts(claims(), collect_claims())
    prov_df = provenance_table()
    ident = identity_json("full")
    identity = json.loads(ident.read_text()) if ident.exists() else None
    with atomic_write(args.out) as fh:
        fh.write(render(df, claims_df=cdf, prov_df=prov_df, identity=identity))
    print(f"wrote {args.out}: {len(df)} published numbers {df.verdict.value_counts().to_dict()}; "
          f"{len(cdf)} claims {cdf.verdict.value_counts().to_dict()}")
    from .catalogue import write as write_catalogue   # the generated loss catalogue, kept current
    print(f"wrote {write_catalogue()}")
    if not prov_df.empty and (prov_df.dirty | prov_df.stale).any():
        bad = prov_df[prov_df.dirty | prov_df.stale].notebook.tolist()
        print(f"warning: dirty or stale artefacts in {bad} (see the report's provenance section)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
