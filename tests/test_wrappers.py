"""The wrapper classes of lossfns.torch and lossfns.keras are written by
tools/gen_wrappers.py from the registry: committed code equals a fresh generation,
and every class shows its loss's keyword parameters, defaults and source."""

import importlib.util
import inspect
import pydoc
from pathlib import Path

import pytest

import lossfns.keras as lk
import lossfns.torch as lt
from lossfns.losses import LOSSES

ROOT = Path(__file__).resolve().parents[1]
KERAS_SPECS = [s for s in LOSSES.values() if s.keras]


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_wrappers", ROOT / "tools" / "gen_wrappers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _keywords(fn) -> dict:
    """{name: (default, annotation)} of the keyword-only parameters of ``fn``."""
    return {k: (p.default, p.annotation) for k, p in inspect.signature(fn).parameters.items()
            if p.kind is p.KEYWORD_ONLY}


# --- the committed code is the generated code ------------------------------------------------

@pytest.mark.parametrize("kind", sorted(gen.TARGETS))
def test_committed_wrappers_equal_a_fresh_generation(kind):
    path = gen.TARGETS[kind]
    assert path.read_text() == gen.render(kind), (
        f"{path.relative_to(ROOT)} is stale: run python tools/gen_wrappers.py")


def test_check_flags_a_stale_file_and_a_rewrite_fixes_it(tmp_path, monkeypatch, capsys):
    committed = {kind: path.read_text() for kind, path in gen.TARGETS.items()}
    targets = {kind: tmp_path / path.name for kind, path in gen.TARGETS.items()}
    for kind, path in targets.items():
        path.write_text(committed[kind])
    stale = targets["torch"]
    stale.write_text(stale.read_text().replace("**self.params)", "**self.params )", 1))
    monkeypatch.setattr(gen, "TARGETS", targets)
    monkeypatch.setattr(gen, "ROOT", tmp_path)
    assert gen.main(["--check"]) == 1
    assert "stale generated wrappers in torch.py" in capsys.readouterr().err
    assert "**self.params )" in stale.read_text(), "--check must not write"
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0
    assert stale.read_text() == committed["torch"]


def test_generator_refuses_what_it_cannot_write():
    with pytest.raises(ValueError, match=r"xtreme_margin.lam1: default <object.*is not a Python literal"):
        gen.literal(object(), "xtreme_margin.lam1")
    with pytest.raises(ValueError, match=r"torch.py: expected one line .*BEGIN GENERATED.* found 0 and 0"):
        gen.splice("x = 1\n", "", Path("torch.py"))


# --- what editors and help() see ----------------------------------------------------------------

@pytest.mark.parametrize("spec", LOSSES.values(), ids=lambda s: s.name)
def test_torch_class_signature_lists_the_function_keywords(spec):
    cls = getattr(lt, spec.torch_name)
    params = inspect.signature(cls).parameters
    assert all(p.kind is p.KEYWORD_ONLY for p in params.values()), f"{cls.__name__}: {params}"
    assert _keywords(cls) == _keywords(spec.fn)
    assert "reduction" in params
    inputs = [p for p in inspect.signature(spec.fn).parameters.values() if p.kind is not p.KEYWORD_ONLY]
    assert list(inspect.signature(cls.forward).parameters.values())[1:] == inputs


@pytest.mark.parametrize("spec", KERAS_SPECS, ids=lambda s: s.name)
def test_keras_class_signature_lists_the_function_keywords(spec):
    cls = getattr(lk, spec.keras_name)
    params = inspect.signature(cls).parameters
    assert list(params)[:3] == ["reduction", "name", "dtype"]
    assert params["reduction"].default == "sum_over_batch_size"  # Keras' reduction, not the function's
    want = {k: v for k, v in _keywords(spec.fn).items() if k != "reduction"}
    assert _keywords(cls) == want


@pytest.mark.parametrize("spec", LOSSES.values(), ids=lambda s: s.name)
def test_help_shows_source_and_points_to_the_function(spec):
    classes = [getattr(lt, spec.torch_name)] + ([getattr(lk, spec.keras_name)] if spec.keras else [])
    for cls in classes:
        doc = " ".join(pydoc.getdoc(cls).split())
        assert f"Source: {spec.source}." in doc
        assert f":func:`lossfns.{spec.name}`" in doc and f"help(lossfns.{spec.name})" in doc
        assert doc.startswith(inspect.getdoc(spec.fn).splitlines()[0])  # the equation, in words
        shown = pydoc.render_doc(cls, renderer=pydoc.plaintext)
        assert f"{cls.__name__}{inspect.signature(cls)}" in shown


def _wrappers(module, base) -> set:
    """Names of the classes of ``module`` derived from ``base``, deprecated aliases left out."""
    return {n for n, c in vars(module).items()
            if isinstance(c, type) and issubclass(c, base) and c is not base
            and "_renamed_to" not in c.__dict__}


def test_class_sets_equal_the_registry():
    torch_classes, keras_classes = _wrappers(lt, lt._LossModule), _wrappers(lk, lk._Loss)
    assert torch_classes == {s.torch_name for s in LOSSES.values()}
    assert keras_classes == {s.keras_name for s in KERAS_SPECS}
    assert set(lt.__all__) == torch_classes | set(LOSSES) | {"compile_loss"}
    assert set(lk.__all__) == keras_classes


def test_functional_losses_are_shared_by_lossfns_and_lossfns_torch():
    import lossfns
    for name in LOSSES:
        assert getattr(lt, name) is getattr(lossfns, name) is LOSSES[name].fn


@pytest.mark.parametrize("kind", sorted(gen.TARGETS))
def test_every_deprecated_name_is_a_warning_subclass_of_its_new_class(kind):
    module, base = (lt, lt._LossModule) if kind == "torch" else (lk, lk._Loss)
    aliases = {n: c for n, c in vars(module).items() if isinstance(c, type)
               and issubclass(c, base) and "_renamed_to" in c.__dict__}
    assert {n: c._renamed_to for n, c in aliases.items()} == module._DEPRECATED
    assert set(module._DEPRECATED) == set(gen.renamed(kind))
    for old, new in module._DEPRECATED.items():
        assert aliases[old].__bases__ == (getattr(module, new),)
        assert old not in module.__all__ and old not in dir(module)
