"""The domain package stays pure: no web framework, ORM or serialization imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parent.parent / "app" / "domain"
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_smorest", "sqlalchemy", "marshmallow", "werkzeug")


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
