"""The speed tricks of the path engine, in one labelled place.

A path over a large qualification builds a value per remaining unit and per plan step, and
writes a sentence per remaining unit; these two tricks keep that within the targets of
``bench/bench_path.py`` (path of 1,000 units p50 ≤ 5 ms, ranking of 200 qualifications
≤ 200 ms). Measure with that script before changing or removing either one.

* `slot_setters`: build a frozen slotted dataclass through its slot setters, at a third of the
  cost of its generated ``__init__`` (used for `RemainingUnit` and `PlanItem`).
* `write_on_first_read`: a field whose value is written the first time it is read (used for
  ``PathResult.explanations``: a ranking and most page views never read every sentence).

The other choices that the benchmark justifies are plain code and are labelled where they
are: the indexes that `Catalog` builds once (among them ``hours_left``, the R10 hours of every
unit by number of missing outcomes, so that no path computes them per unit), the one pass over
the evidence in `learner_standing`, and the prerequisite order worked on integer positions
(`app.domain.path.plan.study_order`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, Protocol

__all__ = ["Pending", "slot_setters", "write_on_first_read"]


def slot_setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    """Return the slot setters of the frozen slotted dataclass `cls`, in field order.

    ``new = object.__new__(cls)`` followed by every setter with the field values builds the
    same instance as ``cls(*values)`` at a third of the cost: the generated ``__init__`` of a
    frozen dataclass goes through ``object.__setattr__`` per field. Only for classes without
    ``__post_init__``.

    Parameters
    ----------
    cls : type
        A dataclass with ``slots=True``.

    Returns
    -------
    tuple of callables
        ``setter(instance, value)`` per field.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True, slots=True)
    ... class Step:
    ...     unit: str
    ...     hours: int
    >>> new, (set_unit, set_hours) = object.__new__, slot_setters(Step)
    >>> step = new(Step)
    >>> set_unit(step, "A"), set_hours(step, 40)
    (None, None)
    >>> step == Step("A", 40)
    True
    """
    return tuple(vars(cls)[f.name].__set__ for f in fields(cls))


class Pending(Protocol):
    """A value that is not written yet: `write` returns it."""

    def write(self) -> Any:
        """Return the written value."""


class _WrittenOnFirstRead:
    """Data descriptor over a slot that may hold a `Pending` value: the first read writes it.

    The written value replaces the pending one in the slot, so the work is done once and the
    attribute reads as the written value everywhere (``__eq__``, ``__repr__``,
    ``__getstate__`` and ``dataclasses.asdict`` read it through this descriptor too).
    """

    __slots__ = ("slot", "pending")

    def __init__(self, slot: Any, pending: type[Pending]) -> None:
        self.slot = slot
        self.pending = pending

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if type(value) is self.pending:
            value = value.write()
            self.slot.__set__(obj, value)
        return value

    def __set__(self, obj: object, value: object) -> None:
        self.slot.__set__(obj, value)

    def __delete__(self, obj: object) -> None:
        self.slot.__delete__(obj)


def write_on_first_read(cls: type, name: str, pending: type[Pending]) -> None:
    """Make field `name` of the slotted class `cls` write a `pending` value on its first read.

    Parameters
    ----------
    cls : type
        A dataclass with ``slots=True``.
    name : str
        One of its fields.
    pending : type
        Instances of this exact type in the field are written (``value.write()``) on the
        first read of the field and replaced by what they write.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True, slots=True)
    ... class Note:
    ...     text: str
    >>> class Later:
    ...     def write(self) -> str:
    ...         print("writing")
    ...         return "written"
    >>> write_on_first_read(Note, "text", Later)
    >>> note = Note(Later())  # type: ignore[arg-type]
    >>> note.text
    writing
    'written'
    >>> note
    Note(text='written')
    """
    setattr(cls, name, _WrittenOnFirstRead(vars(cls)[name], pending))
