"""CASE 1.0 (1EdTech Competencies and Academic Standards Exchange) packages of qualifications.

Pure: `build_package` turns a qualification, its units (with their outcomes), its prerequisite
graph and its outcome relations into a CASE 1.0 ``CFPackage``; `app.domain.case_import` reads a
package back.

Identifiers
    Every node and association has a key that names what it is (`document_key`, `unit_key`,
    `outcome_key`, `association_key`). Its CASE identifier is the one kept for that key (from an
    imported package) or else ``uuid5(uuid5(NAMESPACE_URL, base_url), key)``, its uri the kept
    one or else the address of this registry's CASE endpoint for it. So repeated exports are
    identical but for ``lastChangeDateTime``, and a package moved between registries keeps its
    identity.

Extensions beyond CASE 1.0
    CASE 1.0 has no extension mechanism, but allows (in OpenSALT's schema) extra members on
    CFDocument, CFItem and CFAssociation. The members in `DOCUMENT_EXTENSIONS`,
    `UNIT_EXTENSIONS`, `OUTCOME_EXTENSIONS` and `ASSOCIATION_EXTENSIONS` carry what a registry
    needs to rebuild the qualification exactly.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.model import Institution, OutcomeRelation, Prerequisite, Qualification, Unit

#: Where the CASE 1.0 REST binding lives under the registry's base URL.
CASE_PATH = "/api/case/v1p0"

#: CFItemType labels (Dutch) of unit kinds and of outcomes.
UNIT_ITEM_TYPES: dict[str, str] = {
    "BC": "Beroepsgerichte eenheid (BC)",
    "VC": "Keuzedeel (VC)",
    "AV": "Generiek (AV)",
}
OUTCOME_ITEM_TYPE = "Leerresultaat"

#: Registry outcome relation types ↔ CASE association types.
RELATION_ASSOCIATIONS: dict[str, str] = {"subsumes": "exactMatchOf", "partial": "isRelatedTo"}
#: vmbo mapping coverage → CASE association type (exported with ``?include=vmbo`` only).
COVERAGE_ASSOCIATIONS: dict[str, str] = {"full": "exactMatchOf", "partial": "isRelatedTo"}

#: Extension members (beyond CASE 1.0) and the registry fields they carry.
DOCUMENT_EXTENSIONS = {
    "qualificationCode": "code",
    "qualificationKind": "kind",
    "nlqfLevel": "nlqf_level",
    "eqfLevel": "eqf_level",
    "crebo": "crebo",
    "electiveRequiredHours": "electives/required_hours",
    "institutionCode": "institution",
    "institutions": "(every institution the package names: code, name, kind, brin)",
}
UNIT_EXTENSIONS = {
    "unitKind": "kind",
    "studyLoadHours": "study_load_hours",
    "nlqfLevel": "nlqf_level",
    "institutionCode": "institution",
    "titleEn": "title_en",
}
OUTCOME_EXTENSIONS = {"nlqfLevel": "nlqf_level", "dossierCode": "dossier_code"}
ASSOCIATION_EXTENSIONS = {
    "unitRole": "mandatory or option (unit isChildOf the document)",
    "relationType": "subsumes or partial (outcome relations)",
    "reason": "the outcome relation's reason",
    "vmboAssignment": "the vmbo assignment's code (vmbo mappings)",
    "vmboProgramme": "the vmbo programme's code (vmbo mappings)",
    "vmboCoverage": "full or partial (vmbo mappings)",
}


# --- keys and identifiers ---------------------------------------------------------------------


def document_key(qualification: str) -> str:
    """The key of a qualification's CFDocument.

    >>> document_key("Q-VP")
    'document:Q-VP'
    """
    return f"document:{qualification}"


def unit_key(code: str) -> str:
    return f"item:unit:{code}"


def outcome_key(code: str) -> str:
    return f"item:outcome:{code}"


def association_key(association_type: str, origin: str, destination: str) -> str:
    """The key of an association between two keyed nodes (codes never hold ``>``).

    >>> association_key("precedes", unit_key("BC-1"), unit_key("BC-2"))
    'association:precedes:item:unit:BC-1>item:unit:BC-2'
    """
    return f"association:{association_type}:{origin}>{destination}"


def vmbo_assignment_key(code: str) -> str:
    return f"vmbo:assignment:{code}"


@dataclass(frozen=True, slots=True)
class Node:
    """A CASE node reference: ``{title, identifier, uri}`` (LinkURI / LinkGenURI)."""

    title: str
    identifier: str
    uri: str

    def link(self) -> dict[str, str]:
        return {"title": self.title, "identifier": self.identifier, "uri": self.uri}


@dataclass(frozen=True, slots=True)
class KeptIdentifier:
    """A CASE identifier and uri kept from an imported package."""

    identifier: str
    uri: str


def namespace(base_url: str) -> uuid.UUID:
    """The UUID v5 namespace of a registry: ``uuid5(NAMESPACE_URL, base_url)``.

    >>> str(namespace("http://127.0.0.1:8000"))
    'd7887efb-3bc6-5c21-b723-931f7aa79cf7'
    """
    return uuid.uuid5(uuid.NAMESPACE_URL, base_url.rstrip("/"))


class Identifiers:
    """Identifier and uri of every key: the kept ones, else derived from the base URL.

    >>> ids = Identifiers("http://127.0.0.1:8000")
    >>> key = "item:unit:BC-1"
    >>> ids.identifier(key) == str(uuid.uuid5(namespace(ids.base_url), key))
    True
    >>> ids.uri("item:unit:BC-1").startswith("http://127.0.0.1:8000/api/case/v1p0/CFItems/")
    True
    >>> kept = Identifiers("http://x", {"item:unit:BC-1": KeptIdentifier("abc", "http://y/abc")})
    >>> kept.identifier("item:unit:BC-1"), kept.uri("item:unit:BC-1")
    ('abc', 'http://y/abc')
    """

    COLLECTIONS = {"document": "CFDocuments", "item": "CFItems", "association": "CFAssociations"}

    def __init__(self, base_url: str, kept: Mapping[str, KeptIdentifier] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.kept = dict(kept or {})
        self._namespace = namespace(self.base_url)
        #: Every key whose identifier was asked for (what an export may have kept).
        self.used: set[str] = set()

    def derived(self, key: str) -> str:
        return str(uuid.uuid5(self._namespace, key))

    def identifier(self, key: str) -> str:
        self.used.add(key)
        kept = self.kept.get(key)
        return kept.identifier if kept else self.derived(key)

    def derived_uri(self, key: str, identifier: str | None = None) -> str:
        kind = key.split(":", 1)[0]
        if kind == "vmbo":
            return f"{self.base_url}/api/vmbo/assignments/{key.rsplit(':', 1)[1]}"
        collection = self.COLLECTIONS[kind]
        return f"{self.base_url}{CASE_PATH}/{collection}/{identifier or self.derived(key)}"

    def uri(self, key: str) -> str:
        kept = self.kept.get(key)
        return kept.uri if kept else self.derived_uri(key)

    def node(self, key: str, title: str) -> Node:
        return Node(title, self.identifier(key), self.uri(key))

    def package_uri(self, key: str) -> str:
        """Where this registry serves the package of the document `key`."""
        return f"{self.base_url}{CASE_PATH}/CFPackages/{self.identifier(key)}"


# --- export -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VmboLink:
    """A current vmbo mapping of an assignment onto one of the package's outcomes."""

    assignment: str
    assignment_title: str
    programme: str
    outcome: str
    coverage: str


