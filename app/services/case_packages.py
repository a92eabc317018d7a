"""CASE 1.0 export and import of qualifications (`app.domain.case` does the mapping).

Export reads a qualification, every unit it lists (options included), every unit of its
prerequisite graph and every unit holding an outcome related to one of theirs, with their
outcomes, the prerequisites of the qualification's graph and the outcome relations whose two ends
lie in the package (so a package is complete in itself: imported into an empty registry, nothing
it names is missing); identifiers kept from an import win over derived ones.

Import validates the package against the CASE 1.0 JSON Schema (with format checks), maps it onto
a registry import document and runs the registry import's own checks and authorization
(`app.services.importer`) on it, all before anything is written; then writes it and keeps
every identifier of the package, in one transaction. Codes that exist are updated as the
registry import updates them (so importing the same package twice changes nothing); a change
the registry import refuses (a breaking change to a unit in use) is refused here too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.domain.access import Principal
from app.domain.case import (
    Identifiers,
    KeptIdentifier,
    PackageSource,
    build_package,
    document_key,
    outcome_key,
    unit_items,
    unit_key,
)
from app.domain.case_import import read_package
from app.domain.errors import InvalidData, NotFound
from app.domain.model import Qualification
from app.domain.paging import ListFilter
from app.persistence import case_repository as case_repo
from app.persistence import registry_repository as repo
from app.services import importer
from app.services.import_writes import ImportDocument

#: Turns a package into its ``[{"pointer", "message"}]`` schema errors (the CASE JSON Schema).
PackageValidator = Callable[[Any], list[dict[str, str]]]
#: Loads a registry import document: (document, field errors, codes of unloadable items).
DocumentLoader = Callable[
    [dict[str, Any], str],
    tuple[ImportDocument, list[dict[str, Any]], Mapping[str, AbstractSet[str]]],
]


def changed_at() -> str:
    """The ``lastChangeDateTime`` of an export: now, UTC, to the second."""
    return clock.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- export -----------------------------------------------------------------------------------


def export_package(
    session: Session, reference: str, base_url: str, include_vmbo: bool = False
) -> dict[str, Any]:
    """The CFPackage of the qualification `reference` (its code, or its CFDocument identifier).

    Raises
    ------
    NotFound
        When no qualification has that code or document identifier.
    """
    qualification = _qualification(session, reference, base_url)
    members = [*qualification.units, *qualification.electives.options]
    prerequisites = repo.required_prerequisites(session, members)
    core = {*members, *(p.requires for p in prerequisites)}
    core_outcomes = [
        o.code for unit in repo.get_units(session, core).values() for o in unit.outcomes
    ]
    units = repo.get_units(session, core | case_repo.related_units(session, core_outcomes))
    outcomes = [o.code for unit in units.values() for o in unit.outcomes]
    named = {unit.institution for unit in units.values()} | {qualification.institution}
    institutions = {
        code: institution
        for code in named
        if code and (institution := repo.get_institution(session, code)) is not None
    }
    source = PackageSource(
        qualification=qualification,
        units=units,
        institutions=institutions,
        prerequisites=prerequisites,
        relations=case_repo.relations_among(session, outcomes),
        changed_at=changed_at(),
        vmbo=case_repo.vmbo_links(session, outcomes) if include_vmbo else (),
    )
    return _built(session, source, base_url)


def _built(session: Session, source: PackageSource, base_url: str) -> dict[str, Any]:
    """Build with derived identifiers, then again with those kept for the keys it used."""
    ids = Identifiers(base_url)
    package = build_package(source, ids)
    kept = case_repo.kept_identifiers(session, sorted(ids.used))
    return build_package(source, Identifiers(base_url, kept)) if kept else package


def _qualification(session: Session, reference: str, base_url: str) -> Qualification:
    qualification = repo.get_qualification(session, reference)
    if qualification is not None:
        return qualification
    key = case_repo.key_of(session, reference)
    if key is None:
        ids = Identifiers(base_url)
        key = next(
            (
                document_key(code)
                for code in case_repo.qualification_codes(session)
                if ids.derived(document_key(code)) == reference
            ),
            None,
        )
    if key is not None and key.startswith("document:"):
        found = repo.get_qualification(session, key.removeprefix("document:"))
        if found is not None:
            return found
    raise NotFound("qualification", reference)


def list_documents(session: Session, base_url: str) -> dict[str, Any]:
    """``{"CFDocuments": [...]}``: the CFDocument of every qualification, by code."""
    return {
        "CFDocuments": [
            export_package(session, code, base_url)["CFDocument"]
            for code in case_repo.qualification_codes(session)
        ]
    }


def get_document(session: Session, identifier: str, base_url: str) -> dict[str, Any]:
    """``{"CFDocument": ...}`` of the qualification whose document has `identifier`."""
    document = export_package(session, identifier, base_url)["CFDocument"]
    if document["identifier"] != identifier:
        raise NotFound("CFDocument", identifier)
    return {"CFDocument": document}


def get_item(session: Session, identifier: str, base_url: str) -> dict[str, Any]:
    """The CFItem (a unit or an outcome) whose identifier is `identifier`.

    Raises
    ------
    NotFound
        When no unit or outcome has that identifier (kept or derived).
    """
    key = case_repo.key_of(session, identifier)
    if key is None:
        ids = Identifiers(base_url)
        units, outcomes = case_repo.unit_and_outcome_codes(session)
        candidates = [*(unit_key(c) for c in units), *(outcome_key(c) for c in outcomes)]
        key = next((k for k in candidates if ids.derived(k) == identifier), None)
    unit_code = None
    if key is not None and key.startswith("item:unit:"):
        unit_code = key.removeprefix("item:unit:")
    elif key is not None and key.startswith("item:outcome:"):
        _, outcomes = case_repo.unit_and_outcome_codes(session)
        unit_code = outcomes.get(key.removeprefix("item:outcome:"))
    unit = repo.get_unit(session, unit_code) if unit_code else None
    if unit is None:
        raise NotFound("CFItem", identifier)
    keys = [unit_key(unit.code), *(outcome_key(o.code) for o in unit.outcomes)]
    ids = Identifiers(base_url, case_repo.kept_identifiers(session, keys))
    items = unit_items(unit, ids, changed_at())
    item: dict[str, Any] | None = next((i for i in items if i["identifier"] == identifier), None)
    if item is None:
        raise NotFound("CFItem", identifier)
    return item


# --- import -----------------------------------------------------------------------------------


def import_package(
    session: Session,
    actor: Principal | None,
    package: Any,
    *,
    base_url: str,
    validate: PackageValidator,
    load: DocumentLoader,
) -> dict[str, Any]:
    """Import a CASE 1.0 CFPackage, all or nothing; the registry import's report.

    Raises
    ------
    InvalidData
        With pointers into the package (``/CFItems/3/fullStatement``) for schema errors, for
        what does not map onto the registry, and for the registry import's own errors;
        nothing is written.
    NotAuthenticated, AccessDenied
        As the registry import: a new institution needs an admin, units and the qualification
        registry rights in their institution.
    """
    if errors := validate(package):
        raise InvalidData(
            errors,
            detail=f"the package does not follow the CASE 1.0 CFPackage schema "
            f"({len(errors)} error(s)); nothing was written",
        )
    names = {i.name: i.code for i in repo.list_institutions(session, _all()).items}
    found = read_package(package, names.get)
    if found.errors:
        raise InvalidData(
            found.errors,
            detail=f"the package does not map onto the registry ({len(found.errors)} error(s)); "
            "nothing was written",
        )
    document, field_errors, unparsed = load(found.document, found.publisher)
    document = _as_stored(session, document)
    try:
        importer.check_import(
            session, actor, document, field_errors=field_errors, unparsed=unparsed
        )
    except InvalidData as error:
        raise InvalidData(
            [_pointed(found.pointer, e) for e in error.errors],
            detail=f"the import has {len(error.errors)} error(s); nothing was written",
        ) from error
    _check_identifiers(session, found.identifiers, found.sources)
    report = importer.apply_import(session, document)
    _keep_identifiers(session, found.identifiers, base_url)
    session.commit()
    return report.as_dict()


def _all() -> ListFilter:
    return ListFilter(limit=1_000_000, offset=0)


def _as_stored(session: Session, document: ImportDocument) -> ImportDocument:
    """Leave out institutions that exist (an import never changes one), and keep what CASE does
    not carry of a stored qualification (its EPAs and entry requirements)."""
    institutions = tuple(
        i for i in document.institutions if repo.get_institution(session, i.code) is None
    )
    stored = repo.get_qualifications(session, [q.code for q in document.qualifications])
    qualifications = tuple(
        dataclasses.replace(
            q,
            required_epas=stored[q.code].required_epas,
            entry_any_qualification=stored[q.code].entry_any_qualification,
        )
        if q.code in stored
        else q
        for q in document.qualifications
    )
    return dataclasses.replace(document, institutions=institutions, qualifications=qualifications)


def _pointed(translate: Callable[[str], str], error: Mapping[str, Any]) -> dict[str, Any]:
    if "pointer" not in error:
        return dict(error)
    return {**error, "pointer": translate(str(error["pointer"]))}


def _check_identifiers(
    session: Session, identifiers: Mapping[str, KeptIdentifier], sources: Mapping[str, str]
) -> None:
    """Refuse an identifier that this registry keeps for another node."""
    owners = case_repo.keys_of(session, [kept.identifier for kept in identifiers.values()])
    errors = [
        {
            "pointer": f"{sources[key]}/identifier",
            "message": f"this identifier names another node here: {owners[kept.identifier]}",
        }
        for key, kept in identifiers.items()
        if owners.get(kept.identifier, key) != key
    ]
    if errors:
        raise InvalidData(errors)


def _keep_identifiers(
    session: Session, identifiers: Mapping[str, KeptIdentifier], base_url: str
) -> None:
    """Keep every identifier the package gives; one equal to the derived one needs no row."""
    ids = Identifiers(base_url)
    derived = {
        key
        for key, kept in identifiers.items()
        if kept.identifier == ids.derived(key) and kept.uri == ids.derived_uri(key)
    }
    case_repo.forget_identifiers(session, derived)
    session.flush()
    case_repo.save_identifiers(session, {k: v for k, v in identifiers.items() if k not in derived})
