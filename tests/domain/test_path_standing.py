"""Tests of `learner_standing` and `current_levels`, and of how a path's explanations read."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import date

import pytest

from app.domain.model import Outcome, OutcomeRelation, Qualification, Unit
from app.domain.path.catalog import Catalog
from app.domain.path.engine import compute_path
from app.domain.path.record import (
    Entrustment,
    Evidence,
    HeldDiploma,
    LearnerRecord,
    PartialCredit,
)
from app.domain.path.results import PathResult
from app.domain.path.standing import current_levels, learner_standing
from app.schemas.paths import PathSchema

ON = date(2025, 9, 1)
BEFORE = date(2025, 1, 1)
AFTER = date(2025, 12, 1)


def unit(code: str, *outcomes: str) -> Unit:
    return Unit(code, "BC", f"Titel {code}", 100, tuple(Outcome(o, o) for o in outcomes), "I")


@pytest.fixture
def catalog() -> Catalog:
    units = [unit("BC-1", "a", "b", "c"), unit("BC-2", "d", "e"), unit("BC-3", "f")]
    relations = [OutcomeRelation("a", "d", "subsumes"), OutcomeRelation("b", "e", "partial")]
    qualification = Qualification("Q", "Q", "mbo", ("BC-1", "BC-2", "BC-3"))
    return Catalog.build(units, [qualification], relations, [("BC-3", "BC-2")])


class TestLearnerStanding:
    def test_empty_record_achieves_nothing(self, catalog: Catalog) -> None:
        standing = learner_standing(catalog, LearnerRecord(), ON)
        assert standing.achieved == frozenset() and standing.achieved_units == frozenset()
        assert dict(standing.missing) == {
            "BC-1": ("a", "b", "c"),
            "BC-2": ("d", "e"),
            "BC-3": ("f",),
        }

    def test_evidence_relations_and_dates(self, catalog: Catalog) -> None:
        record = LearnerRecord(
            evidence=(
                Evidence("a", "exam", BEFORE),  # subsumes d
                Evidence("b", "exam", BEFORE),  # partial → e flagged
                Evidence("c", "evc", BEFORE, valid_until=BEFORE),  # expired
                Evidence("f", "exam", AFTER),  # after `on`: does not count
                Evidence("f", "formative", BEFORE),
                Evidence("e", "exam", BEFORE, withdrawn=True),
            ),
            diplomas=(HeldDiploma("X", BEFORE), HeldDiploma("Y", AFTER)),
            partial_credits=(PartialCredit("c", BEFORE),),
        )
        standing = learner_standing(catalog, record, ON)
        assert standing.achieved == {"a", "b", "d"}
        assert standing.evidenced == {"c"}
        assert standing.formative_only == {"f"}
        assert standing.flagged == {"c", "e"}
        assert standing.diplomas == {"X"}
        assert standing.missing["BC-1"] == ("c",) and standing.missing["BC-2"] == ("e",)
        assert not standing.unit_achieved("BC-1")

    def test_achieved_units_are_those_with_nothing_missing(self, catalog: Catalog) -> None:
        record = LearnerRecord(
            evidence=(Evidence("a", "exam", BEFORE), Evidence("e", "exam", BEFORE))
        )
        standing = learner_standing(catalog, record, ON)
        assert standing.achieved_units == {"BC-2"}
        assert standing.unit_achieved("BC-2") and not standing.unit_achieved("nope")
        assert standing.achieved_units == {u for u, m in standing.missing.items() if not m}


class TestCurrentLevels:
    def test_latest_counting_entrustment_wins(self) -> None:
        record = LearnerRecord(
            entrustments=(
                Entrustment("E", 2, BEFORE, sequence=2),
                Entrustment("E", 4, BEFORE, sequence=1),
                Entrustment("E", 5, AFTER),  # after `on`
                Entrustment("F", 3, BEFORE),
                Entrustment("F", 1, BEFORE),  # same date and sequence: the last given wins
                Entrustment("G", 5, BEFORE, withdrawn=True),
            )
        )
        assert current_levels(record, ON) == {"E": 2, "F": 1}
        assert current_levels(record, AFTER) == {"E": 5, "F": 1}
        assert current_levels(LearnerRecord(), ON) == {}


class TestExplanationsRead:
    """`explanations` is written on first read; every way of reading it sees the tuple."""

    def path(self, catalog: Catalog) -> PathResult:
        record = LearnerRecord(evidence=(Evidence("b", "exam", BEFORE),))
        return compute_path(catalog, record, learner_id="L", qualification_code="Q", on=ON)

    def test_is_a_field_and_a_tuple_of_sentences(self, catalog: Catalog) -> None:
        result = self.path(catalog)
        assert "explanations" in [f.name for f in dataclasses.fields(PathResult)]
        assert type(result.explanations) is tuple and len(result.explanations) == 3
        assert result.explanations is result.explanations  # written once
        assert result.explanations[0].startswith("Voor BC-1 (Titel BC-1) moet je nog 2 van de 3")

    def test_equality_repr_copy_and_pickle(self, catalog: Catalog) -> None:
        unread = pickle.loads(pickle.dumps(self.path(catalog)))  # pickled before any read
        first, second = self.path(catalog), self.path(catalog)
        assert unread == first and type(unread.explanations) is tuple
        assert first == second and hash(first) == hash(second)
        assert repr(first) == repr(second) and "explanations=('Voor BC-1" in repr(first)
        for other in (copy.copy(second), copy.deepcopy(second), pickle.loads(pickle.dumps(second))):
            assert other == first and other.explanations == first.explanations
        assert dataclasses.asdict(first)["explanations"] == first.explanations
        assert dataclasses.replace(first).explanations == first.explanations
        as_json = PathSchema().dump(self.path(catalog))  # the API's schema on an unread path
        assert as_json["explanations"] == list(first.explanations)

    def test_is_read_only(self, catalog: Catalog) -> None:
        result = self.path(catalog)
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.explanations = ()  # type: ignore[misc]
