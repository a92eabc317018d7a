"""Benchmark: sign and verify an OB 3.0 unit certificate in-process, versus Digital Bazaar (Node).

Usage::

    .venv/bin/python bench/bench_credentials.py [--runs 200] [--warmup 20] [--no-node]

Prints p50/p95 (ms) for

* ``sign``: :func:`app.domain.credentials.proof.add_proof` (2 RDFC-1.0 canonicalizations +
  Ed25519),
* ``verify proof``: :func:`app.domain.credentials.proof.verify_proof`,
* ``verify credential``: :func:`app.domain.credentials.verification.verify_credential` (all
  five checks),
* ``node verify``: the same credential verified by ``interop/verify.mjs --repeat N`` (one Node
  process, per-run timings, start-up excluded),

and the ratios ours/theirs. Deterministic input (fixed key, fixed facts); the target is
p50 ≤ 10 ms for sign and for verify, and ours/theirs ≤ 1.0 for "verify credential".

Then, over HTTP (skip with ``--no-http``): a seeded app (in-memory database, temporary key
folder) issues a unit credential with its status entries; one sequential, warm client without
an account, as an employer verifies (Flask's test client: the full WSGI request, routing, JSON
parsing, status and issuer look-ups, no socket) times ``POST /api/verify``, and Node verifies
the same credential with its status lists (fetched once, as ``--documents``) in-process.
Target: HTTP ours/theirs p50 ≤ 1.2. Needs ``cd interop && npm ci`` for the Node figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: E402

from app.adapters.json_schemas import load_credential_validator  # noqa: E402
from app.adapters.jsonld import load_context_documents, make_document_loader  # noqa: E402
from app.domain.credentials.did_key import (  # noqa: E402
    did_key_from_public_key,
    did_key_verification_method,
    public_key_from_did_key,
)
from app.domain.credentials.envelope import OutcomeFacts  # noqa: E402
from app.domain.credentials.proof import add_proof, verify_proof  # noqa: E402
from app.domain.credentials.unit import UnitCertificateFacts, build_unit_credential  # noqa: E402
from app.domain.credentials.verification import verify_credential  # noqa: E402


def percentile(samples: list[float], q: float) -> float:
    """Return the `q` quantile (0–1) of `samples`, nearest-rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def timed(fn: Callable[[], Any], runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def unit_facts(did: str) -> UnitCertificateFacts:
    base = "https://leerlijn.example.nl"
    return UnitCertificateFacts(
        credential_id=f"{base}/credentials/bench-1",
        issued_at=datetime(2024, 9, 1, 12, tzinfo=UTC),
        issuer_did=did,
        institution_name="ROC Voorbeeldstad",
        learner_id=f"{base}/learners/l-001",
        achievement_id=f"{base}/units/BC-ZW-01",
        unit_code="BC-ZW-01",
        unit_kind="BC",
        unit_title="Basiszorg verlenen",
        unit_description="De lerende verleent basiszorg aan cliënten.",
        study_load_hours=120,
        outcomes=tuple(
            OutcomeFacts(f"LR-ZW-0{i}", f"Leerresultaat {i}", f"{base}/outcomes/LR-ZW-0{i}")
            for i in range(1, 6)
        ),
        assessment_type="Examen",
        participation_form="Op locatie",
        quality_assurance="Erkende mbo-instelling; toezicht Inspectie van het Onderwijs.",
        nlqf_level=3,
        eqf_level=3,
        institution_brin="99XX",
        activity_start=date(2024, 2, 1),
        activity_end=date(2024, 7, 1),
    )


def node_timings(
    credential: dict[str, Any],
    runs: int,
    warmup: int,
    documents: dict[str, Any] | None = None,
) -> list[float] | None:
    node = shutil.which("node")
    if node is None or not (REPO / "interop" / "node_modules").is_dir():
        return None
    extra: list[str] = []
    if documents:
        with tempfile.NamedTemporaryFile(
            "w", suffix=".json", delete=False, encoding="utf-8"
        ) as handle:
            json.dump(documents, handle)
        extra = ["--documents", handle.name]
    proc = subprocess.run(
        [node, "verify.mjs", "-", "--repeat", str(runs + warmup), *extra],
        input=json.dumps(credential),
        capture_output=True,
        text=True,
        cwd=REPO / "interop",
        timeout=600,
        check=False,
    )
    if extra:
        Path(extra[1]).unlink()
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if not result["verified"]:
        raise SystemExit(f"Node did not verify the credential: {result['error']}")
    timings: list[float] = result["timings_ms"][warmup:]
    return timings


def http_rows(runs: int, warmup: int, no_node: bool) -> dict[str, list[float] | None]:
    """Time ``POST /api/verify`` (one warm sequential client) and Node on the same credential."""
    from tests.api.test_credentials import dispose, held, learner_id, make_seeded_app
    from tests.helpers import admin_client

    with tempfile.TemporaryDirectory() as tmp:
        application = make_seeded_app(Path(tmp) / "keys")
        try:
            client = admin_client(application)
            credential = held(client, learner_id(client, "DEMO-L5"), "BC-VV-B1K1")
            entries = credential.get("credentialStatus") or []
            documents = {}
            for entry in entries if isinstance(entries, list) else [entries]:
                url = entry["statusListCredential"]
                response = client.get(urlsplit(url).path)
                assert response.status_code == 200, url
                documents[url] = json.loads(response.get_data())

            employer = application.test_client()  # verifying needs no account

            def verify_http() -> None:
                response = employer.post("/api/verify", json=credential)
                assert response.status_code == 200 and response.get_json()["verified"], (
                    response.get_data(as_text=True)
                )

            ours = timed(verify_http, runs, warmup)
        finally:
            dispose(application)
    return {
        "verify over HTTP (POST /api/verify)": ours,
        "node verify, same credential + status": (
            None if no_node else node_timings(credential, runs, warmup, documents)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--no-node", action="store_true")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP figures")
    args = parser.parse_args()

    loader = make_document_loader(load_context_documents(REPO / "schemas" / "contexts"))
    validate = load_credential_validator(REPO / "schemas" / "json-schema")
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    did = did_key_from_public_key(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    vm = did_key_verification_method(did)
    unsigned = build_unit_credential(unit_facts(did))
    now = datetime(2025, 1, 1, tzinfo=UTC)

    def sign() -> dict[str, Any]:
        return add_proof(
            unsigned,
            sign=key.sign,
            verification_method=vm,
            created="2024-09-01T12:00:00Z",
            loader=loader,
            proof_set=True,
        )

    signed = sign()

    def verify_only() -> None:
        assert verify_proof(signed, resolve_public_key=public_key_from_did_key, loader=loader).ok

    def verify_all() -> None:
        report = verify_credential(
            signed,
            loader=loader,
            resolve_public_key=public_key_from_did_key,
            validate_schema=validate,
            now=now,
            is_known_issuer=lambda issuer: issuer == did,
        )
        assert report.verified, report.as_dict()

    rows: dict[str, list[float] | None] = {
        "sign (add_proof)": timed(sign, args.runs, args.warmup),
        "verify proof (verify_proof)": timed(verify_only, args.runs, args.warmup),
        "verify credential (5 checks)": timed(verify_all, args.runs, args.warmup),
        "node verify (@digitalbazaar/vc)": (
            None if args.no_node else node_timings(signed, args.runs, args.warmup)
        ),
    }
    if not args.no_http:
        rows.update(http_rows(args.runs, args.warmup, args.no_node))
    print(
        f"OB 3.0 unit certificate, {len(json.dumps(signed))} bytes; "
        f"{args.runs} runs after {args.warmup} warm-up; times in ms"
    )
    print(f"{'operation':38} {'p50':>8} {'p95':>8} {'mean':>8}")
    for name, samples in rows.items():
        if samples is None:
            print(f"{name:38} {'(skipped: node or interop/node_modules missing)':>26}")
            continue
        print(
            f"{name:38} {percentile(samples, 0.5):8.2f} {percentile(samples, 0.95):8.2f} "
            f"{statistics.fmean(samples):8.2f}"
        )
    theirs = rows["node verify (@digitalbazaar/vc)"]
    if theirs:
        node_p50 = percentile(theirs, 0.5)
        for name in ("verify proof (verify_proof)", "verify credential (5 checks)"):
            ours = rows[name]
            assert ours is not None
            print(f"ratio ours/theirs p50, {name}: {percentile(ours, 0.5) / node_p50:.2f}")
    http_ours = rows.get("verify over HTTP (POST /api/verify)")
    http_theirs = rows.get("node verify, same credential + status")
    if http_ours and http_theirs:
        ratio = percentile(http_ours, 0.5) / percentile(http_theirs, 0.5)
        print(f"ratio ours/theirs p50, verify over HTTP vs node in-process: {ratio:.2f}")
    sign_p50 = percentile(rows["sign (add_proof)"] or [0.0], 0.5)
    verify_p50 = percentile(rows["verify proof (verify_proof)"] or [0.0], 0.5)
    target = "met" if sign_p50 <= 10 and verify_p50 <= 10 else "NOT met"
    print(f"target p50 <= 10 ms for sign and verify: {target}")


if __name__ == "__main__":
    main()
