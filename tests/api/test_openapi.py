"""The OpenAPI document (/api/openapi.json) is complete and tells the truth.

Complete: every operation documents a 2xx response with a schema (or a 204), every POST, PUT
and PATCH its request body, every error response the problem document; every ``$ref`` resolves;
every URL the API and the public documents serve is in it. True: real problem documents,
credentials, status lists and DID documents validate against the schemas it documents.

The checks are plain functions over the document, so that they are themselves tested against
small broken documents.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from app import create_app
from app.api.errors import registry_problem
from app.config import TestConfig
from app.domain.errors import (
    AchievementNotEarned,
    Conflict,
    DuplicateCode,
    InvalidData,
    NotFound,
    PrerequisiteCycle,
    RegistryError,
    StillReferenced,
)
from tests.api.test_credentials import dispose, issue, learner_id, make_seeded_app
from tests.helpers import admin_client

Spec = dict[str, Any]
Operation = tuple[str, str, dict[str, Any]]

PROBLEM = "application/problem+json"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
BODY_METHODS = ("post", "put", "patch")
PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance", "errors", "cycle", "references"}

#: Endpoints served but not part of the API: the pages, static files and the docs themselves.
NOT_API_ENDPOINTS = ("static", "api_docs_asset", "web.", "api-docs.")


# --- the checks -------------------------------------------------------------------------------


def operations(spec: Spec) -> Iterator[Operation]:
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def resolve(spec: Spec, node: Any) -> Any:
    """`node` itself, or what its ``$ref`` points at (None when it points nowhere)."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return None
        node = spec
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
    return node


