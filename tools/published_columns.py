"""Write the derived columns of data/published_numbers.csv from its transcribed text.

    python tools/published_columns.py           # rewrite the derived columns in place
    python tools/published_columns.py --check   # exit 1 if the committed columns differ

The transcription (``id`` ... ``note``) is what the papers print; the verdict rule
(docs/verdicts.md, :func:`lossfns.verdicts.compare_number`) needs it as numbers. This script
parses it once, by the rules below, checks every parsed value against the text it came from, and
writes the result as explicit columns, so the report never parses text. It never changes a
transcribed cell: the first ten columns are copied byte for byte (checked before writing).

Derived columns (appended after ``note``):

``statistic``
    how the paper got the number: ``mean`` (column "(mean over N trials)"), ``single`` ("single
    run"), ``extreme`` ("min/max over N repeats"), ``grid`` ("argmax ... grid"), ``exact``
    (printed counts, class weights and shares: "as printed" without a trial mean); blank for
    ``compare = undefined``.
``pub_sd``, ``pub_sd_decimals``
    the paper's standard deviation over its trials as printed in ``note`` ("std over 10 trials
    0.01") and its printed decimals; blank where "no std printed".
``pub_n``
    the trials (``mean``) or repeats (``extreme``) behind the number, 1 for ``single``; every
    place the text states it ("mean of 10 trials", "(mean over 10 trials)", "std over 10
    trials") must agree.
``decimals``
    printed decimals of the value: as ``reported_as`` states them ("2 decimals"; a count or a
    share "as printed (percent)" has 0); where it states none (document 000), the most decimals
    any transcribed value of the same table has (its numbers are printed to a fixed precision);
    blank for ``grid`` and ``undefined``. Every value must have at most that many.
``quantity``, ``eq_margin``
    the kind of quantity and the equivalence margin registered for it in docs/verdicts.md
    (:func:`margins`): ``score`` (accuracy, F-scores, precision, recall, AUROC and the mean CV
    accuracy, all in [0, 1]): the smallest multiple of the printed unit 0.01 at which the
    verdict rule calls an exact replication of the paper's typical cell *reproduced* at least
    80% of the time (:func:`score_margin`: the typical cell is the median printed sd of the
    paper's scores over 10 trials, 2 decimals; 0.04 for document 003's sd of 0.02); ``score
    sd`` (a standard deviation of fold accuracies): half the score margin; ``log10 strength``
    (a regularisation strength on a log grid, printed "approximately 100") 0.5 decades, the
    rounding of an order of magnitude; ``count``, ``weight``, ``share``: 0 (exact after
    rounding); blank for ``undefined``.
``same_run_as``
    the id whose run of ours this number shares (counted once in the report): Table 4's
    baseline rows (F1-dagger, AUROC-ddagger, BCE) reprint Table 1's (same values and std, the
    notebook records one run for both); Table 12's "Dice (sigmoid)" is the same function of the
    inputs as "Dice" in the package (sigmoid inside the loss or at the output, register A32/A85),
    so notebook 003-5-2 trains one model twice.

The earlier hand-set ``margin`` column (16 rows: Table 8's weights and Table 10's shares) is
kept as transcribed history; it must not exceed the rounding of an exact quantity (v2's exact
rule: ours rounds to the printed value), and the report no longer reads it.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "data" / "published_numbers.csv"
TRANSCRIBED = ["id", "document", "table", "row", "column", "value", "compare", "margin", "reported_as", "note"]
DERIVED = ["statistic", "pub_sd", "pub_sd_decimals", "pub_n", "decimals", "quantity", "eq_margin", "same_run_as"]

#: the power the score margin must give an exact replication of the paper's typical cell
POWER = 0.80
#: simulated replications behind :func:`score_margin` (seeded: the column is reproducible)
N_SIM = 2000
SCORE = re.compile(r"^(Accuracy|F1|F2|F3|Precision|Recall|AUROC|AUC|precision|recall|mean CV score)\b")
#: Table 4 rows that reprint Table 1 (the paper's baselines) and Table 12's Dice pair
REPRINTED_LOSSES = ("f1_adv", "auroc_wmw", "bce")


class ParseError(ValueError):
    pass


def _decimals_of(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _ints(pattern: str, *texts: str) -> set[int]:
    return {int(m) for t in texts for m in re.findall(pattern, t or "")}


def derive_row(row: dict, table_decimals: dict, margin_of: dict) -> dict:
    """The derived columns of one transcribed row (strings, '' for blank); raises ParseError
    when the text is ambiguous or contradicts itself."""
    key, col, rep, note, cmp_ = row["id"], row["column"], row["reported_as"], row["note"], row["compare"]
    out = dict.fromkeys(DERIVED, "")
    where = f"{key}: "
    sds = re.findall(r"std over (\d+) trials (\d+(?:\.\d+)?)", note)
    if len(sds) > 1:
        raise ParseError(where + f"several 'std over N trials' in the note: {sds}")
    if cmp_ == "undefined":
        return out
    if "(mean over" in col:
        stat = "mean"
    elif rep.startswith("single run"):
        stat = "single"
    elif rep.startswith("min/max over"):
        stat = "extreme"
    elif rep.startswith("argmax"):
        stat = "grid"
    elif rep.startswith("as printed"):
        stat = "exact"
    else:
        raise ParseError(where + f"no statistic for reported_as {rep!r}")
    out["statistic"] = stat
    if stat == "mean":
        ns = _ints(r"mean of (\d+) trials", rep) | _ints(r"\(mean over (\d+) trials\)", col) | {int(n) for n, _ in sds}
        if len(ns) != 1:
            raise ParseError(where + f"trial counts {sorted(ns)} (need exactly one)")
        out["pub_n"] = str(ns.pop())
        if sds:
            if "no std printed" in note:
                raise ParseError(where + "both a std and 'no std printed'")
            out["pub_sd"], out["pub_sd_decimals"] = sds[0][1], str(_decimals_of(sds[0][1]))
        elif "no std printed" not in note:
            raise ParseError(where + "a mean with neither 'std over N trials x' nor 'no std printed'")
    elif sds:
        raise ParseError(where + f"a std in the note of a {stat!r} number")
    if stat == "single":
        out["pub_n"] = "1"
    if stat == "extreme":
        ns = _ints(r"over (\d+) repeats", rep)
        if len(ns) != 1:
            raise ParseError(where + f"repeat counts {sorted(ns)}")
        out["pub_n"] = str(ns.pop())
    # printed decimals
    if stat != "grid":
        stated = _ints(r"(\d+) decimals", rep)
        if len(stated) > 1:
            raise ParseError(where + f"decimals {sorted(stated)}")
        if stated:
            dec = stated.pop()
        elif rep.startswith("as printed (count)") or rep.startswith("as printed (percent)"):
            dec = 0
        else:
            dec = table_decimals[(row["document"], row["table"])]
        if _decimals_of(row["value"]) > dec:
            raise ParseError(where + f"value {row['value']} has more than {dec} decimals")
        out["decimals"] = str(dec)
    # kind of quantity and its margin
    if stat == "grid":
        if cmp_ != "log10":
            raise ParseError(where + "a grid optimum is compared on the log10 scale")
        q = "log10 strength"
    elif stat == "exact":
        q = ("count" if "(count)" in rep else "share" if "percent" in rep
             else "weight" if re.search(r"\bweight\b", col + " " + note) else None)
        if q is None:
            raise ParseError(where + "an exact quantity that is neither a count, a share nor a weight")
        if row["margin"] and float(row["margin"]) > 0.5 * 10 ** -int(out["decimals"]) + 1e-12:
            raise ParseError(where + f"hand-set margin {row['margin']} exceeds the rounding of {out['decimals']} decimals")
    elif col.startswith("std CV score"):
        q = "score sd"
    elif SCORE.match(col):
        q = "score"
    else:
        raise ParseError(where + f"no kind of quantity for column {col!r}")
    if q in ("score", "score sd") and not 0.0 <= float(row["value"]) <= 1.0:
        raise ParseError(where + f"a {q} outside [0, 1]: {row['value']}")
    if row["margin"] and stat != "exact":
        raise ParseError(where + "a hand-set margin outside the exact quantities")
    out["quantity"], out["eq_margin"] = q, margin_of[q]
    return out


def score_margin(sd: float, *, n: int = 10, decimals: int = 2, power: float = POWER, n_sim: int = N_SIM,
                 seed: int = 0) -> float:
    """The smallest multiple of the printed unit ``10**-decimals`` at which
    :func:`lossfns.verdicts.compare_number` calls an exact replication *reproduced* with
    probability >= ``power``: ours and the paper's ``n`` trials drawn from one normal
    distribution of sd ``sd``, the paper's mean and sd printed to ``decimals``, ours as
    :func:`lossfns.verdicts.mean_interval` of our trials (``n_sim`` draws, seeded)."""
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from lossfns.verdicts import Published, compare_number, mean_interval
    rng = np.random.default_rng(seed)
    ours, paper = rng.normal(0.5, sd, size=(2, n_sim, n))
    unit = 10.0 ** -decimals
    ests = [mean_interval(o) for o in ours]
    printed = [(round(float(p.mean()), decimals), round(float(p.std(ddof=1)), decimals)) for p in paper]
    for k in range(1, 101):
        m = round(k * unit, 10)
        hits = sum(compare_number(Published(v, "mean", sd=s, sd_decimals=decimals, n=n, decimals=decimals,
                                            margin=m), e)["verdict"] == "reproduced"
                   for (v, s), e in zip(printed, ests))
        if hits >= power * n_sim:
            return m
    raise ParseError(f"no margin up to 100 units gives the power {power} for sd {sd}")


def margins(rows: list[dict]) -> dict:
    """Kind of quantity -> its equivalence margin (as written into the column): see the module
    docstring; the score margin from :func:`score_margin` at the median printed sd of the
    paper's scores that are means over trials."""
    import statistics
    sds = [float(sd[1]) for r in rows if "(mean over" in r["column"] and SCORE.match(r["column"])
           for sd in re.findall(r"std over (\d+) trials (\d+(?:\.\d+)?)", r["note"])]
    score = score_margin(statistics.median(sds))
    fmt = lambda x: f"{x:g}"  # noqa: E731
    return {"score": fmt(score), "score sd": fmt(score / 2), "log10 strength": "0.5", "count": "0",
            "weight": "0", "share": "0"}


