"""Sharing one issued credential: who may, LinkedIn's add-to-profile address, QR codes, and the
credential's status and moments in Dutch.

The view model of the public credential page's "Naar je wallet" part, of the wallet page and
of the credential's PDF (`app.web.wallet_pages`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from markupsafe import Markup

from app.clock import TIME_ZONE
from app.domain.access import Decision, Principal, Target, decide
from app.domain.credentials.verification import VerificationReport
from app.services.credentials import IssuedCredential
from app.web.credential_meaning import Meaning
from app.web.filters import dutch_date

#: LinkedIn's "Add to profile" form for a licence or certification (addtoprofile.linkedin.com).
LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"

#: The status check's code → the one Dutch word on paper (other failures: "niet geldig").
STATUS_WORDS = {"revoked": "ingetrokken", "suspended": "geschorst"}


@dataclass(frozen=True, slots=True)
class Sharing:
    """What the credential page offers its holder (and the school's staff)."""

    linkedin_url: str


def sharing_for(
    actor: Principal | None, issued: IssuedCredential, url: str, meaning: Meaning
) -> Sharing | None:
    """The sharing part of the credential page, or None for those who may not share it."""
    if not may_share(actor, issued):
        return None
    until = _moment(meaning.valid_until)
    return Sharing(
        linkedin_url(
            meaning.name or issued.name,
            meaning.issuer_name or issued.institution,
            issued.issued_at,
            url,
            issued.id,
            until,
        )
    )


def _moment(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def may_share(actor: Principal | None, issued: IssuedCredential) -> bool:
    """Whether `actor` may put `issued` into a wallet (and so is shown the sharing buttons):
    the learner it was issued to, or staff of the issuing school (the rule of
    ``credential.offer``, which the offer itself checks again)."""
    if actor is None:
        return False
    target = Target("credential", issued.id, institution=issued.institution, learner=issued.learner)
    return decide(actor, "credential.offer", target) is Decision.ALLOW


def linkedin_url(
    name: str,
    organisation: str,
    issued_at: dt.datetime,
    credential_url: str,
    credential_id: str,
    valid_until: dt.datetime | None = None,
) -> str:
    """LinkedIn's add-to-profile address that fills in a certification (month and year of issue
    in Dutch time).

    >>> url = linkedin_url("BC-1 Zorg & welzijn", "ROC Z&W", dt.datetime(2025, 6, 30, 23, 0,
    ...     tzinfo=dt.UTC), "https://l.nl/credentials/c-1", "c-1")
    >>> url.split("?")[0]
    'https://www.linkedin.com/profile/add'
    >>> for pair in url.split("?")[1].split("&")[:5]:
    ...     print(pair)
    startTask=CERTIFICATION_NAME
    name=BC-1+Zorg+%26+welzijn
    organizationName=ROC+Z%26W
    issueYear=2025
    issueMonth=7
    """
    issued = issued_at.astimezone(TIME_ZONE)
    query: dict[str, str | int] = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "organizationName": organisation,
        "issueYear": issued.year,
        "issueMonth": issued.month,
    }
    if valid_until is not None:
        until = valid_until.astimezone(TIME_ZONE)
        query |= {"expirationYear": until.year, "expirationMonth": until.month}
    query |= {"certUrl": credential_url, "certId": credential_id}
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(query)}"


def qr_svg(data: str, title: str) -> Markup:
    """An inline SVG QR code of `data`, an image named `title` (made on the server)."""
    svg = segno.make(data, error="m").svg_inline(
        scale=4, dark="#111", light="#fff", title=title, svgclass="qr", omitsize=True
    )
    label = Markup.escape(title)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S704 (segno's own SVG)


def status_word(report: VerificationReport) -> str:
    """The credential's status in one Dutch word, from the page's own verdict.

    >>> from app.domain.credentials.verification import CheckResult
    >>> status_word(VerificationReport(True, ()))
    'geldig'
    >>> revoked = CheckResult("status", False, "revoked", code="revoked")
    >>> status_word(VerificationReport(False, (revoked,)))
    'ingetrokken'
    """
    if report.verified:
        return "geldig"
    status = report.check("status")
    if status is not None and not status.ok:
        return STATUS_WORDS.get(status.code, "niet geldig")
    return "niet geldig"


def dutch_moment(value: dt.datetime) -> str:
    """A moment as the Dutch say it, in Dutch time.

    >>> dutch_moment(dt.datetime(2026, 1, 5, 13, 7, tzinfo=dt.UTC))
    '5 januari 2026 om 14:07'
    """
    local = value.astimezone(TIME_ZONE)
    return f"{dutch_date(local)} om {local:%H:%M}"


def spaced_pin(pin: str) -> str:
    """A six-digit PIN in two groups of three, easier to read and to type over.

    >>> spaced_pin("123456"), spaced_pin("12")
    ('123 456', '12')
    """
    return f"{pin[:3]} {pin[3:]}" if len(pin) == 6 else pin
