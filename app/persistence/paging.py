"""Paging and searching helpers shared by every repository."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from app.domain.paging import ListFilter, Page


def text_match(q: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring match; `%`, `_` and `\\` in `q` are literal on every database."""
    return or_(*(func.lower(column).contains(q.lower(), autoescape=True) for column in columns))


def paginate(
    session: Session,
    query: Select[Any],
    order: Sequence[Any],
    flt: ListFilter,
    convert: Callable[[Any], Any],
) -> Page:
    """One page of `query` in `order`, each row turned into a domain value by `convert`."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.scalars(query.order_by(*order).limit(flt.limit).offset(flt.offset))
    return Page([convert(row) for row in rows], total, flt.limit, flt.offset)
