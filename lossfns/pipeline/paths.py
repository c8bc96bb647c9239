"""Where the suite's files live: one definition of every path of the pipeline.

``root`` defaults to the repository root; notebooks may write under another
``out_dir`` (tests, sweeps), which then plays the role of the root.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["NotACheckoutError", "repo_root",
           "results_dir", "figures_dir", "executed_notebook", "failed_notebook", "stamp",
           "published_numbers_csv", "claims_csv", "ambiguities_md", "report_md", "identity_json",
           "RESULTS", "FIGURES", "OUTPUT_DIRS"]

RESULTS = "results"
FIGURES = "figures"
#: Folders the suite writes (never inputs of a run: provenance ignores them).
OUTPUT_DIRS = (RESULTS, FIGURES, "reports")


#: What the folder above ``lossfns/`` holds in a git checkout (an installed wheel has none).
CHECKOUT_MARKERS = ("pyproject.toml", "notebooks", "data/claims.csv")


class NotACheckoutError(RuntimeError):
    """The pipeline was started from an installed package rather than a checkout."""


def repo_root() -> Path:
    """The repository root (the folder holding ``lossfns/``).

    Raises :class:`NotACheckoutError` when that folder is not a checkout of lossfns (the
    package was installed from its wheel, say into site-packages): the replication pipeline
    reads the checkout's notebooks and data and writes its artefacts beside them, so it never
    starts there. The library (losses, datasets) does not call this function.
    """
    root = Path(__file__).resolve().parents[2]
    missing = [m for m in CHECKOUT_MARKERS if not (root / m).exists()]
    if missing:
        raise NotACheckoutError(
            f"the replication pipeline runs from a git checkout of lossfns (git clone, then "
            f"make setup); this lossfns is installed in {root}, which has no "
            f"{', '.join(missing)}. The installed package offers the losses only "
            f"(import lossfns).")
    return root


def results_dir(profile: str, notebook: str = "", root: Path | None = None) -> Path:
    """``<root>/results/<profile>/<notebook>`` (the profile's folder when ``notebook`` is empty)."""
    base = (root or repo_root()) / RESULTS / profile
    return base / notebook if notebook else base


def figures_dir(profile: str, notebook: str, root: Path | None = None) -> Path:
    """``<root>/figures/<profile>/<notebook>``."""
    return (root or repo_root()) / FIGURES / profile / notebook


def executed_notebook(notebook: str, profile: str, root: Path | None = None) -> Path:
    """Where a run of ``notebooks/<notebook>.ipynb`` writes the executed notebook: in place for
    ``quick`` (the committed notebooks carry quick outputs), else ``reports/notebooks/<profile>/``."""
    root = root or repo_root()
    if profile == "quick":
        return root / "notebooks" / f"{notebook}.ipynb"
    return root / "reports" / "notebooks" / profile / f"{notebook}.ipynb"


def stamp(profile: str, notebook: str, root: Path | None = None) -> Path:
    """The marker ``make`` keeps for a notebook that ran (``.make/`` is git-ignored)."""
    return (root or repo_root()) / ".make" / "stamps" / profile / f"{notebook}.done"


def failed_notebook(notebook: str, profile: str, root: Path | None = None) -> Path:
    """Where a failing run keeps its partial notebook."""
    return (root or repo_root()) / "build" / "failed" / f"{notebook}.{profile}.ipynb"


def published_numbers_csv(root: Path | None = None) -> Path:
    return (root or repo_root()) / "data" / "published_numbers.csv"


def claims_csv(root: Path | None = None) -> Path:
    return (root or repo_root()) / "data" / "claims.csv"


def identity_json(profile: str, root: Path | None = None) -> Path:
    """Where ``make reproduce`` writes its check of results.json against the committed files."""
    return (root or repo_root()) / "build" / f"identity-{profile}.json"


def ambiguities_md(root: Path | None = None) -> Path:
    return (root or repo_root()) / "docs" / "ambiguities.md"


def report_md(root: Path | None = None) -> Path:
    return (root or repo_root()) / "reports" / "REPLICATION.md"
