"""The worked learner cases L1, L5 and L9 (reference date 2025-09-01), with literal data.

The catalog below copies the reference dataset: 4 mbo qualifications, 19 units, the outcome
relations, 3 prerequisites, and the czo leerroute BAZ (5 EPAs at level 4, entry: Q-VP).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.domain.model import (
    ElectiveRule,
    Outcome,
    OutcomeRelation,
    Qualification,
    RequiredEpa,
    Unit,
)
from app.domain.path.catalog import Catalog
from app.domain.path.engine import compute_path, rank_paths
from app.domain.path.record import (
    Enrolment,
    Entrustment,
    Evidence,
    HeldDiploma,
    LearnerRecord,
    PartialCredit,
)
from app.domain.path.results import PathResult
from app.schemas.paths import PathSchema

ON = date(2025, 9, 1)

UNITS = [
    ("BC-DV-B1K1", "BC", "Basisdeel Dienstverlening B1-K1 (kerntaaktitel niet geverifieerd)", 400,
     ("DV:B1-K1-W1", "DV:B1-K1-W2", "DV:B1-K1-W3", "DV:B1-K1-W4", "DV:B1-K1-W5")),
    ("BC-HZW-PK1", "BC",
     "Profiel Helpende Zorg en Welzijn: ondersteunt bij zorg en welzijn (placeholder)", 600,
     ("HZW:P-K1-W1", "HZW:P-K1-W2", "HZW:P-K1-W3", "HZW:P-K1-W4")),
    ("BC-VV-B1K1", "BC", "Biedt zorg, ondersteuning en begeleiding", 1200,
     ("VV:B1-K1-W1", "VV:B1-K1-W2", "VV:B1-K1-W3", "VV:B1-K1-W4", "VV:B1-K1-W5", "VV:B1-K1-W6")),
    ("BC-VV-B1K2", "BC", "Stemt de zorg en ondersteuning af", 400, ("VV:B1-K2-W1", "VV:B1-K2-W2")),
    ("BC-VV-B1K3", "BC", "Draagt bij aan kwaliteit van zorg", 400,
     ("VV:B1-K3-W1", "VV:B1-K3-W2", "VV:B1-K3-W3")),
    ("BC-VP-P2K1", "BC", "Organiseert en coördineert de zorgverlening", 800,
     ("VP:P2-K1-W1", "VP:P2-K1-W2", "VP:P2-K1-W3")),
    ("BC-MZ-B1K1", "BC", "Maatschappelijke Zorg B1-K1 (kerntaaktitel niet geverifieerd)", 1400,
     ("MZ:B1-K1-W1", "MZ:B1-K1-W2", "MZ:B1-K1-W3", "MZ:B1-K1-W4", "MZ:B1-K1-W6", "MZ:B1-K1-W7")),
    ("BC-MZ-B1K2", "BC", "Maatschappelijke Zorg B1-K2 (kerntaaktitel niet geverifieerd)", 400,
     ("MZ:B1-K2-W1", "MZ:B1-K2-W2")),
    ("AV-NL-2F", "AV", "Nederlands 2F", 160, ("AV:NL-2F",)),
    ("AV-NL-3F", "AV", "Nederlands 3F", 240, ("AV:NL-3F",)),
    ("AV-REK-2F", "AV", "Rekenen 2F / rekenniveau mbo-2/3", 120, ("AV:REK-2F",)),
    ("AV-REK-3F", "AV", "Rekenen 3F / rekenniveau mbo-4", 160, ("AV:REK-3F",)),
    ("AV-EN-B1A2", "AV", "Engels (B1 lezen/luisteren, A2 overig) - alleen niveau 4", 200,
     ("AV:EN-B1A2",)),
    ("AV-LB", "AV", "Loopbaan en burgerschap", 200, ("AV:LB",)),
    ("VC-K1006", "VC", "Keuzedeel Verdieping palliatieve zorg (K1006)", 240, ("KD:K1006",)),
    ("VC-K0210", "VC", "Keuzedeel Voorbereiding hbo (K0210)", 240, ("KD:K0210",)),
    ("VC-DEMO-01", "VC", "[FICTIEF] Digitale vaardigheden in de zorg", 240, ("KD:DEMO-01",)),
    ("VC-DEMO-02", "VC", "[FICTIEF] Omgaan met dementie", 240, ("KD:DEMO-02",)),
    ("VC-DEMO-03", "VC", "[FICTIEF] Zorgtechnologie", 240, ("KD:DEMO-03",)),
]  # fmt: skip

UNITS_ANY: list[tuple[Any, ...]] = UNITS

QUALIFICATIONS = [
    Qualification(
        "Q-HZW", "Helpende Zorg en Welzijn", "mbo",
        ("BC-DV-B1K1", "BC-HZW-PK1", "AV-NL-2F", "AV-REK-2F", "AV-LB"),
        ElectiveRule(480, ("VC-DEMO-01", "VC-DEMO-02")),
    ),
    Qualification(
        "Q-VIG", "Verzorgende-IG", "mbo",
        ("BC-VV-B1K1", "BC-VV-B1K2", "BC-VV-B1K3", "AV-NL-2F", "AV-REK-2F", "AV-LB"),
        ElectiveRule(720, ("VC-DEMO-02", "VC-DEMO-03", "VC-K1006")),
    ),
    Qualification(
        "Q-VP", "Mbo-Verpleegkundige", "mbo",
        ("BC-VV-B1K1", "BC-VV-B1K2", "BC-VV-B1K3", "BC-VP-P2K1",
         "AV-NL-3F", "AV-REK-3F", "AV-EN-B1A2", "AV-LB"),
        ElectiveRule(720, ("VC-DEMO-03", "VC-K0210", "VC-K1006")),
    ),
    Qualification(
        "Q-MZ3", "Maatschappelijke Zorg niveau 3", "mbo",
        ("BC-MZ-B1K1", "BC-MZ-B1K2", "AV-NL-2F", "AV-REK-2F", "AV-LB"),
        ElectiveRule(720, ("VC-DEMO-01", "VC-DEMO-02", "VC-DEMO-03")),
    ),
    Qualification(
        "BAZ", "Basis acute zorg (CZO-certificaat)", "czo",
        required_epas=tuple(RequiredEpa(f"BAZ-{n}", 4) for n in range(1, 6)),
        entry_any_qualification=("Q-VP",),
    ),
]  # fmt: skip

PREREQUISITES = [
    ("BC-VP-P2K1", "BC-VV-B1K1"),
    ("BC-VP-P2K1", "BC-VV-B1K2"),
    ("VC-K1006", "BC-VV-B1K1"),
]

RELATIONS = [
    OutcomeRelation("AV:NL-3F", "AV:NL-2F", "subsumes"),
    OutcomeRelation("AV:REK-3F", "AV:REK-2F", "subsumes"),
    OutcomeRelation("DV:B1-K1-W3", "VV:B1-K3-W3", "partial"),
    OutcomeRelation("DV:B1-K1-W5", "VV:B1-K3-W2", "partial"),
    OutcomeRelation("HZW:P-K1-W1", "VV:B1-K1-W3", "partial"),
    OutcomeRelation("HZW:P-K1-W1", "MZ:B1-K1-W2", "partial"),
    OutcomeRelation("HZW:P-K1-W2", "MZ:B1-K1-W3", "partial"),
    OutcomeRelation("HZW:P-K1-W3", "MZ:B1-K1-W4", "partial"),
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    units = [
        Unit(code, kind, title, hours, tuple(Outcome(o, o) for o in outcomes), "ROC")
        for code, kind, title, hours, outcomes in UNITS_ANY
    ]
    return Catalog.build(units, QUALIFICATIONS, RELATIONS, PREREQUISITES)


def _exam(outcome: str, day: date = date(2024, 6, 28), source: str = "exam") -> Evidence:
    return Evidence(outcome, source, day)  # type: ignore[arg-type]


VMBO_DAY = date(2025, 6, 20)

# L1: the five full vmbo mappings as evidence, the partial mappings of the same completed
# assignments (VA-1, 2, 3, 5, 7) as partial credits.
L1 = LearnerRecord(
    evidence=tuple(
        _exam(o, VMBO_DAY, "vmbo_assignment")
        for o in ("HZW:P-K1-W1", "HZW:P-K1-W2", "HZW:P-K1-W3", "DV:B1-K1-W2", "DV:B1-K1-W3")
    ),
    partial_credits=tuple(
        PartialCredit(o, VMBO_DAY)
        for o in (
            "MZ:B1-K1-W2",
            "VV:B1-K1-W3",
            "MZ:B1-K1-W3",
            "MZ:B1-K1-W4",
            "DV:B1-K1-W1",
            "VV:B1-K3-W3",
        )
    ),  # fmt: skip
    enrolments=(Enrolment("Q-HZW", ("VC-DEMO-01", "VC-DEMO-02"), ON, 40),),
)

L5 = LearnerRecord(
    evidence=(
        *(
            _exam(o)
            for o in (
                *(f"VV:B1-K1-W{n}" for n in range(1, 7)),
                "VV:B1-K2-W1",
                "VV:B1-K2-W2",
                "VV:B1-K3-W1",
                "VV:B1-K3-W2",
                "VV:B1-K3-W3",
                "AV:NL-2F",
                "AV:REK-2F",
                "AV:LB",
                "KD:DEMO-02",
                "KD:DEMO-03",
                "KD:K1006",
            )
        ),
        Evidence("VP:P2-K1-W2", "evc", date(2025, 3, 1), valid_until=date(2030, 3, 1)),
    ),  # fmt: skip
    enrolments=(Enrolment("Q-VP", ("VC-K0210",), ON, 40),),
)

L9 = LearnerRecord(
    diplomas=(HeldDiploma("Q-VP", date(2023, 7, 1)),),
    entrustments=(
        Entrustment("BAZ-1", 4, date(2025, 2, 1)),
        Entrustment("BAZ-2", 4, date(2025, 3, 1)),
        Entrustment("BAZ-3", 4, date(2025, 4, 1)),
        Entrustment("BAZ-5", 2, date(2025, 5, 1)),
    ),
    enrolments=(Enrolment("BAZ", (), ON, 40),),
)


def _path(catalog: Catalog, record: LearnerRecord, learner: str, code: str) -> PathResult:
    return compute_path(catalog, record, learner_id=learner, qualification_code=code, on=ON)


def _json(path: PathResult) -> dict[str, Any]:
    """The JSON shape of `path` in the API."""
    data: dict[str, Any] = PathSchema().dump(path)
    return data


def _remaining(path: PathResult) -> dict[str, list[str]]:
    return {u["unit"]: u["missing_outcomes"] for u in _json(path)["remaining_units"]}


class TestL1VmboLearnerForHzw:
    def test_expected_fields(self, catalog: Catalog) -> None:
        path = _path(catalog, L1, "L1", "Q-HZW")
        data = _json(path)
        assert _remaining(path) == {
            "BC-DV-B1K1": ["DV:B1-K1-W1", "DV:B1-K1-W4", "DV:B1-K1-W5"],
            "BC-HZW-PK1": ["HZW:P-K1-W4"],
            "AV-LB": ["AV:LB"],
            "AV-NL-2F": ["AV:NL-2F"],
            "AV-REK-2F": ["AV:REK-2F"],
            "VC-DEMO-01": ["KD:DEMO-01"],
            "VC-DEMO-02": ["KD:DEMO-02"],
        }
        assert data["blocked"] == {}
        assert data["needs_assessment"] == ["DV:B1-K1-W1"]
        assert data["order"] == [
            "BC-DV-B1K1", "BC-HZW-PK1", "AV-LB", "AV-NL-2F", "AV-REK-2F",
            "VC-DEMO-01", "VC-DEMO-02",
        ]  # fmt: skip
        assert data["complete"] is False
        assert data["remaining_hours"] == 1350
        assert data["electives"]["remaining_hours"] == 480

    def test_hours_per_unit_and_electives(self, catalog: Catalog) -> None:
        data = _json(_path(catalog, L1, "L1", "Q-HZW"))
        hours = {u["unit"]: u["remaining_hours"] for u in data["remaining_units"]}
        assert hours == {
            "BC-DV-B1K1": 240, "BC-HZW-PK1": 150, "AV-LB": 200, "AV-NL-2F": 160,
            "AV-REK-2F": 120, "VC-DEMO-01": 240, "VC-DEMO-02": 240,
        }  # fmt: skip
        assert data["electives"] == {
            "required_hours": 480,
            "achieved_hours": 0,
            "remaining_hours": 480,
            "shortfall_hours": 0,
            "chosen": ["VC-DEMO-01", "VC-DEMO-02"],
            "candidates": [],
        }
        assert data["progress"] == {"outcomes_achieved": 5, "outcomes_total": 14, "formative": []}
        assert "deels aangetoond" in data["explanations"][0]


class TestL5VigGraduateToVp:
    def test_expected_fields(self, catalog: Catalog) -> None:
        path = _path(catalog, L5, "L5", "Q-VP")
        data = _json(path)
        assert _remaining(path) == {
            "BC-VP-P2K1": ["VP:P2-K1-W1", "VP:P2-K1-W3"],
            "AV-EN-B1A2": ["AV:EN-B1A2"],
            "AV-NL-3F": ["AV:NL-3F"],
            "AV-REK-3F": ["AV:REK-3F"],
            "VC-K0210": ["KD:K0210"],
        }
        assert data["blocked"] == {}
        assert data["needs_assessment"] == []
        assert data["order"] == ["BC-VP-P2K1", "AV-EN-B1A2", "AV-NL-3F", "AV-REK-3F", "VC-K0210"]
        assert data["complete"] is False
        assert data["remaining_hours"] == 1373
        assert data["electives"]["remaining_hours"] == 240

    def test_electives_plan_and_json_shape(self, catalog: Catalog) -> None:
        data = _json(_path(catalog, L5, "L5", "Q-VP"))
        assert data["electives"]["achieved_hours"] == 480
        assert data["electives"]["candidates"] == []
        assert data["remaining_units"][0]["remaining_hours"] == 533
        assert data["plan"][0] == {
            "unit": "BC-VP-P2K1", "hours": 533, "start": "2025-09-01", "end": "2025-12-04",
        }  # fmt: skip
        assert [p["unit"] for p in data["plan"]] == data["order"]
        assert data["expected_finish"] == data["plan"][-1]["end"]
        assert len(data["explanations"]) == 5
        assert list(data) == [
            "learner", "qualification", "on", "complete", "entry_requirements_met",
            "missing_entry_requirements", "remaining_units", "order", "blocked",
            "needs_assessment", "expired_evidence", "electives", "remaining_epas", "progress",
            "remaining_hours", "plan", "expected_finish", "explanations",
        ]  # fmt: skip

    def test_shared_units_count_for_vig_too(self, catalog: Catalog) -> None:
        data = _json(_path(catalog, L5, "L5", "Q-VIG"))
        assert data["complete"] is True
        assert data["remaining_units"] == [] and data["expected_finish"] == "2025-09-01"


class TestL9BasisAcuteZorg:
    def test_expected_fields(self, catalog: Catalog) -> None:
        data = _json(_path(catalog, L9, "L9", "BAZ"))
        assert data["complete"] is False
        assert data["entry_requirements_met"] is True
        assert data["remaining_units"] == []
        assert data["order"] == []
        assert data["remaining_epas"] == [
            {"epa": "BAZ-4", "current_level": None, "required_level": 4},
            {"epa": "BAZ-5", "current_level": 2, "required_level": 4},
        ]
        assert data["remaining_hours"] == 0
        assert data["plan"] == [] and data["expected_finish"] == "2025-09-01"
        assert [s.split()[2] for s in data["explanations"]] == ["BAZ-4", "BAZ-5"]

    def test_without_diploma_the_entry_requirement_is_missing(self, catalog: Catalog) -> None:
        record = LearnerRecord(entrustments=L9.entrustments)
        data = _json(_path(catalog, record, "L9", "BAZ"))
        assert data["entry_requirements_met"] is False
        assert data["missing_entry_requirements"] == [{"any_of": ["Q-VP"]}]


def test_ranking_for_l5_puts_the_complete_vig_first_and_baz_last(catalog: Catalog) -> None:
    ranked = rank_paths(catalog, L5, learner_id="L5", on=ON, hours_per_week=40)
    # VIG is complete; HZW lacks 1,000 h of units + a 240 h elective shortfall = 1,240 h.
    assert [s.qualification for s in ranked] == ["Q-VIG", "Q-HZW", "Q-VP", "Q-MZ3", "BAZ"]
    by_code = {s.qualification: s for s in ranked}
    assert by_code["Q-VIG"].complete is True
    assert by_code["Q-HZW"].remaining_hours == 1240
    assert by_code["Q-VP"].remaining_hours == 1373
    assert by_code["Q-VP"].expected_finish == _path(catalog, L5, "L5", "Q-VP").expected_finish
    assert by_code["BAZ"].entry_requirements_met is False
