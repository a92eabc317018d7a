"""Reading a CASE 1.0 CFPackage back as a registry import document (pure).

`read_package` maps a package onto the document ``POST /api/import`` takes, with the CASE
identifiers to keep and, for every part of that document, the JSON pointer into the package,
so that the registry import's own errors point into the package (``/CFItems/3/fullStatement``).
The member names and keys are those `app.domain.case` exports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain.case import (
    OUTCOME_ITEM_TYPE,
    UNIT_ITEM_TYPES,
    KeptIdentifier,
    association_key,
    document_key,
    outcome_key,
    unit_key,
)

#: CASE member ← registry field, per kind of item, for pointers into the package.
UNIT_MEMBERS = {
    "code": "humanCodingScheme",
    "title": "fullStatement",
    "description": "notes",
    "language": "language",
    "kind": "unitKind",
    "study_load_hours": "studyLoadHours",
    "nlqf_level": "nlqfLevel",
    "institution": "institutionCode",
    "title_en": "titleEn",
}
OUTCOME_MEMBERS = {
    "code": "humanCodingScheme",
    "title": "fullStatement",
    "description": "notes",
    "nlqf_level": "nlqfLevel",
    "dossier_code": "dossierCode",
}
QUALIFICATION_MEMBERS = {
    "code": "qualificationCode",
    "title": "title",
    "kind": "qualificationKind",
    "nlqf_level": "nlqfLevel",
    "eqf_level": "eqfLevel",
    "crebo": "crebo",
    "institution": "institutionCode",
    "electives": "electiveRequiredHours",
}
RELATION_MEMBERS = {"type": "relationType", "reason": "reason"}

#: An identifier the registry keeps: exactly a UUID (used with ``fullmatch``).
UUID_PATTERN = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
#: The longest ``uri`` the registry keeps (``case_identifiers.uri``, String(600)).
LONGEST_URI = 600


# --- import -----------------------------------------------------------------------------------


@dataclass(slots=True)
class CaseImport:
    """A CFPackage read as a registry import document.

    Attributes
    ----------
    qualification : str
        The code of the package's qualification.
    publisher : str
        The code of the institution that publishes it.
    document : dict
        The registry import document (``institutions``, ``units``, ``outcome_relations``,
        ``prerequisites``, ``qualifications``), for the import's own field checks.
    places : dict
        A pointer into `document` → (the pointer into the package, member names by field).
    identifiers : dict
        Key → the identifier and uri the package gives it.
    sources : dict
        Key → the pointer of the node or association that gives it.
    errors : list
        What does not map onto the registry, ``{"pointer", "message"}`` into the package.
    skipped : list
        Pointers of associations not imported (vmbo mappings, other association types, and
        matches with nodes outside the package; an ``isChildOf`` or ``precedes`` to such a
        node is an error: the package would be incomplete).
    """

    qualification: str = ""
    publisher: str = ""
    document: dict[str, Any] = field(default_factory=dict)
    places: dict[str, tuple[str, Mapping[str, str]]] = field(default_factory=dict)
    identifiers: dict[str, KeptIdentifier] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def error(self, pointer: str, message: str) -> None:
        self.errors.append({"pointer": pointer, "message": message})

    def pointer(self, registry_pointer: str) -> str:
        """Translate a pointer into `document` into one into the package.

        >>> found = CaseImport(places={"/units/0": ("/CFItems/4", UNIT_MEMBERS)})
        >>> found.pointer("/units/0/study_load_hours"), found.pointer("/units/0")
        ('/CFItems/4/studyLoadHours', '/CFItems/4')
        >>> found.pointer("/units/0/outcomes/1/title")
        '/CFItems/4'
        >>> found.pointer("/epas/0")
        '/'
        """
        parts = registry_pointer.split("/")
        for end in range(len(parts), 0, -1):
            prefix = "/".join(parts[:end])
            if prefix in self.places:
                target, members = self.places[prefix]
                rest = parts[end:]
                if rest and rest[0] in members:
                    return f"{target}/{members[rest[0]]}"
                return target
        return "/"


def institution_code_for(name: str) -> str:
    """A code for an institution known only by name (a package's ``creator``).

    >>> institution_code_for("ROC Zorg & Welzijn")
    'ROC-ZORG-WELZIJN'
    >>> institution_code_for("!!")
    'CASE-IMPORT'
    """
    code = re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")[:40].strip("-")
    return code or "CASE-IMPORT"


def read_package(
    package: Mapping[str, Any],
    institution_by_name: Callable[[str], str | None],
) -> CaseImport:
    """Map a schema-valid CFPackage onto a registry import document.

    Items are units or outcomes by their ``CFItemType`` (`UNIT_ITEM_TYPES`,
    `OUTCOME_ITEM_TYPE`) or their ``unitKind``; an outcome belongs to the unit it ``isChildOf``,
    a unit to the qualification when it ``isChildOf`` the document (``unitRole`` says mandatory
    or option), ``precedes`` between units is a prerequisite and ``exactMatchOf`` /
    ``isRelatedTo`` between outcomes an outcome relation. The publishing institution is the
    document's ``institutionCode``, else the institution named ``creator``
    (`institution_by_name`), else a new one with a code made from that name.

    Examples
    --------
    >>> found = read_package({"CFDocument": {"identifier": "d", "uri": "u", "creator": "X",
    ...     "title": "Q", "lastChangeDateTime": "t"}}, lambda name: None)
    >>> [error["pointer"] for error in found.errors]
    ['/CFDocument/qualificationCode']
    """
    found = CaseImport()
    doc = package["CFDocument"]
    code = doc.get("qualificationCode")
    if not isinstance(code, str) or not code:
        found.error(
            "/CFDocument/qualificationCode",
            "missing: the code of the qualification (an extension member of this registry)",
        )
        return found
    found.qualification = code
    _keep(found, document_key(code), doc, "/CFDocument")
    publisher = _publisher(found, doc, institution_by_name)
    found.publisher = publisher["code"]
    nodes: dict[str, tuple[str, str, int]] = {doc["identifier"]: ("document", code, -1)}
    units: dict[str, dict[str, Any]] = {}
    unit_items: dict[str, int] = {}
    outcomes: dict[str, dict[str, Any]] = {}
    outcome_items: dict[str, int] = {}
    for index, item in enumerate(package.get("CFItems", [])):
        where = f"/CFItems/{index}"
        kind = _item_kind(item)
        item_code = item.get("humanCodingScheme")
        if kind is None:
            known = ", ".join([*UNIT_ITEM_TYPES.values(), OUTCOME_ITEM_TYPE])
            found.error(f"{where}/CFItemType", f"unknown item type; expected one of: {known}")
            continue
        if not isinstance(item_code, str) or not item_code:
            found.error(f"{where}/humanCodingScheme", "missing: the item's code")
            continue
        key = outcome_key(item_code) if kind == "outcome" else unit_key(item_code)
        if item["identifier"] in nodes:
            found.error(f"{where}/identifier", "this identifier names another node too")
            continue
        if key in found.identifiers:
            found.error(f"{where}/humanCodingScheme", f"'{item_code}' appears twice")
            continue
        _keep(found, key, item, where)
        nodes[item["identifier"]] = (kind, item_code, index)
        if kind == "outcome":
            outcomes[item_code] = _outcome(item)
            outcome_items[item_code] = index
        else:
            units[item_code] = _unit(item, kind, publisher)
            unit_items[item_code] = index
    members: list[tuple[int, str, str, int]] = []
    children: dict[str, list[tuple[int, str]]] = {code: [] for code in units}
    parent: dict[str, str] = {}
    prerequisites: list[tuple[dict[str, str], int]] = []
    relations: list[tuple[dict[str, Any], int]] = []
    for index, association in enumerate(package.get("CFAssociations", [])):
        where = f"/CFAssociations/{index}"
        origin = nodes.get(association["originNodeURI"]["identifier"])
        destination = nodes.get(association["destinationNodeURI"]["identifier"])
        kind = association["associationType"]
        if kind in ("isChildOf", "precedes") and (origin is None or destination is None):
            end = "originNodeURI" if origin is None else "destinationNodeURI"
            found.error(f"{where}/{end}", "not a node of this package (nor its document)")
            continue
        if origin is None or destination is None or "vmboAssignment" in association:
            found.skipped.append(where)  # e.g. a match with another framework's item
            continue
        ends = (origin[0], destination[0])
        sequence = association.get("sequenceNumber", index)
        origin_key, destination_key = _node_key(origin), _node_key(destination)
        if kind == "isChildOf" and ends == ("outcome", "document"):
            found.error(where, "an outcome must be a child of a unit, not of the document")
            continue
        if kind == "isChildOf" and destination[0] == "document":
            role = association.get("unitRole", "mandatory")
            if role not in ("mandatory", "option"):
                found.error(f"{where}/unitRole", "must be 'mandatory' or 'option'")
                continue
            members.append((sequence, role, origin[1], index))
        elif kind == "isChildOf" and ends[0] == "outcome" and ends[1] != "outcome":
            if origin[1] in parent and parent[origin[1]] != destination[1]:
                found.error(where, f"outcome '{origin[1]}' is a child of two units")
                continue
            parent[origin[1]] = destination[1]
            children[destination[1]].append((sequence, origin[1]))
        elif kind == "precedes" and "outcome" not in ends and "document" not in ends:
            prerequisites.append(({"unit": destination[1], "requires": origin[1]}, index))
        elif kind in ("exactMatchOf", "isRelatedTo") and ends == ("outcome", "outcome"):
            default = "subsumes" if kind == "exactMatchOf" else "partial"
            relation = {"from": origin[1], "to": destination[1]}
            relation["type"] = association.get("relationType", default)
            if "reason" in association:
                relation["reason"] = association["reason"]
            relations.append((relation, index))
        else:
            found.skipped.append(where)
            continue
        key = association_key(kind, origin_key, destination_key)
        if key in found.identifiers:
            found.error(where, "the same association appears twice")
            continue
        _keep(found, key, association, where)
    for outcome_code, index in outcome_items.items():
        if outcome_code not in parent:
            found.error(f"/CFItems/{index}", "an outcome must be the child (isChildOf) of a unit")
    document_units = []
    for position, (unit_code, unit) in enumerate(units.items()):
        place = f"/units/{position}"
        found.places[place] = (f"/CFItems/{unit_items[unit_code]}", UNIT_MEMBERS)
        found.places[f"{place}/outcomes"] = (f"/CFItems/{unit_items[unit_code]}", {})
        ordered = [o for _, o in sorted(children[unit_code], key=lambda pair: pair[0])]
        for number, outcome_code in enumerate(ordered):
            target = f"/CFItems/{outcome_items[outcome_code]}"
            found.places[f"{place}/outcomes/{number}"] = (target, OUTCOME_MEMBERS)
        document_units.append({**unit, "outcomes": [outcomes[o] for o in ordered]})
    found.document = {
        "institutions": publisher["institutions"],
        "units": document_units,
        "prerequisites": [p for p, _ in prerequisites],
        "outcome_relations": [r for r, _ in relations],
        "qualifications": [_qualification(found, doc, code, publisher["code"], members)],
    }
    for number, (_, index) in enumerate(prerequisites):
        found.places[f"/prerequisites/{number}"] = (f"/CFAssociations/{index}", {})
    for number, (_, index) in enumerate(relations):
        found.places[f"/outcome_relations/{number}"] = (
            f"/CFAssociations/{index}",
            RELATION_MEMBERS,
        )
    return found


def _node_key(node: tuple[str, str, int]) -> str:
    kind, code, _ = node
    if kind == "document":
        return document_key(code)
    return outcome_key(code) if kind == "outcome" else unit_key(code)


def _keep(found: CaseImport, key: str, node: Mapping[str, Any], where: str) -> None:
    identifier = node["identifier"]
    if not UUID_PATTERN.fullmatch(identifier):
        found.error(f"{where}/identifier", "must be a UUID (8-4-4-4-12 hexadecimal digits)")
        return
    if len(node["uri"]) > LONGEST_URI:
        found.error(f"{where}/uri", f"longer than {LONGEST_URI} characters")
        return
    found.identifiers[key] = KeptIdentifier(identifier, node["uri"])
    found.sources[key] = where


def _publisher(
    found: CaseImport, doc: Mapping[str, Any], institution_by_name: Callable[[str], str | None]
) -> dict[str, Any]:
    """The publishing institution's code and the institutions the package describes."""
    creator = doc["creator"]
    code = doc.get("institutionCode")
    if not isinstance(code, str) or not code:
        code = institution_by_name(creator) or institution_code_for(creator)
    described = doc.get("institutions")
    institutions = list(described) if isinstance(described, list) else []
    for position in range(len(institutions)):
        found.places[f"/institutions/{position}"] = (f"/CFDocument/institutions/{position}", {})
    if not any(isinstance(i, dict) and i.get("code") == code for i in institutions):
        found.places[f"/institutions/{len(institutions)}"] = (
            "/CFDocument",
            {"name": "creator", "code": "institutionCode"},
        )
        institutions.append({"code": code, "name": creator, "kind": "mbo"})
    return {"code": code, "institutions": institutions}


def _item_kind(item: Mapping[str, Any]) -> str | None:
    kind = item.get("unitKind")
    if isinstance(kind, str) and kind in UNIT_ITEM_TYPES:
        return kind
    label = item.get("CFItemType")
    if label == OUTCOME_ITEM_TYPE:
        return "outcome"
    return next((k for k, text in UNIT_ITEM_TYPES.items() if text == label), None)


def _unit(item: Mapping[str, Any], kind: str, publisher: Mapping[str, Any]) -> dict[str, Any]:
    unit: dict[str, Any] = {
        "code": item["humanCodingScheme"],
        "kind": kind,
        "title": item["fullStatement"],
        "institution": item.get("institutionCode", publisher["code"]),
        "language": item.get("language", "nl"),
    }
    for member, name in (
        ("notes", "description"),
        ("studyLoadHours", "study_load_hours"),
        ("nlqfLevel", "nlqf_level"),
        ("titleEn", "title_en"),
    ):
        if member in item:
            unit[name] = item[member]
    return unit


def _outcome(item: Mapping[str, Any]) -> dict[str, Any]:
    outcome: dict[str, Any] = {"code": item["humanCodingScheme"], "title": item["fullStatement"]}
    for member, name in (
        ("notes", "description"),
        ("nlqfLevel", "nlqf_level"),
        ("dossierCode", "dossier_code"),
    ):
        if member in item:
            outcome[name] = item[member]
    return outcome


def _qualification(
    found: CaseImport,
    doc: Mapping[str, Any],
    code: str,
    institution: str,
    members: Sequence[tuple[int, str, str, int]],
) -> dict[str, Any]:
    ordered = sorted(members, key=lambda m: m[0])
    mandatory = [(unit, index) for _, role, unit, index in ordered if role == "mandatory"]
    options = [(unit, index) for _, role, unit, index in ordered if role == "option"]
    found.places["/qualifications/0"] = ("/CFDocument", QUALIFICATION_MEMBERS)
    for number, (_, index) in enumerate(mandatory):
        found.places[f"/qualifications/0/units/{number}"] = (f"/CFAssociations/{index}", {})
    for number, (_, index) in enumerate(options):
        place = f"/qualifications/0/electives/options/{number}"
        found.places[place] = (f"/CFAssociations/{index}", {})
    qualification: dict[str, Any] = {
        "code": code,
        "title": doc["title"],
        "kind": doc.get("qualificationKind", "mbo"),
        "institution": doc.get("institutionCode", institution),
        "units": [unit for unit, _ in mandatory],
        "electives": {
            "required_hours": doc.get("electiveRequiredHours", 0),
            "options": [unit for unit, _ in options],
        },
    }
    for member, name in (
        ("nlqfLevel", "nlqf_level"),
        ("eqfLevel", "eqf_level"),
        ("crebo", "crebo"),
    ):
        if member in doc:
            qualification[name] = doc[member]
    return qualification
