"""The outcome of one verification check: a machine code and the reason in English and Dutch.

A check returns a :class:`Verdict`; :func:`run_check` runs it and turns it (or an exception)
into the named :class:`CheckResult` of a report. Re-exported by
:mod:`app.domain.credentials.verification`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from pyld import jsonld

from app.domain.credentials.proof import jsonld_error_reason

__all__ = ["Verdict", "Check", "CheckResult", "run_check"]


class Verdict(NamedTuple):
    """What one check decided: `ok`, a machine `code`, and why in English and in Dutch."""

    ok: bool
    code: str
    message: str
    message_nl: str


#: A check: takes the document, returns a :class:`Verdict` (or the older ``(ok, message)``);
#: may raise (reported as failure).
Check = Callable[[Mapping[str, Any]], Verdict | tuple[bool, str]]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One named check and why it passed or failed (`message` is English, `message_nl` Dutch)."""

    check: str
    ok: bool
    message: str
    code: str = ""
    message_nl: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return ``{"check", "ok", "code", "message", "message_en", "message_nl"}`` for JSON.

        >>> CheckResult("schema", True, "fine", "valid", "in orde").as_dict()["message_en"]
        'fine'
        """
        return {
            "check": self.check,
            "ok": self.ok,
            "code": self.code or ("valid" if self.ok else "failed"),
            "message": self.message,
            "message_en": self.message,
            "message_nl": self.message_nl or _generic_nl(self.ok, self.message),
        }


def _generic_nl(ok: bool, message: str) -> str:
    return "In orde." if ok else "Niet in orde."


def run_check(name: str, check: Check, document: Mapping[str, Any]) -> CheckResult:
    """Run one named check on `document`; an exception becomes a failed result, never escapes.

    This is how :func:`verify_credential` runs each of its checks; a verifier that adds or
    replaces a check (e.g. :func:`app.domain.credentials.clr.verify_clr`) runs it the same way.

    Parameters
    ----------
    name : str
        Name of the check in the report, e.g. ``"schema"``.
    check : Check
        ``check(document) -> Verdict`` (or ``(ok, message)``: code ``valid`` or ``failed``).
    document : Mapping
        The credential being verified.

    Returns
    -------
    CheckResult
        The check's verdict, code and messages; for an exception, a failure (code ``error``)
        whose message is the innermost pyld reason (JSON-LD errors) or the exception's text.

    Examples
    --------
    >>> run_check("validity", lambda d: (True, "valid"), {})
    CheckResult(check='validity', ok=True, message='valid', code='valid', message_nl='In orde.')
    >>> run_check("issuer", lambda d: d["issuer"], {})
    CheckResult(check='issuer', ok=False, message="'issuer'", code='error', message_nl="De controle kon niet worden uitgevoerd: 'issuer'")
    """  # noqa: E501
    try:
        verdict = check(document)
    except jsonld.JsonLdError as exc:
        return _error(name, f"JSON-LD processing failed: {jsonld_error_reason(exc)}")
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        return _error(name, str(exc) or type(exc).__name__)
    except Exception as exc:  # noqa: BLE001 - verification must report, never raise
        return _error(name, f"check failed unexpectedly: {type(exc).__name__}: {exc}")
    if isinstance(verdict, Verdict):
        return CheckResult(name, verdict.ok, verdict.message, verdict.code, verdict.message_nl)
    ok, message = verdict
    return CheckResult(
        name, bool(ok), message, "valid" if ok else "failed", _generic_nl(bool(ok), message)
    )


def _error(name: str, message: str) -> CheckResult:
    return CheckResult(
        name, False, message, "error", f"De controle kon niet worden uitgevoerd: {message}"
    )
