"""The accessibility check of every browser test: axe-core, at a laptop's and a phone's width.

`assert_accessible(page, name)` runs axe-core (the copy bundled with the PyPI package
``axe-playwright-python``, so nothing is fetched while testing) on the page as it is now, at
1280 px and at 390 px wide, writes what axe found to ``test-artifacts/axe-<name>-<width>.json``
and fails on any serious or critical violation, naming the rule, the help text and the
elements. The page's own viewport is restored afterwards.

Use it on every page a browser test visits::

    from tests.browser.axe import assert_accessible
    page.goto(f"{live_url}/verifieren")
    assert_accessible(page, "verifieren")
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

#: The widths every page is checked at: a laptop and a phone.
WIDTHS = (1280, 390)
#: Violations of these impacts fail the test; the others are only written to the report.
FAILING_IMPACTS = frozenset({"serious", "critical"})
#: WCAG 2.1 A and AA plus axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def run_axe(page: Any) -> dict[str, Any]:
    """Run axe-core on `page` and return its result (violations and incomplete checks)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    result: dict[str, Any] = Axe().run(page, options=options).response
    return result


def failing(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The serious and critical violations of an axe result."""
    return [v for v in result.get("violations", []) if v.get("impact") in FAILING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    """One readable block per violation: rule, impact, help and the offending elements."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation.get("nodes", [])[:8]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    {target}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_accessible(page: Any, name: str, widths: tuple[int, ...] = WIDTHS) -> None:
    """Fail when axe-core finds a serious or critical violation at any of `widths`.

    Writes ``test-artifacts/axe-<name>-<width>.json`` (every violation, of any impact).
    """
    ARTIFACTS.mkdir(exist_ok=True)
    original = page.viewport_size
    problems = []
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": 900})
            result = run_axe(page)
            report = {
                "url": page.url,
                "width": width,
                "axe": result.get("testEngine", {}).get("version"),
                "violations": result.get("violations", []),
            }
            path = ARTIFACTS / f"axe-{name}-{width}.json"
            path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
            if found := failing(result):
                problems.append(f"at {width} px ({path.name}):\n{describe(found)}")
    finally:
        if original:
            page.set_viewport_size(original)
    assert not problems, f"axe-core: serious or critical violations on {name}\n" + "\n".join(
        problems
    )