def same_run(rows: list[dict]) -> dict:
    """id -> the id whose run it shares (see the module docstring), checked against the text."""
    by_id = {r["id"]: r for r in rows}
    out = {}
    for r in rows:
        parts = r["id"].split("/")
        other = None
        if parts[1] == "table4" and parts[3] in REPRINTED_LOSSES:
            other = "/".join([parts[0], "table1", *parts[2:]])
            o = by_id.get(other)
            sd = lambda x: re.findall(r"std over \d+ trials (\S+?);", x["note"] + ";")  # noqa: E731
            if o is None or o["value"] != r["value"] or sd(o) != sd(r):
                raise ParseError(f"{r['id']}: Table 4 reprints Table 1, but {other} differs or is missing")
        elif parts[1] == "table12" and parts[3] == "dice_sigmoid":
            other = "/".join([*parts[:3], "dice", *parts[4:]])
            if other not in by_id:
                raise ParseError(f"{r['id']}: no {other}")
        if other:
            out[r["id"]] = other
    return out


def derive(rows: list[dict]) -> list[dict]:
    """``rows`` (dicts of the transcribed columns, strings) with the derived columns filled."""
    table_decimals = {}
    for r in rows:
        k = (r["document"], r["table"])
        table_decimals[k] = max(table_decimals.get(k, 0), _decimals_of(r["value"]))
    shared = same_run(rows)
    margin_of = margins(rows)
    out = []
    for r in rows:
        d = derive_row(r, table_decimals, margin_of)
        d["same_run_as"] = shared.get(r["id"], "")
        out.append({**{k: r[k] for k in TRANSCRIBED}, **d})
    return out


def read(path: Path = CSV) -> tuple[list[str], list[dict]]:
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames), list(reader)


def render(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=TRANSCRIBED + DERIVED, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _transcription(text: str) -> list[list[str]]:
    return [row[:len(TRANSCRIBED)] for row in csv.reader(io.StringIO(text))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed columns differ")
    ap.add_argument("--csv", type=Path, default=CSV)
    args = ap.parse_args(argv)
    fields, rows = read(args.csv)
    if fields[:len(TRANSCRIBED)] != TRANSCRIBED:
        print(f"unexpected columns {fields}", file=sys.stderr)
        return 2
    text = render(derive(rows))
    current = args.csv.read_text()
    if _transcription(text) != _transcription(current):
        print("refusing to write: a transcribed cell would change", file=sys.stderr)
        return 2
    if args.check:
        if text != current:
            print(f"{args.csv} is not what tools/published_columns.py writes: run it", file=sys.stderr)
            return 1
        return 0
    if text != current:
        args.csv.write_text(text)
        print(f"wrote the derived columns of {len(rows)} numbers into {args.csv}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
