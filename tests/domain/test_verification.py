"""verify_credential: each check passes on a good credential and fails for the right reason."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from app.domain.credentials.did_key import public_key_from_did_key
from app.domain.credentials.unit import build_unit_credential
from app.domain.credentials.verification import VerificationReport, verify_credential

NOW = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)


def resolve_did_key(vm: str) -> bytes | None:
    try:
        return public_key_from_did_key(vm)
    except ValueError:
        return None


@pytest.fixture
def verify(jsonld_loader, ob_schema_validator, issuer):
    def run(
        document: Any, *, now: datetime = NOW, known: set[str] | None = None, **kwargs: Any
    ) -> VerificationReport:
        trusted = {issuer.did} if known is None else known
        return verify_credential(
            document,
            loader=jsonld_loader,
            resolve_public_key=resolve_did_key,
            validate_schema=ob_schema_validator,
            now=now,
            is_known_issuer=trusted.__contains__,
            **kwargs,
        )

    return run


def failing(report: VerificationReport) -> dict[str, str]:
    return {c.check: c.message for c in report.checks if not c.ok}


def test_good_credential_passes_every_check(verify, signed_unit) -> None:
    report = verify(signed_unit)
    assert report.verified, report.as_dict()
    assert [c.check for c in report.checks] == ["context", "proof", "issuer", "validity", "schema"]
    assert report.as_dict()["verified"] is True


def test_changed_field_fails_only_the_proof(verify, signed_unit) -> None:
    doc = copy.deepcopy(signed_unit)
    doc["credentialSubject"]["achievement"]["creditsAvailable"] = 240
    assert failing(verify(doc)) == {"proof": "signature does not match the document and key"}


def test_changed_learner_fails(verify, signed_unit) -> None:
    doc = copy.deepcopy(signed_unit)
    doc["credentialSubject"]["id"] = "https://leerlijn.example.nl/learners/someone-else"
    assert set(failing(verify(doc))) == {"proof"}


def test_other_key_claiming_our_issuer_fails_issuer(
    sign_with, verify, unit_facts, other_issuer, jsonld_loader
) -> None:
    """Signed by another did:key while naming our issuer: the key is not the issuer's."""
    doc = sign_with(build_unit_credential(unit_facts), other_issuer)
    problems = failing(verify(doc))
    assert set(problems) == {"issuer"}
    assert "not controlled by issuer" in problems["issuer"]


def test_other_key_presented_as_ours_fails_proof(
    sign_with, verify, unit_facts, issuer, other_issuer, jsonld_loader
) -> None:
    doc = sign_with(build_unit_credential(unit_facts), other_issuer)
    doc["proof"][0]["verificationMethod"] = issuer.verification_method
    assert failing(verify(doc)) == {"proof": "signature does not match the document and key"}


def test_resolver_returning_another_key_fails_proof(
    signed_unit, other_issuer, jsonld_loader, ob_schema_validator
) -> None:
    report = verify_credential(
        signed_unit,
        loader=jsonld_loader,
        resolve_public_key=lambda vm: other_issuer.public_key,
        validate_schema=ob_schema_validator,
        now=NOW,
        is_known_issuer=lambda i: True,
    )
    assert failing(report) == {"proof": "signature does not match the document and key"}


def test_unknown_issuer(verify, signed_unit) -> None:
    problems = failing(verify(signed_unit, known=set()))
    assert set(problems) == {"issuer"} and problems["issuer"].startswith("unknown issuer")


def test_expired(sign_with, verify, unit_facts, issuer, jsonld_loader) -> None:
    facts = dataclasses.replace(unit_facts, valid_until=datetime(2024, 12, 31, tzinfo=UTC))
    doc = sign_with(build_unit_credential(facts), issuer)
    problems = failing(verify(doc))
    assert set(problems) == {"validity"} and problems["validity"].startswith("expired")
    assert verify(doc, now=datetime(2024, 12, 1, tzinfo=UTC)).verified


def test_not_yet_valid(verify, signed_unit) -> None:
    problems = failing(verify(signed_unit, now=datetime(2024, 8, 1, tzinfo=UTC)))
    assert set(problems) == {"validity"} and problems["validity"].startswith("not yet valid")


def test_schema_violation(sign_with, verify, unit_facts, issuer, jsonld_loader) -> None:
    unsigned = build_unit_credential(unit_facts)
    unsigned["credentialSubject"]["achievement"]["achievementType"] = "Diplomaatje"
    doc = sign_with(unsigned, issuer)
    problems = failing(verify(doc))
    assert set(problems) == {"schema"}
    assert "$.credentialSubject.achievement.achievementType" in problems["schema"]


def test_undefined_term(sign_with, verify, unit_facts, issuer, jsonld_loader) -> None:
    unsigned = build_unit_credential(unit_facts)
    unsigned["credentialSubject"]["achievement"]["studiepunten"] = 4
    unsigned["evidence"][0]["examinator"] = "J. Jansen"
    doc = sign_with(unsigned, issuer)
    problems = failing(verify(doc))
    assert problems == {"context": "undefined terms: examinator, studiepunten"}


def test_unknown_context_url(verify, signed_unit) -> None:
    doc = copy.deepcopy(signed_unit)
    doc["@context"].append("https://example.org/contexts/extra.jsonld")
    problems = failing(verify(doc))
    assert "not known" in problems["context"]
    assert "not available offline" in problems["proof"]


def test_inline_top_level_context_is_rejected(verify, signed_unit) -> None:
    doc = copy.deepcopy(signed_unit)
    doc["@context"].append({"studiepunten": "https://example.org/sp"})
    assert "list of URLs" in failing(verify(doc))["context"]


@pytest.mark.parametrize("document", [None, "credential", 42, ["a"], {}])
def test_malformed_input_never_raises(verify, document) -> None:
    report = verify(document)
    assert not report.verified
    assert len(report.checks) == 5 and not any(c.ok for c in report.checks[:3])


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.__setitem__("issuer", 7),
        lambda d: d.__setitem__("proof", "zzz"),
        lambda d: d.__setitem__("validFrom", "gisteren"),
        lambda d: d.__setitem__("@context", "https://www.w3.org/ns/credentials/v2"),
        lambda d: d["proof"][0].__setitem__("verificationMethod", None),
        lambda d: d.__setitem__("credentialSubject", [[["deep"]]]),
    ],
)
def test_broken_fields_never_raise(verify, signed_unit, mutate) -> None:
    doc = copy.deepcopy(signed_unit)
    mutate(doc)
    report = verify(doc)
    assert not report.verified
    assert all(isinstance(c.message, str) and c.message for c in report.checks)


def test_extra_checks_are_appended(verify, signed_unit) -> None:
    report = verify(signed_unit, extra_checks=[("status", lambda d: (False, "revoked"))])
    assert report.checks[-1].as_dict() == {
        "check": "status",
        "ok": False,
        "code": "failed",
        "message": "revoked",
        "message_en": "revoked",
        "message_nl": "Niet in orde.",
    }
    assert not report.verified
    crashing = verify(signed_unit, extra_checks=[("status", lambda d: 1 / 0)])
    assert "ZeroDivisionError" in crashing.check("status").message
