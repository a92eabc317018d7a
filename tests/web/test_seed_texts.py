"""No developer notes in what people see or what credentials sign.

The seed was converted from a reference dataset whose provenance notes ("placeholder",
"[FICTIEF]", "kerntaaktitel niet geverifieerd", English "assumption" notes) once ended up in
titles and descriptions, and so on pages and inside signed credentials. These tests scan the
seed files, the seeded registry as the API returns it, the learners' pages and issued
credentials (units and an EPA) for such markers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.helpers import learner_id

SEED = Path(__file__).resolve().parents[2] / "seed"

#: Words that give a developer's note away; none belongs in a title, description or reason.
MARKERS = re.compile(
    r"placeholder|fictie[fv]|fictitious|niet geverifieerd|not verified|unverified|assumption"
    r"|\bnot found\b|\bverify\b|\bTODO\b|\bFIXME\b|modell?ed|\bS-[A-Z0-9]{2,}\b|\bsource\b"
    r"|\bour\b|\bsee the\b|\(demo\b",
    re.IGNORECASE,
)
#: Keys whose values are shown to people (titles, names, descriptions, reasons, notes).
TEXT_KEYS = {
    "title",
    "name",
    "description",
    "reason",
    "note",
    "label_nl",
    "narrative",
    "criteria",
    "profile",
}


def texts(document: Any, keys: set[str] | None = TEXT_KEYS, path: str = "") -> Iterator[tuple]:
    """Every string under one of `keys` (all strings when None), with its JSON path."""
    if isinstance(document, dict):
        for key, value in document.items():
            if isinstance(value, str) and (keys is None or key in keys):
                yield f"{path}/{key}", value
            else:
                yield from texts(value, keys, f"{path}/{key}")
    elif isinstance(document, list):
        for index, value in enumerate(document):
            if isinstance(value, str) and keys is None:
                yield f"{path}/{index}", value
            else:
                yield from texts(value, keys, f"{path}/{index}")


def markers_in(pairs: Iterator[tuple]) -> list[str]:
    return [f"{where}: {text!r}" for where, text in pairs if MARKERS.search(text)]


def test_the_marker_pattern_finds_the_old_notes() -> None:
    old = [
        "Profiel Helpende Zorg en Welzijn: ondersteunt bij zorg en welzijn (placeholder)",
        "[FICTIEF] Digitale vaardigheden in de zorg",
        "Basisdeel Dienstverlening B1-K1 (kerntaaktitel niet geverifieerd)",
        "Modelled as one shared outcome (assumption: no separate niv-4 assessment).",
        "240 h is our assumption; keuzedelen are 240 h or a multiple (S-KD-HOURS).",
    ]
    assert all(MARKERS.search(text) for text in old)
    assert not MARKERS.search("Ondersteunt bij persoonlijke zorg en ADL")


@pytest.mark.parametrize("name", ["registry.json", "vmbo.json", "supervision_levels.json"])
def test_seed_files_hold_no_developer_notes(name: str) -> None:
    document = json.loads((SEED / name).read_text(encoding="utf-8"))
    assert markers_in(texts(document)) == []


def test_the_seeded_registry_shows_no_developer_notes(seeded: FlaskClient) -> None:
    found = []
    for address in (
        "/api/units?limit=500",
        "/api/qualifications?limit=500",
        "/api/epas?limit=500",
        "/api/outcome-relations?limit=500",
        "/api/institutions?limit=500",
        "/api/vmbo/programmes?limit=500",
        "/api/supervision-levels",
    ):
        response = seeded.get(address)
        assert response.status_code == 200, address
        found += markers_in(texts(response.get_json(), path=address))
    assert found == []


def test_issued_credentials_sign_no_developer_notes(seeded: FlaskClient) -> None:
    lotte, ruben = learner_id(seeded, "DEMO-L5"), learner_id(seeded, "DEMO-L9")
    issued = []
    for learner, kind, code in (
        (lotte, "unit", "BC-VV-B1K1"),
        (lotte, "unit", "VC-DEMO-03"),
        (ruben, "epa", "BAZ-1"),
    ):
        response = seeded.post(
            "/api/credentials",
            json={"learner": learner, "achievement": {"type": kind, "code": code}},
        )
        assert response.status_code == 201, response.get_json()
        issued.append(response.get_json())
    found = []
    for document in issued:
        words = (
            (where, text)
            for where, text in texts(document, keys=None)
            if not re.match(r"(https?|did|urn|data):", text) and "proof" not in where
        )
        found += markers_in(words)
    assert found == []


def test_the_learners_pages_show_no_developer_notes(seeded: FlaskClient) -> None:
    for number in ("DEMO-L1", "DEMO-L5", "DEMO-L9"):
        html = seeded.get(f"/leerlingen/{learner_id(seeded, number)}?op=2025-09-01").get_data(
            as_text=True
        )
        main = html[html.index("<main") : html.index("</main>")]
        visible = re.sub(r"<[^>]+>", " ", main)
        assert not MARKERS.search(visible), (number, MARKERS.findall(visible))
