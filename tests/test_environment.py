"""The lock file, environment.yml and pyproject.toml never disagree."""

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def lock_pins() -> dict:
    pins = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"lock entry not exact: {line}"
            pins[req.name.lower().replace("_", "-")] = spec.version
    return pins


def test_environment_yml_has_the_same_pins_as_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = {}
    for line in pip_section:
        if line.startswith("-e"):
            continue
        req = Requirement(line)
        pins[req.name.lower().replace("_", "-")] = next(iter(req.specifier)).version
    assert pins == lock_pins()
    assert "python=3.11" in env["dependencies"]


def test_lock_satisfies_pyproject_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = lock_pins()
    reqs = list(project["dependencies"])
    for extra, items in project["optional-dependencies"].items():
        reqs += [r for r in items if not r.startswith("lossfns")]
    for line in reqs:
        req = Requirement(line)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} (pyproject) is not in the lock"
        assert req.specifier.contains(pins[name]), f"lock pins {name}=={pins[name]}, pyproject wants {req.specifier}"


def test_torch_is_the_cpu_wheel_pin():
    assert lock_pins()["torch"] == "2.13.0"
