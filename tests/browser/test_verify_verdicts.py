"""The employer's /verifieren page in a real browser through a credential's life cycle.

One unit credential of demo learner DEMO-L5 is pasted into the form four times: with the
learner's own name (geldig, the name matches), with another name (niet geldig, it does not),
after a suspension and after a revocation (niet geldig, with the status line naming what
happened and why). Each state leaves a screenshot under test-artifacts/; the page is Dutch
throughout (no ``lang="en"`` element).
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOLDER_MATCH = "De naam komt overeen met de houder van dit credential."
HOLDER_NO_MATCH = "De naam komt niet overeen met de houder van dit credential."
SUSPENDED = "Het document is geschorst door de uitgever: het geldt nu niet."
REVOKED = "Het document is ingetrokken door de uitgever: het geldt niet meer."


def _get_json(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _post_json(url: str, body: Any, token: str) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status in (200, 201), response.status
        return json.load(response)


def _verify(page: Any, live_url: str, credential: dict[str, Any], name: str = "") -> str:
    """Paste `credential` (and `name`) into /verifieren; the verdict heading's text."""
    page.goto(f"{live_url}/verifieren")
    page.get_by_label("Plak het credential (JSON)").fill(json.dumps(credential, indent=2))
    page.get_by_label("Naam van de sollicitant").fill(name)
    page.get_by_role("button", name="Verifiëren").click()
    verdict = page.locator(".verdict h2")
    verdict.wait_for()
    assert page.locator('[lang="en"]').count() == 0
    assert page.locator("html").get_attribute("lang") == "nl"
    return " ".join(verdict.inner_text().split())


def _check(page: Any, label: str) -> Any:
    """The list item of the check labelled `label` (e.g. "Houder", "Status")."""
    strong = page.locator("strong", has_text=re.compile(rf"^\s*{label}\s*$"))
    item = page.locator(".checks li").filter(has=strong)
    assert item.count() == 1, label
    return item


@pytest.fixture(scope="module")
def lotte(live_url: str, api_token: str, demo_learners: dict[str, str]) -> dict[str, Any]:
    learner = _get_json(f"{live_url}/api/learners/{demo_learners['DEMO-L5']}", api_token)
    assert learner["name"]
    return learner


def test_verify_page_through_a_credentials_life(
    page: Any, live_url: str, api_token: str, lotte: dict[str, Any]
) -> None:
    credential = _post_json(
        f"{live_url}/api/credentials",
        {"learner": lotte["id"], "achievement": {"type": "unit", "code": "BC-VV-B1K1"}},
        api_token,
    )
    credential_id = credential["id"].rsplit("/", 1)[1]

    # 1. the learner's own name: geldig, and the name matches
    verdict = _verify(page, live_url, credential, lotte["name"])
    assert verdict.endswith("geldig") and "niet geldig" not in verdict, verdict
    assert page.locator(".checks li.bad").count() == 0
    holder = _check(page, "Houder")
    assert "komt overeen" in holder.inner_text()
    assert HOLDER_MATCH in holder.inner_text()
    assert "in orde" in holder.locator(".check-result").inner_text()
    screenshot(page, "web-verifieren-naam-klopt")

    # 2. another name: niet geldig, and the name does not match
    verdict = _verify(page, live_url, credential, "Jan Janssen")
    assert "niet geldig" in verdict, verdict
    holder = _check(page, "Houder")
    assert HOLDER_NO_MATCH in holder.inner_text()
    assert holder.get_attribute("class") == "bad"
    assert "niet in orde" in holder.locator(".check-result").inner_text()
    screenshot(page, "web-verifieren-naam-klopt-niet")

    # 3. suspended: niet geldig, the status line names the suspension and its reason
    _post_json(
        f"{live_url}/api/credentials/{credential_id}/suspend",
        {"reason": "Onderzoek loopt"},
        api_token,
    )
    verdict = _verify(page, live_url, credential)
    assert "niet geldig" in verdict, verdict
    status = _check(page, "Status")
    assert status.get_attribute("class") == "bad"
    text = status.inner_text()
    assert SUSPENDED in text
    assert "geschorst door de uitgever. Reden: Onderzoek loopt." in text
    assert "Niet gecontroleerd" in _check(page, "Houder").inner_text()
    screenshot(page, "web-verifieren-geschorst")

    # 4. revoked: niet geldig, the status line names the revocation and its reason
    _post_json(
        f"{live_url}/api/credentials/{credential_id}/revoke", {"reason": "Fraude"}, api_token
    )
    verdict = _verify(page, live_url, credential)
    assert "niet geldig" in verdict, verdict
    status = _check(page, "Status")
    assert status.get_attribute("class") == "bad"
    text = status.inner_text()
    assert REVOKED in text
    assert "ingetrokken door de uitgever. Reden: Fraude." in text
    screenshot(page, "web-verifieren-ingetrokken")
