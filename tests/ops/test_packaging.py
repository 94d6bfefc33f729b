"""The wheel's configuration: it carries every app with its files, and the lock matches.

.ci/wheel-smoke builds and runs the real wheel; these catch the usual slips in seconds:
a new app or template outside the package data, a dependency added without `make lock`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCKS = {"runtime": ROOT / "requirements.lock", "dev": ROOT / "requirements-dev.lock"}


def requirements(*, dev: bool) -> list[Requirement]:
    project = PYPROJECT["project"]
    listed = project["dependencies"] + (project["optional-dependencies"]["dev"] if dev else [])
    return [Requirement(line) for line in listed]


def pinned(lock: Path) -> dict[str, Version]:
    pins = re.findall(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", lock.read_text(), flags=re.MULTILINE)
    return {canonicalize_name(name): Version(version) for name, version in pins}


def local_apps() -> list[str]:
    return [app for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()]


def test_every_app_is_a_package_of_the_wheel_and_tests_are_not():
    found = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    packages = set(find_packages(str(ROOT), include=found["include"], exclude=found["exclude"]))
    assert local_apps() and set(local_apps()) <= packages
    migrating = [app for app in local_apps() if (ROOT / app / "migrations").is_dir()]
    assert {f"{app}.migrations" for app in migrating} <= packages
    assert not any(name == "tests" or name.startswith("tests.") for name in packages)


@pytest.mark.parametrize("folder", ["templates", "static", "locale"])
def test_every_template_and_static_file_is_package_data(folder):
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["*"]
    for app in local_apps():
        app_dir = ROOT / app
        files = {p for p in (app_dir / folder).rglob("*") if p.is_file() and not p.name.startswith(".")}
        covered = {p for pattern in patterns for p in app_dir.glob(pattern) if p.is_file()}
        assert files <= covered, sorted(str(p) for p in files - covered)[:5]


def test_bootstrap_is_vendored_not_a_dependency():
    names = {canonicalize_name(req.name) for req in requirements(dev=True)}
    assert "xstatic-bootstrap" not in names
    vendor = ROOT / "clinic" / "static" / "vendor" / "bootstrap"
    assert {"LICENSE", "README.md"} <= {p.name for p in vendor.iterdir()}
    assert "v5.3.8" in (vendor / "css" / "bootstrap.min.css").read_text()[:200]


@pytest.mark.parametrize("kind", sorted(LOCKS))
def test_the_lock_holds_every_dependency_within_its_bounds(kind):
    """A dependency added to pyproject.toml without `make lock` fails here."""
    pins = pinned(LOCKS[kind])
    for req in requirements(dev=kind == "dev"):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in {LOCKS[kind].name}: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"{LOCKS[kind].name} pins {req.name} {pins[name]} outside {req.specifier}: run `make lock`")
    assert "--hash=sha256:" in LOCKS[kind].read_text()


def test_the_runtime_lock_agrees_with_the_dev_lock():
    dev = pinned(LOCKS["dev"])
    runtime = pinned(LOCKS["runtime"])
    assert {name: version for name, version in runtime.items() if dev.get(name) != version} == {}


def test_pre_1_0_dependencies_and_the_linter_have_an_upper_bound():
    pins = pinned(LOCKS["dev"])
    for req in requirements(dev=True):
        name = canonicalize_name(req.name)
        if pins[name] < Version("1") or name == "ruff":
            assert any(spec.operator in ("<", "<=", "~=", "==") for spec in req.specifier), req
