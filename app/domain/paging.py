"""Lists in pages: what a caller asks for (`ListFilter`) and what it gets back (`Page`).

Plain values shared by every layer: the API and the pages build a `ListFilter` from the query
string, the services pass it on, and the repositories return a `Page` of domain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_LIMIT", "ListFilter", "Page"]

#: How many items a list returns when the caller names no ``limit``.
DEFAULT_LIMIT = 50


@dataclass(frozen=True, slots=True)
class ListFilter:
    """Which page of a list to return, and the optional filters every list understands.

    Attributes
    ----------
    limit, offset : int
        At most `limit` items, after skipping `offset` of them.
    kind : str or None
        The list's own kind filter (unit kind, EPA type, relation type, ...).
    q : str or None
        A case-insensitive substring of a code, title or name.
    institution : str or None
        Only items of this institution.

    Examples
    --------
    >>> ListFilter()
    ListFilter(limit=50, offset=0, kind=None, q=None, institution=None)
    >>> ListFilter(limit=10, q="zorg").q
    'zorg'
    """

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    kind: str | None = None
    q: str | None = None
    institution: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: the items and the total count before paging.

    Examples
    --------
    >>> page = Page(["a", "b"], total=5, limit=2, offset=0)
    >>> page.items, page.total
    (['a', 'b'], 5)
    """

    items: list[Any]
    total: int
    limit: int
    offset: int
