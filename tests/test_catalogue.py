"""The generated loss catalogue (docs/catalogue.md) and the peer checks it reads from the tests."""

from __future__ import annotations

from lossfns.losses._registry import LOSSES
from lossfns.pipeline import catalogue


def test_catalogue_is_current():
    path = catalogue.catalogue_md()
    assert path.exists(), "docs/catalogue.md missing: run python -m lossfns.pipeline.catalogue"
    assert path.read_text() == catalogue.render(), \
        "docs/catalogue.md is stale: run python -m lossfns.pipeline.catalogue"


def test_every_registered_loss_has_a_section():
    text = catalogue.render()
    for name in LOSSES:
        assert f"\n## {name}\n" in text, name


def test_peer_checks_point_at_existing_tests():
    # each listed test id exists and its source names both the loss and the peer's API
    found = catalogue.peer_tests()
    assert found["focal"].keys() >= {"Keras"}
    assert "test_losses_002.py::test_focal_agrees_with_keras" in found["focal"]["Keras"]
    for loss, peers in found.items():
        for peer, ids in peers.items():
            for tid in ids:
                fname, func = tid.split("::")
                src = {n: s for n, s, _ in catalogue._test_functions(catalogue.repo_root() / "tests" / fname)}[func]
                assert catalogue.PEER_PATTERNS[peer].search(src), (loss, peer, tid)


def test_peer_detection_on_a_generated_test_tree(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_x.py").write_text(
        "import keras\n"
        "def test_mse_vs_keras():\n    a = lossfns.mse(y, t)\n    b = keras.losses.mean_squared_error(t, y)\n"
        "def test_mae_alone():\n    lossfns.mae(y, t)\n")
    assert catalogue.peer_checks(tmp_path) == {"mse": ["Keras"]}
    assert catalogue.peer_checks(tmp_path / "nowhere") == {}
