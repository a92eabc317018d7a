"""Domain exceptions. The HTTP edge maps each class to one problem type in one place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class RegistryError(Exception):
    """Root of every error the domain and the services raise on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(RegistryError):
    """A code or id that the registry does not know."""

    def __init__(self, kind: str, code: str) -> None:
        super().__init__(f"{kind} '{code}' does not exist")
        self.kind = kind
        self.code = code


class Conflict(RegistryError):
    """The change contradicts what is stored (duplicate code, illegal state change)."""


class DuplicateCode(Conflict):
    def __init__(self, kind: str, code: str) -> None:
        super().__init__(f"{kind} '{code}' already exists")
        self.kind = kind
        self.code = code


class PrerequisiteCycle(Conflict):
    """Adding a prerequisite would close a cycle; `cycle` follows `requires`."""

    def __init__(self, cycle: Sequence[str]) -> None:
        super().__init__("this prerequisite would create a cycle: " + " → ".join(cycle))
        self.cycle = list(cycle)


class StillReferenced(Conflict):
    """A delete or removal refused because other records refer to the item."""

    def __init__(self, what: str, references: Sequence[Mapping[str, str]]) -> None:
        names = ", ".join(f"{ref['kind']} {ref['code']}" for ref in references)
        super().__init__(f"{what} is still referred to by {names}")
        self.references = [dict(ref) for ref in references]


class AchievementNotEarned(Conflict):
    """The learner has not (yet) achieved what a credential would claim; `missing` says what."""

    def __init__(self, detail: str, missing: Mapping[str, Sequence[object]]) -> None:
        super().__init__(detail)
        self.missing = {kind: list(codes) for kind, codes in missing.items()}
        self.extensions = {"missing": self.missing}


class NothingToCertify(Conflict, ValueError):
    """A credential would certify nothing: e.g. a diploma of a qualification without units or EPAs.

    Also a `ValueError`, as the credential builders document it.
    """


class InvalidData(RegistryError):
    """Semantically invalid input; `errors` holds ``{"pointer", "message"}`` items."""

    def __init__(self, errors: Sequence[Mapping[str, str]], detail: str | None = None) -> None:
        super().__init__(detail or "; ".join(f"{_where(e)}: {e['message']}" for e in errors))
        self.errors = [dict(error) for error in errors]


def _where(error: Mapping[str, str]) -> str:
    """Return where a field error points: its JSON pointer, its query parameter, or ``/``."""
    return error.get("pointer") or error.get("parameter") or "/"
