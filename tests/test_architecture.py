"""Structural rules: access is decided only in clinic/access.py; rule modules stay pure;
imports point down the layers (clinic at the bottom, review and interop on top)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["clinic", "episodes", "evaluations", "messaging", "review", "interop"]
PURE_MODULES = ["clinic/ages.py", "clinic/levels.py", "episodes/triage.py",
                "evaluations/norms.py", "evaluations/findings.py", "evaluations/suggestions.py"]
EDGE_PATTERNS = ["views.py", "views/*.py", "api.py", "api/*.py", "admin.py", "forms.py",
                 "exports.py", "fhir.py", "dashboards.py", "selectors.py"]


def edge_modules() -> list[Path]:
    found: list[Path] = []
    for app in APPS:
        for pattern in EDGE_PATTERNS:
            found.extend((ROOT / app).glob(pattern))
    return found


def test_no_view_or_api_queries_patients_directly():
    offenders = []
    for path in edge_modules():
        text = path.read_text()
        if re.search(r"\bPatient\.objects\b|\bPatient\._default_manager\b", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], f"query patients through clinic.access instead: {offenders}"


def test_the_check_itself_catches_a_direct_query(tmp_path):
    sample = "from clinic.models import Patient\nqs = Patient.objects.all()\n"
    assert re.search(r"\bPatient\.objects\b", sample)


def test_pure_modules_import_no_django():
    for relative in PURE_MODULES:
        path = ROOT / relative
        if not path.exists():
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("django", "rest_framework")), f"{relative}: {name}"
                assert not name.endswith(".models"), f"{relative}: {name}"


# Each app may import only the apps below it. clinic is the core every app builds on;
# review and interop read them all, as django.contrib.admin does. Only URLconfs, which
# wire every app's pages together, may look up.
LAYERS = {
    "clinic": set(),
    "episodes": {"clinic"},
    "evaluations": {"clinic", "episodes"},
    "messaging": {"clinic", "episodes"},
    "review": {"clinic", "episodes", "evaluations", "messaging"},
    "interop": {"clinic", "episodes", "evaluations", "messaging"},
}
URLCONFS = {"urls.py", "api_urls.py"}


def imported_apps(path: Path) -> set[str]:
    """Top-level project apps a module imports, at module level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in LAYERS)
    return found


def upward_imports(app: str) -> list[str]:
    offenders = []
    allowed = LAYERS[app] | {app}
    for path in sorted((ROOT / app).rglob("*.py")):
        if path.name in URLCONFS and path.parent == ROOT / app:
            continue
        for target in sorted(imported_apps(path) - allowed):
            offenders.append(f"{path.relative_to(ROOT)} imports {target}")
    return offenders


def test_imports_point_down_the_layers():
    offenders = [line for app in LAYERS if (ROOT / app).is_dir() for line in upward_imports(app)]
    assert offenders == [], "an app imports one above it: " + "; ".join(offenders)


def test_the_layer_check_sees_an_import_inside_a_function(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from review import selectors\n    import episodes.models\n")
    assert imported_apps(sample) == {"review", "episodes"}
