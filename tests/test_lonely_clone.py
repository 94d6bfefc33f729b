"""A copy of the repository with nothing beside it collects every test and reads nothing outside.

The tracked files (and new ones not yet committed, as a clone will have them once
they are) are copied into an empty temporary folder. pytest runs there, with this
interpreter, under an audit hook that records every file opened or listed outside
the copy, the interpreter's own installation and the system folders: a test or
fixture reading the reference folder beside the checkout, another worktree or any absolute path of this
machine shows up by name.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Runs inside the copy: record what is opened outside the allowed folders, run pytest.
HARNESS = r"""
import json, os, sys, sysconfig, tempfile

root = os.path.realpath(os.getcwd())
allowed = {root, tempfile.gettempdir(), "/dev", "/proc", "/sys", "/etc", "/usr", "/lib", "/lib64"}
allowed |= {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
allowed |= {os.path.realpath(p) for p in sysconfig.get_paths().values()}
outside = set()

beside = os.path.dirname(root)  # the folder the copy sits in: nothing there may be read


def under(path, folder):
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def inside(path):
    if under(path, beside) and not under(path, root):
        return False
    return any(under(path, a) for a in allowed)

def hook(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and args[0] not in (None, ""):
        if isinstance(args[0], int):
            return
        path = os.path.realpath(os.fsdecode(args[0]))
        if not inside(path):
            outside.add(path)

# The venv's editable install maps the apps to the checkout this copy came from; a clone's
# own install would map them to itself, so drop that finder (cwd is first on sys.path).
sys.meta_path[:] = [
    f for f in sys.meta_path if not str(getattr(f, "__module__", "")).startswith("__editable__")
]
sys.addaudithook(hook)
import pytest

code = pytest.main(sys.argv[1:])
with open(os.environ["OUTSIDE_REPORT"], "w") as report:
    json.dump(sorted(outside), report)
sys.exit(code)
"""

# Tests that read files of the repository: run, not only collected, in the copy.
READERS = [
    "tests/episodes/test_triage_vignettes.py",
    "tests/episodes/test_triage_rules.py",
    "tests/evaluations/test_rules_audit.py",
    "tests/test_rule_catalogue.py",
]


def repository_files() -> list[str]:
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: nothing says which files a clone holds")
    listed = subprocess.run(  # noqa: S603 (fixed arguments)
        [git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (REPO / name).is_file()]


@pytest.fixture(scope="module")
def lonely(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's files alone in an empty folder: no reference folder beside it, no sibling worktree."""
    clone = tmp_path_factory.mktemp("lonely") / "clone"
    for name in repository_files():
        target = clone / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    assert not [p for p in clone.parent.iterdir() if p != clone]
    return clone


def run_pytest(clone: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    report = clone.parent / "outside.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["OUTSIDE_REPORT"] = str(report)
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(  # noqa: S603 (this interpreter, the harness above)
        [sys.executable, "-c", HARNESS, "-p", "no:cacheprovider", *args],
        cwd=clone, env=env, capture_output=True, text=True, timeout=300,
    )
    outside = json.loads(report.read_text()) if report.exists() else ["<no report written>"]
    return result, [p for p in outside if p != str(report.resolve())]


def test_every_test_file_collects_in_a_lonely_copy(lonely: Path) -> None:
    result, outside = run_pytest(lonely, "--collect-only", "-q")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    summary = output.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ tests? collected in [\d.]+s", summary), summary
    files = {line.split("::", 1)[0] for line in result.stdout.splitlines() if "::" in line}
    expected = {
        str(path.relative_to(lonely))
        for pattern in ("test_*.py", "bench_*.py")
        for path in (lonely / "tests").rglob(pattern)
    }
    assert expected - files == set(), "test files that collected no test"
    assert not outside, f"collection read outside the repository: {outside}"


def test_tests_that_read_repository_files_pass_in_a_lonely_copy(lonely: Path) -> None:
    result, outside = run_pytest(lonely, "-q", *READERS)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert "skipped" not in result.stdout.splitlines()[-1]
    assert not outside, f"tests read outside the repository: {outside}"


def test_the_harness_sees_a_read_outside(tmp_path: Path) -> None:
    # The check must catch what it guards against: a test reading a file beside the clone.
    clone = tmp_path / "clone"
    (clone / "tests").mkdir(parents=True)
    (tmp_path / "shared.txt").write_text("beside the clone")
    (clone / "tests" / "test_reads_beside.py").write_text(
        "from pathlib import Path\n\n"
        "def test_reads():\n"
        "    assert Path(__file__).resolve().parents[2].joinpath('shared.txt').read_text()\n"
    )
    (clone / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    result, outside = run_pytest(clone, "-q", "-p", "no:django", "tests")
    assert result.returncode == 0, result.stdout + result.stderr
    assert str((tmp_path / "shared.txt").resolve()) in outside
