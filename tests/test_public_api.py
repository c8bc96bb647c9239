"""The library as a practitioner meets it (issue 26): namespaces that hold only the public API,
each framework's class names (old names warn), a stated input for every loss, and optional
dependencies that name the extra to install."""

import ast
import importlib
import importlib.util
import inspect
import re
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path
from types import ModuleType

import keras
import numpy as np
import pytest
import torch
from packaging.requirements import Requirement

import lossfns
import lossfns.keras as lk
import lossfns.torch as lt
from lossfns._extras import KERAS_BACKENDS, MODULES, MissingExtraError
from lossfns.losses import LOSSES

ROOT = Path(__file__).resolve().parents[1]
KERAS_LOSSES = vars(keras.losses)  # Keras' own classes (no peer check here: these tests compare names)
KerasLoss = KERAS_LOSSES["Loss"]
PUBLIC = {"lossfns": lossfns, "lossfns.torch": lt, "lossfns.keras": lk}
KERAS_SPECS = [s for s in LOSSES.values() if s.keras]


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _attribute_docstring(module: ModuleType, name: str) -> str | None:
    """The string literal right after ``name = ...`` in ``module``'s source (what Griffe and
    mkdocstrings read as an attribute's docstring)."""
    body = ast.parse(inspect.getsource(module)).body
    for stmt, after in zip(body, body[1:]):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets) \
                and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
            return after.value.value
    return None


def _documented(module: ModuleType, name: str) -> bool:
    obj = getattr(module, name)
    if inspect.ismodule(obj) or inspect.isclass(obj) or inspect.isroutine(obj):
        return bool((obj.__doc__ or "").strip())
    # a constant: its attribute docstring where it is defined
    homes = [m for m in list(sys.modules.values())
             if isinstance(m, ModuleType) and m.__name__.startswith("lossfns")
             and name in vars(m) and vars(m)[name] is obj]
    return any(_attribute_docstring(m, name) for m in homes if getattr(m, "__file__", None))


# --- 1. namespaces ----------------------------------------------------------------------------

@pytest.mark.parametrize("modname", sorted(PUBLIC))
def test_dir_shows_only_documented_public_names(modname):
    module = PUBLIC[modname]
    submodules = set(getattr(module, "_SUBMODULES", ()))
    shown = [n for n in dir(module) if not _dunder(n)]
    assert set(shown) == set(module.__all__) | submodules
    assert len(module.__all__) == len(set(module.__all__)), "a name listed twice"
    undocumented = [n for n in shown if not _documented(module, n)
                    and not (n in submodules)]
    assert undocumented == []
    for sub in submodules:  # documented sub-packages (imported lazily; each has a docstring)
        spec = importlib.util.find_spec(f"lossfns.{sub}")
        assert spec is not None and ast.get_docstring(ast.parse(Path(spec.origin).read_text())), sub


@pytest.mark.parametrize("modname,plumbing", [
    ("lossfns.torch", ["functools", "inspect", "annotations", "register", "check_known_keywords",
                       "classification", "embeddings", "softset", "LOSSES", "torch"]),
    ("lossfns.keras", ["K", "keras", "functools", "inspect", "annotations", "check_known_keywords"]),
    ("lossfns", ["importlib", "moved_names", "register", "classification", "softset", "_ops"]),
])
def test_plumbing_is_not_in_the_namespace(modname, plumbing):
    shown = set(dir(PUBLIC[modname]))
    assert shown.isdisjoint(plumbing), sorted(shown & set(plumbing))
    assert not any(n in PUBLIC[modname].__all__ for n in plumbing)


@pytest.mark.parametrize("modname", sorted(PUBLIC))
def test_every_public_name_imports_by_name_and_star_import_gives_all(modname):
    for name in PUBLIC[modname].__all__:
        scope: dict = {}
        exec(f"from {modname} import {name}", scope)
        assert scope[name] is getattr(PUBLIC[modname], name)
    scope = {}
    exec(f"from {modname} import *", scope)
    assert set(scope) - {"__builtins__"} == set(PUBLIC[modname].__all__)


def test_lossfns_torch_shares_the_functional_names():
    for name, spec in LOSSES.items():
        assert getattr(lossfns, name) is getattr(lt, name) is spec.fn
    assert not any(hasattr(lk, name) for name in LOSSES), \
        "lossfns.keras re-exports no function: Keras' own take (y_true, y_pred)"


# --- 2. each framework's names; old names warn ------------------------------------------------

#: lossfns functions whose Keras class has Keras' own name (keras.losses ships the same loss).
KERAS_OWN = {"binary_cross_entropy": "BinaryCrossentropy", "categorical_cross_entropy": "CategoricalCrossentropy",
             "focal": "BinaryFocalCrossentropy", "mse": "MeanSquaredError", "mae": "MeanAbsoluteError",
             "kl_divergence": "KLDivergence", "hinge": "Hinge", "huber": "Huber", "dice_loss": "Dice"}


