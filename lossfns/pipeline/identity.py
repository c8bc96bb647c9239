"""Did the re-run reproduce the committed numbers? ``results.json`` against the committed file.

    python -m lossfns.pipeline.identity --profile full     # what `make reproduce` ends with

For every ``results/<profile>/<notebook>/results.json`` in the working tree, compares it with
the version committed at ``HEAD`` (``git show``): **identical** (byte for byte), **keys added or
removed** (every value present in both is unchanged), **differs** (values changed: how many keys,
and the largest absolute difference), or **new** (not committed). Prints a summary and writes
``build/identity-<profile>.json`` (git-ignored: it describes this working tree, so the committed
report does not include it). Results files hold numbers only (no timings, no paths), so a CPU
re-run with the same seed is expected to be byte-identical.

``timings.json`` (wall-clock measurements: :meth:`NotebookRun.record_timing`, the fields of
:data:`lossfns.pipeline.artifacts.TIMING_FIELDS`, timing claims) is expected to differ on every
re-run and is not compared; the summary says how many there are.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
from pathlib import Path

from .artifacts import atomic_write, dumps
from .paths import identity_json, repo_root, results_dir
from .profiles import PROFILES

__all__ = ["flatten", "compare", "check", "main"]


def flatten(obj, prefix: str = "") -> dict:
    """Nested dicts and lists as ``{"a/b/0": leaf}``."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}{k}/"))
        return out
    if isinstance(obj, list):
        out = {}
        for i, v in enumerate(obj):
            out.update(flatten(v, f"{prefix}{i}/"))
        return out
    return {prefix.rstrip("/"): obj}


def _diff(a, b) -> float | None:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if a is None or b is None or not (math.isfinite(a) and math.isfinite(b)):
            return None
        return abs(float(a) - float(b))
    return None


def compare(new: dict, old: dict) -> list[dict]:
    """The leaves that differ: ``{"key", "committed", "rerun", "abs_diff"}`` (abs_diff only
    for numbers), sorted by key."""
    fn, fo = flatten(new), flatten(old)
    rows = []
    for key in sorted(set(fn) | set(fo)):
        a, b = fo.get(key, "(absent)"), fn.get(key, "(absent)")
        if a != b:
            rows.append({"key": key, "committed": a, "rerun": b, "abs_diff": _diff(a, b)})
    return rows


def _committed(path: Path, root: Path, rev: str) -> str | None:
    rel = path.relative_to(root).as_posix()
    out = subprocess.run(["git", "show", f"{rev}:{rel}"], cwd=root, capture_output=True, text=True)
    return out.stdout if out.returncode == 0 else None


def check(profile: str = "full", root: Path | None = None, rev: str = "HEAD") -> dict:
    """Compare every results.json of ``profile`` with its committed version at ``rev``."""
    root = root or repo_root()
    rows = []
    for res in sorted(results_dir(profile, root=root).glob("*/results.json")):
        old = _committed(res, root, rev)
        text = res.read_text()
        if old is None:
            rows.append({"notebook": res.parent.name, "status": "new", "keys": 0, "max_abs_diff": None,
                         "examples": ""})
        elif old == text:
            rows.append({"notebook": res.parent.name, "status": "identical", "keys": 0,
                         "max_abs_diff": 0.0, "examples": ""})
        else:
            diffs = compare(json.loads(text), json.loads(old))
            changed = [d for d in diffs if "(absent)" not in (d["committed"], d["rerun"])]
            nums = [d["abs_diff"] for d in changed if d["abs_diff"] is not None]
            status = "differs" if changed else "keys added or removed"
            rows.append({"notebook": res.parent.name, "status": status, "keys": len(diffs),
                         "added": sum(d["committed"] == "(absent)" for d in diffs),
                         "removed": sum(d["rerun"] == "(absent)" for d in diffs),
                         "changed": len(changed), "max_abs_diff": max(nums) if nums else None,
                         "examples": ", ".join(d["key"] for d in (changed or diffs)[:3])})
    n_same = sum(r["status"] == "identical" for r in rows)
    n_timings = len(list(results_dir(profile, root=root).glob("*/timings.json")))
    summary = (f"{n_same} of {len(rows)} {profile}-profile results.json identical to the committed "
               f"ones (at {rev})")
    bad = [r for r in rows if r["status"] != "identical"]
    if bad:
        summary += "; " + "; ".join(
            f"{r['notebook']}: {r['status']}"
            + (f" ({r['added']} added, {r['removed']} removed, {r['changed']} changed"
               + (f", max |diff| {r['max_abs_diff']:.3g}" if r["max_abs_diff"] is not None else "")
               + ")" if "added" in r else "") for r in bad)
    summary += "."
    if n_timings:
        summary += (f" Not compared: {n_timings} timings.json (wall-clock measurements, expected to "
                    "differ from run to run).")
    return {"profile": profile, "rev": rev, "summary": summary, "notebooks": rows,
            "timings_not_compared": n_timings}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lossfns.pipeline.identity",
                                 description="compare re-run results.json files with the committed ones "
                                             "(timings.json, wall-clock measurements, are not compared)")
    ap.add_argument("--profile", choices=PROFILES, default="full")
    ap.add_argument("--rev", default="HEAD")
    args = ap.parse_args(argv)
    out = check(args.profile, rev=args.rev)
    with atomic_write(identity_json(args.profile)) as fh:
        fh.write(dumps(out))
    print(out["summary"])
    for r in out["notebooks"]:
        if r["status"] != "identical":
            print(f"  {r['notebook']}: {r['status']} {r['examples']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
