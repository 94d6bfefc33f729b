"""Structural rules: access is decided only in clinic/access.py; rule modules stay pure."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["clinic", "episodes", "evaluations"]
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
