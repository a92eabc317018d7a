"""Digital Bazaar's verifier (Node, offline) accepts our EPA, diploma and CLR 2.0 credentials.

Same rules as ``test_node_verifier.py`` (whose helpers are reused): marked ``node`` and
``slow``; without Node or ``interop/node_modules`` the tests skip locally but FAIL under ``CI``.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.adapters.jsonld import load_context_documents, make_document_loader
from app.domain.credentials.clr import build_clr_credential, registry_associations
from app.domain.credentials.did_key import did_key_from_public_key, did_key_verification_method
from app.domain.credentials.diploma import build_diploma_credential
from app.domain.credentials.epa import build_epa_credential
from app.domain.credentials.proof import add_proof
from app.domain.model import Qualification, RequiredEpa
from tests.domain.test_credential_kinds import (
    BASE,
    clr_facts,
    make_diploma_facts,
    make_epa_facts,
)
from tests.interop.test_node_verifier import REPO, node, run_verifier, signed_unit

pytestmark = [pytest.mark.node, pytest.mark.slow]

__all__ = ["node", "signed_unit"]  # fixtures reused from test_node_verifier

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))  # the issuer of `signed_unit`
DID = did_key_from_public_key(KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


class _Issuer:
    did = DID


@pytest.fixture(scope="module")
def sign():
    loader = make_document_loader(load_context_documents(REPO / "schemas" / "contexts"))

    def run(document: dict[str, Any]) -> dict[str, Any]:
        return add_proof(
            document,
            sign=KEY.sign,
            verification_method=did_key_verification_method(DID),
            created="2025-08-01T08:00:00Z",
            loader=loader,
            proof_set=True,
        )

    return run


@pytest.fixture(scope="module")
def signed_epa(sign) -> dict[str, Any]:
    return sign(build_epa_credential(make_epa_facts(DID)))


@pytest.fixture(scope="module")
def signed_diploma(sign) -> dict[str, Any]:
    return sign(build_diploma_credential(make_diploma_facts(DID)))


@pytest.fixture(scope="module")
def signed_clr(sign, signed_unit, signed_epa, signed_diploma) -> dict[str, Any]:
    unit_id = signed_unit["credentialSubject"]["achievement"]["id"]
    ids = {
        "AV-NL-01": unit_id,
        "BAZ-2": f"{BASE}/epas/BAZ-2",
        "Q-HZW": f"{BASE}/qualifications/Q-HZW",
    }
    qualification = Qualification(
        "Q-HZW", "HZW", "mbo", units=("AV-NL-01",), required_epas=(RequiredEpa("BAZ-2", 4),)
    )
    associations = registry_associations([], [qualification], ids)
    facts = clr_facts(_Issuer, [signed_unit, signed_epa, signed_diploma], associations)
    return sign(build_clr_credential(facts))


def test_epa_credential_verifies(node, signed_epa) -> None:
    assert run_verifier(node, signed_epa) == (0, {"verified": True, "error": None})


def test_diploma_credential_verifies(node, signed_diploma) -> None:
    # European metadata (our shipped context): safe mode accepts the edubadges-style terms
    achievement = signed_diploma["credentialSubject"]["achievement"]
    assert achievement["educationProgramIdentifier"] == 25960 and achievement["SBU"] > 0
    assert run_verifier(node, signed_diploma) == (0, {"verified": True, "error": None})


def test_clr_credential_verifies(node, signed_clr) -> None:
    assert len(signed_clr["credentialSubject"]["association"]) == 2
    assert run_verifier(node, signed_clr) == (0, {"verified": True, "error": None})


def test_embedded_credentials_verify_on_their_own(node, signed_clr) -> None:
    for embedded in signed_clr["credentialSubject"]["verifiableCredential"]:
        assert run_verifier(node, embedded) == (0, {"verified": True, "error": None})


def test_tampered_clr_is_rejected(node, signed_clr) -> None:
    tampered = copy.deepcopy(signed_clr)
    tampered["credentialSubject"]["association"][0]["associationType"] = "precedes"
    code, result = run_verifier(node, tampered)
    assert code == 1 and "signature" in result["error"].lower()
