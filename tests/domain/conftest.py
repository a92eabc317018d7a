"""Fixtures for the credential-core tests (offline JSON-LD loader, keys, unit facts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.adapters.json_schemas import load_clr_validator, load_credential_validator
from app.adapters.jsonld import OfflineDocumentLoader, load_context_documents, make_document_loader
from app.domain.credentials.did_key import did_key_from_public_key, did_key_verification_method
from app.domain.credentials.envelope import OutcomeFacts
from app.domain.credentials.unit import UnitCertificateFacts

REPO = Path(__file__).resolve().parents[2]
CONTEXTS_DIR = REPO / "schemas" / "contexts"
SCHEMA_DIR = REPO / "schemas" / "json-schema"
VECTOR_DIR = Path(__file__).resolve().parent / "vectors" / "eddsa-rdfc-2022"


@dataclass(frozen=True)
class Issuer:
    """A did:key issuer: its key, DID and verification method."""

    key: Ed25519PrivateKey
    public_key: bytes
    did: str
    verification_method: str

    @property
    def sign(self) -> Callable[[bytes], bytes]:
        return self.key.sign


def make_issuer(seed: bytes) -> Issuer:
    key = Ed25519PrivateKey.from_private_bytes(seed)
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    did = did_key_from_public_key(public)
    return Issuer(key, public, did, did_key_verification_method(did))


@pytest.fixture(scope="session")
def context_documents() -> dict[str, dict[str, Any]]:
    return load_context_documents(CONTEXTS_DIR)


@pytest.fixture(scope="session")
def jsonld_loader(context_documents: dict[str, dict[str, Any]]) -> OfflineDocumentLoader:
    return make_document_loader(context_documents)


@pytest.fixture(scope="session")
def ob_schema_validator() -> Callable[[Any], list[str]]:
    return load_credential_validator(SCHEMA_DIR)


@pytest.fixture(scope="session")
def clr_schema_validator() -> Callable[[Any], list[str]]:
    return load_clr_validator(SCHEMA_DIR)


@pytest.fixture(scope="session")
def issuer() -> Issuer:
    return make_issuer(bytes(range(32)))


@pytest.fixture(scope="session")
def other_issuer() -> Issuer:
    return make_issuer(bytes(range(1, 33)))


@pytest.fixture
def unit_facts(issuer: Issuer) -> UnitCertificateFacts:
    base = "https://leerlijn.example.nl"
    return UnitCertificateFacts(
        credential_id=f"{base}/credentials/7f0c2a4e-1d3b-4c55-9a61-3b0d2f1e9c01",
        issued_at=datetime(2024, 9, 1, 12, 0, tzinfo=UTC),
        issuer_did=issuer.did,
        institution_name="ROC Voorbeeldstad",
        learner_id=f"{base}/learners/l-001",
        achievement_id=f"{base}/units/BC-ZW-01",
        unit_code="BC-ZW-01",
        unit_kind="BC",
        unit_title="Basiszorg verlenen",
        unit_description="De lerende verleent basiszorg aan cliënten in een zorginstelling.",
        study_load_hours=120,
        outcomes=(
            OutcomeFacts("LR-ZW-01", "Plant de zorg voor een cliënt", f"{base}/outcomes/LR-ZW-01"),
            OutcomeFacts("LR-ZW-02", "Voert basiszorg veilig uit", f"{base}/outcomes/LR-ZW-02"),
        ),
        assessment_type="Examen",
        participation_form="Op locatie",
        quality_assurance="Erkende mbo-instelling; examinering onder toezicht van de Inspectie.",
        awarded_on=date(2024, 8, 30),
        nlqf_level=3,
        eqf_level=3,
        institution_url="https://roc-voorbeeldstad.example.nl",
        institution_brin="99XX",
        activity_start=date(2024, 2, 1),
        activity_end=date(2024, 7, 1),
    )


def sign_credential(
    document: dict[str, Any],
    issuer: Issuer,
    loader: OfflineDocumentLoader,
    created: str = "2024-09-01T12:00:00Z",
) -> dict[str, Any]:
    from app.domain.credentials.proof import add_proof

    return add_proof(
        document,
        sign=issuer.sign,
        verification_method=issuer.verification_method,
        created=created,
        loader=loader,
        proof_set=True,
    )


@pytest.fixture
def sign_with(jsonld_loader: OfflineDocumentLoader) -> Callable[[dict[str, Any], Issuer], dict]:
    """Return ``sign(document, issuer)`` (proof as a one-element array, as OB 3.0 requires)."""
    return lambda document, issuer: sign_credential(document, issuer, jsonld_loader)


@pytest.fixture
def signed_unit(
    unit_facts: UnitCertificateFacts, issuer: Issuer, jsonld_loader: OfflineDocumentLoader
) -> dict[str, Any]:
    from app.domain.credentials.unit import build_unit_credential

    return sign_credential(build_unit_credential(unit_facts), issuer, jsonld_loader)
