"""The 体检 sits above the domain apps: reports reads through it, the domain apps never import it."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = ("associations", "members", "teams", "projects", "training")
DOMAIN_LAYERS = ("models", "selectors", "rules", "services", "validators")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(app: str):
    return [p for p in (ROOT / app).rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]


def test_reports_reads_no_domain_table_except_through_checkup():
    offending = {}
    for path in _modules("reports"):
        bad = sorted(name for name in _imports(path) if name.split(".")[0] in DOMAIN_APPS
                     and name != "associations.rules")
        if bad:
            offending[str(path.relative_to(ROOT))] = bad
    assert offending == {}


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_domain_layers_do_not_import_checkup(app):
    offending = [str(p.relative_to(ROOT)) for p in _modules(app)
                 if p.stem in DOMAIN_LAYERS and any(n.split(".")[0] in ("checkup", "reports") for n in _imports(p))]
    assert offending == []


@pytest.mark.parametrize("app, reader", [("associations", "ledger_facts"), ("members", "membership_facts"),
                                         ("teams", "team_facts"), ("projects", "project_facts"),
                                         ("training", "training_facts")])
def test_each_domain_app_exposes_its_own_fact_reader(app, reader):
    import importlib

    module = importlib.import_module(f"{app}.selectors")
    assert callable(getattr(module, reader))
    assert reader in _imported_names(ROOT / "checkup" / "facts.py")


def _imported_names(path: Path) -> set[str]:
    return {alias.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) for alias in node.names}


def test_import_contracts_hold():
    """``.importlinter``: the layers of architecture.md, checked by import-linter over every import."""
    import subprocess
    import sys

    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "3 kept, 0 broken" in result.stdout