def dangling_refs(spec: Spec) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node and resolve(spec, {"$ref": node["$ref"]}) is None:
                found.append(str(node["$ref"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def has_schema(spec: Spec, media: Any) -> bool:
    schema = resolve(spec, media.get("schema")) if isinstance(media, dict) else None
    return isinstance(schema, dict) and bool(schema)


def missing_success_schemas(spec: Spec) -> list[str]:
    """Operations with no 2xx response that has a schema (a 204 needs none)."""
    missing = []
    for method, path, operation in operations(spec):
        responses = operation.get("responses", {})
        documented = False
        for status, response in responses.items():
            response = resolve(spec, response) or {}
            if not str(status).startswith("2"):
                continue
            content = response.get("content", {})
            if status == "204" or (content and all(has_schema(spec, m) for m in content.values())):
                documented = True
        if not documented:
            missing.append(f"{method} {path}")
    return missing


def missing_request_bodies(spec: Spec) -> list[str]:
    missing = []
    for method, path, operation in operations(spec):
        if method.lower() not in BODY_METHODS:
            continue
        body = resolve(spec, operation.get("requestBody")) or {}
        content = body.get("content", {})
        if not content or not all(has_schema(spec, m) for m in content.values()):
            missing.append(f"{method} {path}")
    return missing


def is_problem_schema(spec: Spec, schema: Any) -> bool:
    schema = resolve(spec, schema) or {}
    properties = schema.get("properties", {})
    if not PROBLEM_MEMBERS <= set(properties):
        return False
    items = resolve(spec, properties["errors"].get("items")) or {}
    return {"pointer", "message"} <= set(items.get("properties", {}))


#: Paths of the OID4VCI wallet endpoints: their refusals are OAuth 2.0 error bodies
#: (``{"error", "error_description"}`` as application/json), as wallets expect them.
OAUTH_PATHS = ("/oid4vci/",)


def is_oauth_error(spec: Spec, content: Any) -> bool:
    media = content.get("application/json") if set(content) == {"application/json"} else None
    schema = resolve(spec, (media or {}).get("schema")) or {}
    return "error" in schema.get("required", []) and "error" in schema.get("properties", {})


def wrong_error_responses(spec: Spec) -> list[str]:
    """Operations without a ``default`` error, or whose errors are not problem documents
    (OAuth error bodies on the OID4VCI wallet endpoints)."""
    wrong = []
    for method, path, operation in operations(spec):
        responses = operation.get("responses", {})
        if "default" not in responses:
            wrong.append(f"{method} {path}: no default response")
        for status, response in responses.items():
            if status != "default" and str(status)[0] not in "45":
                continue
            content = (resolve(spec, response) or {}).get("content", {})
            if status != "default" and path.startswith(OAUTH_PATHS):
                if not is_oauth_error(spec, content):
                    wrong.append(f"{method} {path}: {status} is not an OAuth error body")
                continue
            if set(content) != {PROBLEM} or not is_problem_schema(spec, content[PROBLEM]["schema"]):
                wrong.append(f"{method} {path}: {status} is not a problem document")
    return wrong


# --- the checks see what they look for --------------------------------------------------------


def small_spec() -> Spec:
    problem = {
        "type": "object",
        "properties": {
            **{name: {"type": "string"} for name in PROBLEM_MEMBERS},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
        },
    }
    field_error = {"properties": {"pointer": {}, "message": {}}}
    error = {"content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    json_body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}
    return {
        "paths": {
            "/a": {
                "get": {"responses": {"200": json_body, "default": error}},
                "post": {
                    "requestBody": json_body,
                    "responses": {"201": json_body, "422": error, "default": error},
                },
                "delete": {"responses": {"204": {"description": "gone"}, "default": error}},
            }
        },
        "components": {
            "schemas": {"A": {"type": "object"}, "Problem": problem, "FieldError": field_error},
        },
    }


def _drop_schema_of_get(spec: Spec) -> None:
    del spec["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]


def _drop_post_body(spec: Spec) -> None:
    del spec["paths"]["/a"]["post"]["requestBody"]


def _problem_as_plain_json(spec: Spec) -> None:
    media = {"schema": {"$ref": "#/components/schemas/Problem"}}
    spec["paths"]["/a"]["post"]["responses"]["422"] = {"content": {"application/json": media}}


def _problem_without_references(spec: Spec) -> None:
    del spec["components"]["schemas"]["Problem"]["properties"]["references"]


def _dangling_ref(spec: Spec) -> None:
    spec["components"]["schemas"]["A"] = {"$ref": "#/components/schemas/Missing"}


def _no_default_error(spec: Spec) -> None:
    del spec["paths"]["/a"]["delete"]["responses"]["default"]


BREAKAGES: list[tuple[Callable[[Spec], None], Callable[[Spec], list[str]]]] = [
    (_drop_schema_of_get, missing_success_schemas),
    (_drop_post_body, missing_request_bodies),
    (_problem_as_plain_json, wrong_error_responses),
    (_problem_without_references, wrong_error_responses),
    (_no_default_error, wrong_error_responses),
    (_dangling_ref, dangling_refs),
]


def test_the_checks_pass_a_complete_document() -> None:
    spec = small_spec()
    for check in (dangling_refs, missing_success_schemas, missing_request_bodies):
        assert check(spec) == []
    assert wrong_error_responses(spec) == []


@pytest.mark.parametrize(("breakage", "check"), BREAKAGES, ids=lambda f: f.__name__)
def test_each_check_sees_what_it_looks_for(
    breakage: Callable[[Spec], None], check: Callable[[Spec], list[str]]
) -> None:
    spec = small_spec()
    breakage(spec)
    assert check(spec)


# --- the document -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docs_app() -> Flask:
    return create_app(TestConfig)


@pytest.fixture(scope="module")
def spec(docs_app: Flask) -> Spec:
    response = docs_app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()  # type: ignore[no-any-return]


def test_every_ref_resolves(spec: Spec) -> None:
    assert dangling_refs(spec) == []


def test_every_operation_documents_a_2xx_response_with_a_schema(spec: Spec) -> None:
    assert missing_success_schemas(spec) == []


def test_every_post_put_and_patch_documents_its_request_body(spec: Spec) -> None:
    assert missing_request_bodies(spec) == []


def test_every_error_response_is_the_problem_document(spec: Spec) -> None:
    assert wrong_error_responses(spec) == []


def test_every_served_url_is_in_the_document(docs_app: Flask, spec: Spec) -> None:
    served, undocumented = set(), []
    for rule in docs_app.url_map.iter_rules():
        if rule.endpoint.startswith(NOT_API_ENDPOINTS):
            continue
        path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
        served.add(path)
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        item = spec["paths"].get(path, {})
        undocumented += [f"{m} {path}" for m in sorted(methods) if m.lower() not in item]
    assert undocumented == []
    assert {"/api/units/{code}", "/status/{list_id}", "/issuers/{code}/did.json"} <= served


def request_schema(spec: Spec, method: str, path: str) -> dict[str, Any]:
    body = resolve(spec, spec["paths"][path][method]["requestBody"])
    return body["content"]["application/json"]  # type: ignore[no-any-return]


def success_content(spec: Spec, method: str, path: str) -> dict[str, Any]:
    responses = spec["paths"][path][method]["responses"]
    status = next(s for s in responses if s.startswith("2"))
    return resolve(spec, responses[status])["content"]  # type: ignore[no-any-return]


def test_the_evidence_body_is_one_evidence_in_or_a_list_of_them(spec: Spec) -> None:
    media = request_schema(spec, "post", "/api/learners/{learner_id}/evidence")
    evidence_in = {"$ref": "#/components/schemas/EvidenceIn"}
    assert media["schema"]["oneOf"] == [evidence_in, {"type": "array", "items": evidence_in}]
    assert {"outcome", "source", "date"} <= set(resolve(spec, evidence_in)["required"])
    assert media["example"]["outcome"], "Try it out starts from a valid example"
    answer = success_content(spec, "post", "/api/learners/{learner_id}/evidence")
    assert answer["application/json"]["schema"]["oneOf"][0] == {
        "$ref": "#/components/schemas/Evidence"
    }


def test_verify_takes_any_credential_object(spec: Spec) -> None:
    media = request_schema(spec, "post", "/api/verify")
    credential, wrapped = media["schema"]["oneOf"]  # the credential, or it with a holder
    schema = resolve(spec, credential)
    assert schema["type"] == "object" and schema.get("additionalProperties") is True
    assert {"@context", "type", "issuer", "proof"} <= set(schema["properties"])
    request = resolve(spec, wrapped)
    assert request["properties"]["credential"] == credential
    assert request["required"] == ["credential"]
    holder = request["properties"]["holder"]  # a $ref with a description: allOf [$ref]
    holder = resolve(spec, holder["allOf"][0] if "allOf" in holder else holder)
    assert set(holder["properties"]) == {"name", "email"}
    assert spec["paths"]["/api/verify"]["post"]["requestBody"]["required"] is True


@pytest.mark.parametrize(
    ("method", "path", "schema"),
    [
        ("post", "/api/credentials", "VerifiableCredential"),
        ("get", "/api/credentials/{credential_id}", "VerifiableCredential"),
        ("get", "/api/learners/{learner_id}/record", "VerifiableCredential"),
        ("get", "/api/learners/{learner_id}/credentials", "CredentialSummaryPage"),
        ("post", "/api/credentials/{credential_id}/revoke", "CredentialStatus"),
        ("post", "/api/credentials/{credential_id}/suspend", "CredentialStatus"),
        ("post", "/api/credentials/{credential_id}/unsuspend", "CredentialStatus"),
        ("get", "/api/credentials/{credential_id}/status", "CredentialStatus"),
        ("post", "/api/verify", "Verification"),
        ("get", "/status/{list_id}", "VerifiableCredential"),
        ("get", "/issuers/{code}/did.json", "DidDocument"),
    ],
)
def test_credential_answers_are_documented(spec: Spec, method: str, path: str, schema: str) -> None:
    content = success_content(spec, method, path)
    refs = {media["schema"]["$ref"] for media in content.values()}
    assert refs == {f"#/components/schemas/{schema}"}


@pytest.mark.parametrize(
    ("path", "media_types"),
    [
        ("/api/credentials/{credential_id}", {"application/json", "application/vc+ld+json"}),
        ("/status/{list_id}", {"application/vc+ld+json"}),
        ("/issuers/{code}/did.json", {"application/did+json"}),
    ],
)
def test_signed_documents_name_their_media_types(
    spec: Spec, path: str, media_types: set[str]
) -> None:
    assert set(success_content(spec, "get", path)) == media_types


# --- what is documented is what is served -----------------------------------------------------


def json_schema(spec: Spec, name: str, closed: tuple[str, ...] = ()) -> dict[str, Any]:
    """The component `name` as a JSON Schema; `closed` components allow no other members."""
    components = copy.deepcopy(spec["components"]["schemas"])
    for closed_name in closed:
        components[closed_name]["additionalProperties"] = False

    def convert(node: Any) -> Any:
        if isinstance(node, list):
            return [convert(v) for v in node]
        if not isinstance(node, dict):
            return node
        node = {k: convert(v) for k, v in node.items()}
        if node.pop("nullable", False):
            if isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            else:
                node = {"anyOf": [node, {"type": "null"}]}
        return node

    return {"$ref": f"#/components/schemas/{name}", "components": {"schemas": convert(components)}}


def schema_errors(spec: Spec, name: str, document: Any, closed: tuple[str, ...] = ()) -> list[str]:
    validator = Draft202012Validator(json_schema(spec, name, closed))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


PROBLEM_PARTS = ("Problem", "FieldError", "Reference")


def unit(code: str) -> dict[str, Any]:
    outcome = {"code": f"{code}-W1", "title": "Werkproces"}
    return {
        "code": code,
        "kind": "BC",
        "title": code,
        "study_load_hours": 80,
        "outcomes": [outcome],
    }


def test_problem_documents_served_over_http_match_the_documented_schema(
    spec: Spec, client: FlaskClient
) -> None:
    institution = {"code": "MBO-ZW", "name": "ROC", "kind": "mbo"}
    assert client.post("/api/institutions", json=institution).status_code == 201
    for code in ("A", "B"):
        assert client.post("/api/units", json=unit(code)).status_code == 201
    assert client.post("/api/units/A/prerequisites", json={"requires": "B"}).status_code == 201
    answers = [
        client.get("/api/units?limit=0"),  # a query parameter: errors[].parameter
        client.post("/api/units", json={"code": "C", "outcomes": []}),  # errors[].pointer
        client.post("/api/units", data="{", content_type="application/json"),  # malformed
        client.post("/api/units", data="x", content_type="text/plain"),  # 415, about:blank
        client.get("/api/units/NOPE"),
        client.post("/api/units/B/prerequisites", json={"requires": "A"}),  # cycle
        client.delete("/api/units/B"),  # references
        client.post("/api/import", json={"prerequisites": [{"unit": "B", "requires": "A"}]}),
    ]
    statuses = [a.status_code for a in answers]
    assert statuses == [422, 422, 400, 415, 404, 409, 409, 422]
    members = set()
    for answer in answers:
        assert answer.mimetype == PROBLEM
        document = answer.get_json(force=True)
        members |= set(document)
        assert schema_errors(spec, "Problem", document, PROBLEM_PARTS) == [], document
    assert {"errors", "cycle", "references"} <= members


@pytest.mark.parametrize(
    "error",
    [
        NotFound("unit", "X"),
        DuplicateCode("unit", "X"),
        PrerequisiteCycle(["A", "B", "A"]),
        StillReferenced("unit 'X'", [{"kind": "qualification", "code": "Q", "role": "option"}]),
        AchievementNotEarned(
            "not yet",
            {"outcomes": ["O-1"], "entry_requirements": [{"any_of": ["Q"]}], "elective_hours": [3]},
        ),
        InvalidData([{"pointer": "/prerequisites/0", "message": "cycle", "cycle": ["A", "B"]}]),
        RegistryError("something else"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_every_domain_problem_matches_the_documented_schema(
    docs_app: Flask, spec: Spec, error: RegistryError
) -> None:
    with docs_app.test_request_context("/api/units"):
        document = registry_problem(error).get_json()
    assert schema_errors(spec, "Problem", document, PROBLEM_PARTS) == [], document


def test_a_conflict_with_field_errors_matches_the_documented_schema(
    docs_app: Flask, spec: Spec
) -> None:
    conflict = Conflict("outcome X is still used")
    conflict.errors = [{"pointer": "/outcomes", "message": "still used"}]  # type: ignore[attr-defined]
    with docs_app.test_request_context("/api/units/X"):
        document = registry_problem(conflict).get_json()
    assert schema_errors(spec, "Problem", document, PROBLEM_PARTS) == []


@pytest.fixture(scope="module")
def issuing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    application = make_seeded_app(Path(tmp_path_factory.mktemp("keys")))
    yield admin_client(application)
    dispose(application)


def test_served_credentials_and_documents_match_the_documented_schemas(
    spec: Spec, issuing: FlaskClient
) -> None:
    learner = learner_id(issuing, "DEMO-L5")
    credential = issue(issuing, learner, "BC-VV-B1K1").get_json()
    credential_id = credential["id"].rsplit("/", 1)[-1]
    status_url = credential["credentialStatus"]["statusListCredential"]
    served = {
        "VerifiableCredential": [
            credential,
            issuing.get(f"/api/learners/{learner}/record").get_json(),
            issuing.get(status_url.removeprefix(TestConfig.LEERLIJN_BASE_URL)).get_json(),
        ],
        "CredentialSummaryPage": [issuing.get(f"/api/learners/{learner}/credentials").get_json()],
        "Verification": [issuing.post("/api/verify", json=credential).get_json()],
        "CredentialStatus": [
            issuing.post(
                f"/api/credentials/{credential_id}/suspend", json={"reason": "check"}
            ).get_json()
        ],
        "DidDocument": [issuing.get("/issuers/MBO-ZW/did.json").get_json()],
    }
    closed = ("CredentialSummaryPage", "CredentialSummary", "Verification", "Check")
    for name, documents in served.items():
        for document in documents:
            assert schema_errors(spec, name, document, closed) == [], (name, document)