@dataclass(frozen=True, slots=True)
class PackageSource:
    """What a CFPackage of one qualification is built from.

    `units` are the qualification's units (mandatory, then options), every unit of its
    prerequisite graph and every unit holding an outcome related to one of theirs; `relations`
    the outcome relations whose two ends are in the package.
    """

    qualification: Qualification
    units: Mapping[str, Unit]
    institutions: Mapping[str, Institution]
    prerequisites: Sequence[Prerequisite]
    relations: Sequence[OutcomeRelation]
    changed_at: str
    vmbo: Sequence[VmboLink] = ()


def _present(members: Mapping[str, Any]) -> dict[str, Any]:
    """The members whose value is not None (CASE members are never null here)."""
    return {name: value for name, value in members.items() if value is not None}


def package_units(qualification: Qualification, units: Iterable[str]) -> list[str]:
    """The package's unit order: mandatory, options, then the other units by code.

    >>> q = Qualification("Q", "Q", "mbo", units=("B", "A"))
    >>> package_units(q, ["Z", "A", "B", "C"])
    ['B', 'A', 'C', 'Z']
    """
    members = [*qualification.units, *qualification.electives.options]
    return list(dict.fromkeys([*members, *sorted(set(units) - set(members))]))


def build_package(source: PackageSource, ids: Identifiers) -> dict[str, Any]:
    """Return the CASE 1.0 CFPackage of `source`'s qualification.

    Raises
    ------
    KeyError
        If a unit or institution that `source` refers to is missing from it.
    """
    q, at = source.qualification, source.changed_at
    doc_key = document_key(q.code)
    document = ids.node(doc_key, q.title)
    publisher = source.institutions[q.institution] if q.institution else None
    named = sorted({q.institution or "", *(u.institution for u in source.units.values())} - {""})
    cf_document = _present(
        {
            "identifier": document.identifier,
            "uri": document.uri,
            "creator": publisher.name if publisher else "Leerlijn",
            "title": q.title,
            "lastChangeDateTime": at,
            "language": "nl",
            "CFPackageURI": Node(q.title, document.identifier, ids.package_uri(doc_key)).link(),
            "qualificationCode": q.code,
            "qualificationKind": q.kind,
            "nlqfLevel": q.nlqf_level,
            "eqfLevel": q.eqf_level,
            "crebo": q.crebo,
            "electiveRequiredHours": q.electives.required_hours,
            "institutionCode": q.institution,
            "institutions": [_institution(source.institutions[code]) for code in named],
        }
    )
    items: list[dict[str, Any]] = []
    associations: list[dict[str, Any]] = []
    nodes: dict[str, Node] = {doc_key: document}
    order = package_units(q, source.units)
    for code in order:
        unit = source.units[code]
        nodes[unit_key(code)] = ids.node(unit_key(code), unit.title)
        for outcome in unit.outcomes:
            nodes[outcome_key(outcome.code)] = ids.node(outcome_key(outcome.code), outcome.title)
        items += unit_items(unit, ids, at)

    def associate(kind: str, origin: str, destination: str, **extra: Any) -> None:
        key = association_key(kind, origin, destination)
        associations.append(
            _present(
                {
                    "identifier": ids.identifier(key),
                    "associationType": kind,
                    "uri": ids.uri(key),
                    "originNodeURI": nodes[origin].link(),
                    "destinationNodeURI": nodes[destination].link(),
                    "lastChangeDateTime": at,
                    **extra,
                }
            )
        )

    roles = [("mandatory", c) for c in q.units] + [("option", c) for c in q.electives.options]
    for position, (role, code) in enumerate(roles, start=1):
        associate("isChildOf", unit_key(code), doc_key, sequenceNumber=position, unitRole=role)
    for code in order:
        for position, outcome in enumerate(source.units[code].outcomes, start=1):
            associate(
                "isChildOf", outcome_key(outcome.code), unit_key(code), sequenceNumber=position
            )
    for p in sorted(source.prerequisites, key=lambda p: (p.requires, p.unit)):
        associate("precedes", unit_key(p.requires), unit_key(p.unit))
    for r in sorted(source.relations, key=lambda r: (r.from_outcome, r.to_outcome, r.type)):
        kind = RELATION_ASSOCIATIONS[r.type]
        origin, destination = outcome_key(r.from_outcome), outcome_key(r.to_outcome)
        associate(kind, origin, destination, relationType=r.type, reason=r.reason)
    for link in sorted(source.vmbo, key=lambda v: (v.assignment, v.outcome)):
        origin = vmbo_assignment_key(link.assignment)
        nodes.setdefault(origin, ids.node(origin, link.assignment_title))
        associate(
            COVERAGE_ASSOCIATIONS[link.coverage],
            origin,
            outcome_key(link.outcome),
            vmboAssignment=link.assignment,
            vmboProgramme=link.programme,
            vmboCoverage=link.coverage,
        )
    return {"CFDocument": cf_document, "CFItems": items, "CFAssociations": associations}


