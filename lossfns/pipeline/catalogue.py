"""The loss catalogue, ``docs/catalogue.md``: generated from the registry and the tests.

Per loss: its formula (the docstring's first ``.. math::`` block, else its first paragraph),
its source (document and equation, the registry's tag), its parameters (the signature), the
torch and Keras class names (``lossfns.torch`` / ``lossfns.keras``), the peer libraries the test
suite compares it with, and where its curve is drawn (notebook ``002-2_classification_atlas``).

**Peers are read from the tests, never typed.** A test function counts as a peer check of a
loss when its source (decorators included) names the loss (its function or class name) *and*
calls a peer's loss or metric API: ``torch.nn.functional`` losses or ``nn.*Loss`` classes,
``keras.losses``, ``tf.nn``/``tf.keras``, scikit-learn metrics, or a transcription of
torchvision's focal loss (named in the test). The page lists the test ids behind each peer.

``python -m lossfns.pipeline.catalogue`` writes the page; ``--check`` exits 1 when it is stale
(``tests/test_catalogue.py`` does the same). ``python -m lossfns.report`` rewrites it too, so
``make reproduce`` keeps it current.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import sys
from pathlib import Path

from .artifacts import atomic_write
from .paths import repo_root

__all__ = ["PEER_PATTERNS", "peer_checks", "peer_tests", "render", "write", "catalogue_md", "main"]

#: peer name -> regular expression of its loss/metric API as called in a test.
PEER_PATTERNS = {
    "torch": re.compile(r"\bF\.(binary_cross_entropy\w*|cross_entropy|kl_div|huber_loss|smooth_l1_loss|l1_loss|"
                        r"mse_loss|margin_ranking_loss|triplet_margin_loss|multi_margin_loss|nll_loss|"
                        r"cosine_embedding_loss|hinge_embedding_loss|soft_margin_loss)\b|\bnn\.[A-Z]\w*Loss\b"),
    "Keras": re.compile(r"\bkeras\.losses\.\w+"),
    "TensorFlow": re.compile(r"\btf\.(nn|keras|losses)\.\w+"),
    "scikit-learn": re.compile(r"\b(hinge_loss|log_loss|roc_auc_score|f1_score|fbeta_score|accuracy_score|"
                               r"balanced_accuracy_score|jaccard_score|mean_absolute_error|mean_squared_error|"
                               r"huber)\s*\((?!.*lossfns)"),
    "torchvision (transcribed formula)": re.compile(r"torchvision"),
}
_SKLEARN_IMPORT = re.compile(r"^\s*(from|import) sklearn", re.MULTILINE)


def catalogue_md(root: Path | None = None) -> Path:
    return (root or repo_root()) / "docs" / "catalogue.md"


def _test_functions(path: Path):
    text = path.read_text()
    tree = ast.parse(text)
    lines = text.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            start = min([d.lineno for d in node.decorator_list] + [node.lineno]) - 1
            yield node.name, "\n".join(lines[start:node.end_lineno]), text


def peer_tests(root: Path | None = None) -> dict[str, dict[str, list[str]]]:
    """loss name -> peer -> the test ids (``file::function``) comparing the loss with that peer.
    Empty where the tests are not present (an installed wheel)."""
    from lossfns.losses._registry import LOSSES
    tests = (root or repo_root()) / "tests"
    out: dict[str, dict[str, list[str]]] = {}
    if not tests.is_dir():
        return out
    names = {n: re.compile(rf"\b({re.escape(n)}|{re.escape(s.class_name)})\b") for n, s in LOSSES.items()}
    for path in sorted(tests.glob("test_*.py")):
        if path.name == "test_catalogue.py":   # its own generated example is not a peer check
            continue
        for fname, src, whole in _test_functions(path):
            peers = [p for p, pat in PEER_PATTERNS.items() if pat.search(src)
                     and (p != "scikit-learn" or _SKLEARN_IMPORT.search(whole))]
            if not peers:
                continue
            for loss, pat in names.items():
                if pat.search(src):
                    for p in peers:
                        out.setdefault(loss, {}).setdefault(p, []).append(f"{path.name}::{fname}")
    return out


def peer_checks(root: Path | None = None) -> dict[str, list[str]]:
    """loss name -> the sorted peers it is compared with in the tests."""
    return {k: sorted(v) for k, v in peer_tests(root).items()}


def _formula(fn) -> str:
    doc = inspect.getdoc(fn) or ""
    m = re.search(r"\.\. math::\n((?:\n|[ \t]+.*\n?)+)", doc)
    if m:
        body = " ".join(line.strip() for line in m.group(1).strip().splitlines() if line.strip())
        return f"$$ {body} $$"
    return doc.split("\n\n")[0].replace("\n", " ")


def _params(spec) -> str:
    sig = inspect.signature(spec.fn)
    out = [f"`{p.name}={p.default!r}`" for p in sig.parameters.values()
           if p.name not in spec.inputs and p.name != "reduction" and p.default is not inspect.Parameter.empty]
    return ", ".join(out) or "—"


def render(root: Path | None = None) -> str:
    """The catalogue page (markdown), deterministic for a given registry and test suite."""
    from lossfns.experiments.doc002.protocols import ATLAS_LOSSES
    from lossfns.losses._registry import LOSSES

    peers = peer_tests(root)
    # the wrapper classes, read from the generated modules' source (no torch/TensorFlow import)
    pkg = Path(__file__).resolve().parents[1]
    classes = {b: set(re.findall(r"^class (\w+)\(", (pkg / f"{b}.py").read_text(), re.MULTILINE))
               for b in ("torch", "keras")}
    drawn = {name for _, name, _ in ATLAS_LOSSES}
    head = ["# Loss catalogue", "",
            "Generated by `python -m lossfns.pipeline.catalogue` from the registry "
            "(`lossfns/losses/_registry.py`) and the test suite; do not edit by hand "
            "(`tests/test_catalogue.py` fails when it is stale). Peers: the libraries a test compares "
            "the loss with (see `lossfns.pipeline.catalogue` for how they are read). Curves and the "
            "measured properties table: notebook `002-2_classification_atlas`.", "",
            "| loss | source | documents | torch | Keras | checked against |",
            "|---|---|---|---|---|---|"]
    body = []
    for name, spec in LOSSES.items():
        torch_cls = f"`lossfns.torch.{spec.class_name}`" if spec.class_name in classes["torch"] else "—"
        keras_cls = (f"`lossfns.keras.{spec.keras_name}`" if spec.keras and spec.keras_name in classes["keras"]
                     else "—")
        peer_txt = ", ".join(sorted(peers.get(name, {}))) or "—"
        head.append(f"| `{name}` | {spec.source} | {', '.join(spec.documents)} | {torch_cls} | "
                    f"{keras_cls} | {peer_txt} |")
        body += ["", f"## {name}", "", f"- **source**: {spec.source}",
                 f"- **inputs**: {', '.join(f'`{i}`' for i in spec.inputs)}; **parameters**: {_params(spec)}",
                 f"- **torch**: {torch_cls}; **Keras**: {keras_cls}",
                 f"- **tags**: {', '.join(spec.tags) or '—'}",
                 f"- **formula**: {_formula(spec.fn)}"]
        for p, ids in sorted(peers.get(name, {}).items()):
            body.append(f"- **checked against {p}** in " + ", ".join(f"`{t}`" for t in sorted(set(ids))))
        if name in drawn:
            body.append("- **curve**: `figures/full/002-2_classification_atlas/loss_vs_probability.png` and "
                        "`loss_vs_margin.png`")
    return "\n".join(head + body) + "\n"


def write(root: Path | None = None) -> Path:
    path = catalogue_md(root)
    with atomic_write(path) as fh:
        fh.write(render(root))
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lossfns.pipeline.catalogue",
                                 description="write docs/catalogue.md from the registry and the tests")
    ap.add_argument("--check", action="store_true", help="exit 1 when docs/catalogue.md is stale")
    args = ap.parse_args(argv)
    path = catalogue_md()
    if args.check:
        fresh = path.exists() and path.read_text() == render()
        print(f"{path}: {'current' if fresh else 'STALE: run python -m lossfns.pipeline.catalogue'}")
        return 0 if fresh else 1
    print(f"wrote {write()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
