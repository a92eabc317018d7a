"""The architecture rules, checked: layers, import cycles, module length.

The layer rules are import-linter contracts in ``pyproject.toml`` (``[tool.importlinter]``);
`lint-imports` checks them here against the real code and, to show that each contract can fail,
against a small package that breaks every one of them. Import cycles between any two modules
of ``app`` are found on grimp's import graph (import-linter 2.17 has no whole-graph contract).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import networkx as nx
import pytest

from app.config import Config

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
DOMAIN = APP / "domain"
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_smorest", "sqlalchemy", "marshmallow", "werkzeug")
MAX_MODULE_LINES = 600


# --- import-linter ------------------------------------------------------------------------------


def contracts() -> list[dict[str, object]]:
    """The import-linter contracts declared in pyproject.toml."""
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    found: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return found


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the virtualenv's `lint-imports` with the project's contracts, from `cwd`.

    `lint-imports` puts `cwd` first on the module path, so a package named ``app`` there is
    the one analysed.
    """
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(PYPROJECT)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_the_contracts_cover_the_rules() -> None:
    kinds = {contract["id"]: contract["type"] for contract in contracts()}
    assert kinds == {
        "domain-is-pure": "forbidden",
        "edges-go-through-services": "forbidden",
        "pages-do-not-use-the-api": "forbidden",
        "services-know-no-web-framework": "forbidden",
        "no-cycles-inside-packages": "acyclic_siblings",
    }


def test_the_code_keeps_every_import_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(contracts())} kept, 0 broken" in result.stdout


#: A package named ``app`` in which each module breaks one rule.
BROKEN_APP: dict[str, str] = {
    "domain/model.py": "import flask\nimport sqlalchemy\n",
    "domain/rules.py": "from marshmallow import Schema\nfrom app.persistence import rows\n",
    "persistence/rows.py": "",
    "services/use_case.py": "from flask import current_app\n",
    "api/views.py": "from app.persistence import rows\n",
    "web/pages.py": "from app.api import views\n",
    "cli.py": "from app.persistence.rows import *\n",
    "web/one.py": "from app.web import two\n",
    "web/two.py": "from app.web import one\n",
}


def write_package(root: Path, files: dict[str, str], modules: set[str]) -> None:
    """Write `files` under ``root/app``, and an empty package for every other one of `modules`."""
    for module in modules:
        relative = "/".join(module.split(".")[1:])
        if f"{relative}.py" not in files:
            (root / "app" / relative).mkdir(parents=True, exist_ok=True)
    for relative, source in files.items():
        path = root / "app" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    for folder in [root / "app", *(p for p in (root / "app").rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()


def modules_named_in_contracts() -> set[str]:
    names: set[str] = set()
    for contract in contracts():
        for key in ("source_modules", "forbidden_modules", "ancestors"):
            value = contract.get(key, [])
            assert isinstance(value, list)
            names.update(str(module) for module in value if str(module).startswith("app."))
    return names


def test_a_broken_contract_is_reported(tmp_path: Path) -> None:
    write_package(tmp_path, BROKEN_APP, modules_named_in_contracts())
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    for contract in contracts():
        assert f"{contract['name']} BROKEN" in result.stdout, result.stdout
    assert f"0 kept, {len(contracts())} broken" in result.stdout


# --- import cycles between modules --------------------------------------------------------------


def import_cycles(package: str) -> list[list[str]]:
    """Every set of modules of `package` that import each other in a cycle, each sorted."""
    graph = grimp.build_graph(package, cache_dir=None)
    imports: nx.DiGraph[str] = nx.DiGraph()
    for module in graph.modules:
        imports.add_node(module)
        imports.add_edges_from(
            (module, imported) for imported in graph.find_modules_directly_imported_by(module)
        )
    found = [sorted(c) for c in nx.strongly_connected_components(imports) if len(c) > 1]
    found += [[module] for module, imported in nx.selfloop_edges(imports)]
    return sorted(found)


def test_no_module_of_app_is_part_of_an_import_cycle() -> None:
    assert import_cycles("app") == []


def test_the_cycle_check_finds_a_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "cyclic_example"
    package.mkdir()
    (package / "__init__.py").write_text("from cyclic_example import a\n")
    (package / "a.py").write_text("from cyclic_example import b\n")
    (package / "b.py").write_text("from cyclic_example.c import thing\n")
    (package / "c.py").write_text("import cyclic_example.a\nthing = 1\n")
    (package / "d.py").write_text("import cyclic_example.c\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("cyclic_example") == [
        ["cyclic_example.a", "cyclic_example.b", "cyclic_example.c"]
    ]


# --- module length ------------------------------------------------------------------------------


def long_modules(folder: Path, limit: int = MAX_MODULE_LINES) -> list[str]:
    """The modules under `folder` longer than `limit` lines, with their length."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{path.relative_to(folder.parent)}: {lines} lines")
    return found


def test_no_module_in_app_is_longer_than_600_lines() -> None:
    assert long_modules(APP) == []


def test_the_length_check_sees_a_long_module(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "short.py").write_text("x = 1\n" * 600)
    (tmp_path / "pkg" / "long.py").write_text("x = 1\n" * 601)
    assert long_modules(tmp_path / "pkg") == ["pkg/long.py: 601 lines"]


# --- configuration ------------------------------------------------------------------------------

#: ``config["KEY"]`` or ``config.get("KEY"`` in the app's code.
CONFIG_READ = re.compile(r"""config(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]*)["']""")
ENVIRONMENT_READ = re.compile(r"\bos\.environ\b|\bgetenv\(")


def test_every_configuration_key_the_app_reads_is_declared_in_app_config() -> None:
    declared = {name for name in vars(Config) if name.isupper()}
    read = {
        key: str(path.relative_to(ROOT))
        for path in sorted(APP.rglob("*.py"))
        for key in CONFIG_READ.findall(path.read_text(encoding="utf-8"))
    }
    assert "LEERLIJN_BASE_URL" in read  # the pattern sees the reads
    assert {key: where for key, where in read.items() if key not in declared} == {}


def test_only_app_config_reads_the_environment() -> None:
    readers = [
        str(path.relative_to(ROOT))
        for path in sorted(APP.rglob("*.py"))
        if ENVIRONMENT_READ.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == ["app/config.py"]


# --- the domain package (kept from before import-linter; quick and explicit) --------------------


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(DOMAIN.rglob("*.py")), ids=lambda p: p.name)
def test_domain_module_imports_no_framework(path: Path) -> None:
    bad = {name for name in imported_modules(path) if name.split(".")[0] in FORBIDDEN}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from sqlalchemy import select\nimport flask\n")
    assert imported_modules(module) == {"sqlalchemy", "flask"}


def test_domain_package_is_not_empty() -> None:
    assert len(list(DOMAIN.rglob("*.py"))) >= 5