def _institution(institution: Institution) -> dict[str, Any]:
    return _present(
        {
            "code": institution.code,
            "name": institution.name,
            "kind": institution.kind,
            "brin": institution.brin,
        }
    )


def unit_items(unit: Unit, ids: Identifiers, changed_at: str) -> list[dict[str, Any]]:
    """The CFItems of `unit`: the unit itself, then its outcomes in their order."""
    return [
        _unit_item(unit, ids, changed_at),
        *(_outcome_item(unit, outcome.code, ids, changed_at) for outcome in unit.outcomes),
    ]


def _unit_item(unit: Unit, ids: Identifiers, at: str) -> dict[str, Any]:
    key = unit_key(unit.code)
    return _present(
        {
            "identifier": ids.identifier(key),
            "uri": ids.uri(key),
            "fullStatement": unit.title,
            "humanCodingScheme": unit.code,
            "CFItemType": UNIT_ITEM_TYPES[unit.kind],
            "notes": unit.description,
            "language": unit.language,
            "lastChangeDateTime": at,
            "unitKind": unit.kind,
            "studyLoadHours": unit.study_load_hours,
            "nlqfLevel": unit.nlqf_level,
            "institutionCode": unit.institution,
            "titleEn": unit.title_en,
        }
    )


def _outcome_item(unit: Unit, code: str, ids: Identifiers, at: str) -> dict[str, Any]:
    outcome = next(o for o in unit.outcomes if o.code == code)
    key = outcome_key(code)
    return _present(
        {
            "identifier": ids.identifier(key),
            "uri": ids.uri(key),
            "fullStatement": outcome.title,
            "humanCodingScheme": outcome.code,
            "CFItemType": OUTCOME_ITEM_TYPE,
            "notes": outcome.description,
            "language": unit.language,
            "lastChangeDateTime": at,
            "nlqfLevel": outcome.nlqf_level,
            "dossierCode": outcome.dossier_code,
        }
    )
