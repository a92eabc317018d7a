"""A plan that would run past the calendar's end stops on its last day instead of failing."""

from __future__ import annotations

from datetime import date

from app.domain.model import Outcome, Qualification, Unit
from app.domain.path.catalog import Catalog
from app.domain.path.engine import compute_path
from app.domain.path.record import Enrolment, LearnerRecord
from app.schemas.paths import PathSchema


def test_an_endless_plan_ends_on_the_last_day_of_the_calendar() -> None:
    unit = Unit("BC-1", "BC", "Eenheid", 20_000, (Outcome("o1", "o1"),), "I")
    catalog = Catalog.build([unit], [Qualification("Q", "Q", "mbo", ("BC-1",))])
    start = date(9990, 1, 1)
    record = LearnerRecord(enrolments=(Enrolment("Q", (), start, 1),))
    path = compute_path(
        catalog, record, learner_id="L", qualification_code="Q", on=date(2025, 9, 1)
    )
    assert path.expected_finish == date.max
    assert [(item.unit, item.start, item.end) for item in path.plan] == [("BC-1", start, date.max)]
    assert PathSchema().dump(path)["expected_finish"] == "9999-12-31"  # the API's JSON