def test_torch_classes_are_named_as_torch_names_its_own():
    for spec in LOSSES.values():
        assert spec.torch_name.endswith("Loss") and "LossLoss" not in spec.torch_name, spec.torch_name
        assert isinstance(getattr(lt, spec.torch_name)(), torch.nn.Module)
    assert LOSSES["broken_loss"].torch_name == "BrokenLoss"


def test_keras_classes_are_named_as_keras_names_its_own():
    for name, keras_name in KERAS_OWN.items():
        assert LOSSES[name].keras_name == keras_name
        assert keras_name in KERAS_LOSSES, f"{keras_name} is not a Keras name"
    for spec in KERAS_SPECS:
        n = spec.keras_name
        assert "CrossEntropy" not in n and (not n.endswith("Loss") or n == "BrokenLoss"), n
        assert isinstance(getattr(lk, n)(), KerasLoss)
    assert {s.keras_name for s in KERAS_SPECS} >= {"XtremeMargin", "SoftF1", "BrokenLoss", "L24"}


def _aliases(module):
    return sorted(module._DEPRECATED.items())


@pytest.mark.parametrize("module", [lt, lk], ids=["torch", "keras"])
def test_every_old_name_still_works_and_warns_naming_the_new_one(module):
    assert ("BrokenLossLoss", "BrokenLoss") in _aliases(module)
    for old, new in _aliases(module):
        with pytest.warns(FutureWarning, match=rf"{module.__name__}\.{old} is deprecated.*"
                                               rf"use {module.__name__}\.{new} \(same parameters\)"):
            obj = getattr(module, old)()
        assert isinstance(obj, getattr(module, new))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _, new in _aliases(module):
            getattr(module, new)()  # the new names never warn


def test_keras_old_names_are_the_01_names():
    assert dict(_aliases(lk))["XtremeMarginLoss"] == "XtremeMargin"
    assert dict(_aliases(lk))["MSELoss"] == "MeanSquaredError"
    assert set(lk._DEPRECATED) == {s.torch_name for s in KERAS_SPECS if s.name != "broken_loss"} | {"BrokenLossLoss"}


def _torch_step(crit, from_logits: bool) -> float:
    torch.manual_seed(0)
    x, y = torch.randn(32, 3), (torch.arange(32) % 2).float()
    layers = [torch.nn.Linear(3, 1)] + ([] if from_logits else [torch.nn.Sigmoid()])
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = crit(model(x).squeeze(1), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())
    return float(loss.detach())


def test_renamed_torch_module_trains_and_its_old_name_gives_the_same_loss():
    new = _torch_step(lt.BrokenLoss(c=2.0), from_logits=False)
    with pytest.warns(FutureWarning, match="use lossfns.torch.BrokenLoss"):
        old = _torch_step(lt.BrokenLossLoss(c=2.0), from_logits=False)
    assert new == old and np.isfinite(new)
    assert np.isfinite(_torch_step(lt.FocalLoss(from_logits=True), from_logits=True))


def _keras_fit(loss, softmax: bool = False) -> float:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    labels = (np.arange(32) % 2).astype("float32")
    y = np.eye(2, dtype="float32")[labels.astype(int)] if softmax else labels
    out = keras.layers.Dense(2, activation="softmax") if softmax else keras.layers.Dense(1, activation="sigmoid")
    model = keras.Sequential([keras.Input((3,)), out])
    model.compile(optimizer="sgd", loss=loss)
    return float(model.fit(x, y, batch_size=16, epochs=1, verbose=0).history["loss"][-1])


@pytest.mark.parametrize("name,params,softmax", [
    ("BinaryCrossentropy", {}, False), ("BinaryFocalCrossentropy", {"gamma": 2.0}, False),
    ("XtremeMargin", {"lam1": 2.0, "lam2": 2.0}, False), ("SoftF1", {}, False),
    ("BrokenLoss", {}, False), ("MeanSquaredError", {}, False),
    ("CategoricalCrossentropy", {}, True), ("KLDivergence", {}, True),
])
def test_renamed_keras_classes_work_in_model_compile(name, params, softmax):
    assert np.isfinite(_keras_fit(getattr(lk, name)(**params), softmax))


def test_keras_model_saves_and_loads_under_new_and_old_names(tmp_path):
    keras.utils.set_random_seed(0)
    for cls, kwargs in [(lk.XtremeMargin, {}), (lk.XtremeMarginLoss, {})]:
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            model.compile(optimizer="sgd", loss=cls(lam1=3.0, **kwargs))
        path = tmp_path / f"{cls.__name__}.keras"
        model.save(path)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loaded = keras.saving.load_model(path)
        assert type(loaded.loss) is cls and loaded.loss.params["lam1"] == 3.0
        renamed = [w for w in caught if issubclass(w.category, FutureWarning)]
        assert bool(renamed) == (cls is lk.XtremeMarginLoss)


# --- 3. the input each loss expects -------------------------------------------------------------

#: words that name an input, for losses that take no probabilities
INPUT_WORDS = re.compile(r"\b(scores?|logits?|embeddings|features|predicted values)\b")


@pytest.mark.parametrize("spec", LOSSES.values(), ids=lambda s: s.name)
def test_every_loss_says_in_its_first_line_which_input_it_expects(spec):
    first = inspect.getdoc(spec.fn).splitlines()[0]
    params = inspect.signature(spec.fn).parameters
    if "from_logits" in params:
        assert params["from_logits"].default is False
        assert re.search(r"\b(on|of) probabilities\b", first) and "``from_logits=True``" in first, first
    else:
        assert INPUT_WORDS.search(first) and "from_logits" not in first, first
    classes = [getattr(lt, spec.torch_name)] + ([getattr(lk, spec.keras_name)] if spec.keras else [])
    for cls in classes:  # the classes open with the same statement, and share the default
        assert inspect.getdoc(cls).splitlines()[0] == first
        if "from_logits" in params:
            assert inspect.signature(cls).parameters["from_logits"].default is False


def _readme_section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Use the losses (PyTorch, Keras, NumPy)")
    assert start < readme.index("## Two commands"), "the section comes before the replication suite"
    return readme[start:readme.index("\n## ", start + 3)]


def test_the_logits_policy_is_stated_in_the_modules_and_the_readme():
    for module in (lt, lk):
        assert "from_logits=True" in module.__doc__ and "probabilities" in module.__doc__
    section = _readme_section()
    for needed in ("from_logits=True", "**probabilities**", "lossfns.torch", "lossfns.keras",
                   "BinaryFocalCrossentropy", "XtremeMargin", 'pip install "lossfns[torch]"'):
        assert needed in section, needed


def test_the_readme_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", _readme_section(), re.DOTALL)
    assert len(blocks) == 3, "PyTorch, Keras and NumPy"
    for block in blocks:
        assert len(block.strip().splitlines()) <= 14, "about 10 lines each"
        keras.utils.set_random_seed(0)
        exec(compile(block, "README.md", "exec"), {})


# --- 4. optional dependencies that explain themselves ----------------------------------------

def _import_without(blocked: str, code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter where importing ``blocked`` fails."""
    prog = f"import sys\nsys.modules[{blocked!r}] = None\n{code}\n"
    return subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


@pytest.mark.parametrize("part,blocked,hint", [
    ("lossfns.torch", "torch", 'pip install "lossfns[torch]"'),
    ("lossfns.keras", "keras", 'pip install "lossfns[keras]"'),
    ("lossfns.keras", "tensorflow", "pip install tensorflow (or install jax or torch and set KERAS_BACKEND"),
    ("lossfns.datasets", "sklearn", 'pip install "lossfns[data]"'),
    ("lossfns.datasets", "pandas", 'pip install "lossfns[data]"'),
    ("lossfns.training", "torch", 'pip install "lossfns[torch]"'),
])
def test_a_missing_extra_names_itself(part, blocked, hint):
    code = (f"try:\n    import {part}\nexcept ImportError as e:\n"
            f"    print(type(e).__name__, isinstance(e, ModuleNotFoundError), e.name, '|', e)\n"
            f"else:\n    print('imported')")
    out = _import_without(blocked, code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"MissingExtraError True {blocked} | {part} needs"), out.stdout
    assert hint in out.stdout


def test_the_lazy_attribute_and_import_lossfns_itself():
    out = _import_without("torch", "import lossfns\nprint(lossfns.xtreme_margin([0.9], [1.0]) > 0)\n"
                                   "try:\n    lossfns.torch\nexcept ImportError as e:\n    print(e)")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "True" and 'lossfns.torch needs torch' in lines[1] and "lossfns[torch]" in lines[1]


def test_a_librarys_own_missing_dependency_keeps_its_message():
    """threadpoolctl missing *inside* scikit-learn is a broken scikit-learn, not a lossfns extra."""
    out = _import_without("threadpoolctl", "try:\n    import lossfns.datasets\n"
                                           "except ImportError as e:\n    print(type(e).__name__, e)")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ModuleNotFoundError") and "lossfns[" not in out.stdout


def test_the_extras_table_is_pyprojects():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    dists = {Requirement(r).name: name for name, reqs in extras.items() if name not in ("all", "test")
             for r in reqs}
    table = {dist: extra for dist, extra in MODULES.values()}
    assert set(table) == set(dists)
    for dist, extra in table.items():
        assert any(Requirement(r).name == dist for r in extras[extra]), f"{dist} is not in [{extra}]"
    assert "keras" in extras and not set(KERAS_BACKENDS) & set(table)


def test_missing_extra_error_message_and_fields():
    err = MissingExtraError("sklearn", "lossfns.evaluation", "lossfns.evaluation")
    assert isinstance(err, ModuleNotFoundError) and err.name == "sklearn" and err.extra == "data"
    assert str(err) == ("lossfns.evaluation needs scikit-learn (module 'sklearn'), which is not "
                        "installed: pip install \"lossfns[data]\" (the 'data' extra: scipy, "
                        "scikit-learn, pandas, tqdm)")
