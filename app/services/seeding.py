"""Loads the data files in `seed/` through the same services the API uses; idempotent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.domain.access import Principal, Target
from app.domain.model import SupervisionLevel
from app.persistence import registry_repository as repo
from app.schemas.registry import import_document
from app.services import registry
from app.services.access import authorize


def read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def load_registry_file(
    session: Session, actor: Principal | None, path: Path, default_institution: str
) -> dict[str, Any]:
    """Import one registry document (the `POST /api/import` format) from `path`."""
    return import_document(session, actor, read_json(path), default_institution)


def load_supervision_levels(session: Session, actor: Principal | None, path: Path) -> list[int]:
    """Store the fixed supervision scale (an admin's task); returns the levels that changed."""
    authorize(session, actor, "institution.write", Target("supervision-scale"))
    changed = []
    stored = {level.level: level for level in repo.supervision_levels(session)}
    for item in read_json(path):
        level = SupervisionLevel(item["level"], item["label_nl"], item["label_en"], item["group"])
        if stored.get(level.level) != level:
            repo.save_supervision_level(session, level)
            changed.append(level.level)
    session.commit()
    return changed


def trust_seed_institutions(session: Session, actor: Principal | None, path: Path) -> list[str]:
    """The seed's institutions are this registry's own: mark them trusted (once)."""
    changed = []
    for item in read_json(path).get("institutions", []):
        if not registry.get_institution(session, item["code"]).trusted:
            registry.set_institution_trust(session, actor, item["code"], True)
            changed.append(item["code"])
    return changed


def load_vmbo_file(session: Session, actor: Principal | None, path: Path) -> dict[str, Any]:
    """Load vmbo programmes, assignments, mappings and routes (the seed/vmbo.json format)."""
    from app.schemas.vmbo import load_vmbo_document
    from app.services.vmbo import import_vmbo

    return import_vmbo(session, actor, load_vmbo_document(read_json(path))).as_dict()


def load_demo_learners(
    session: Session, actor: Principal | None, path: Path, default_institution: str
) -> list[str]:
    """Create the demo learners that do not exist yet (matched by external_id).

    Returns the ids of the learners created.
    """
    from app.persistence.learner_repository import find_learner_by_external_id
    from app.schemas.learners import (
        DiplomaInSchema,
        EnrolmentSchema,
        EntrustmentInSchema,
        EvidenceInSchema,
    )
    from app.schemas.vmbo import CompletionInSchema
    from app.services import learner_details, learners, vmbo

    created = []
    for item in read_json(path)["learners"]:
        institution = item.get("institution") or default_institution
        if find_learner_by_external_id(session, institution, item["external_id"]):
            continue
        learner = learner_details.create_learner(
            session, actor, item["name"], institution, item["external_id"]
        )
        for enrolment in item.get("enrolments", []):
            learners.enrol(session, actor, learner.id, EnrolmentSchema().load(enrolment))
        for diploma in item.get("diplomas", []):
            learners.record_diploma(session, actor, learner.id, DiplomaInSchema().load(diploma))
        if item.get("evidence"):
            learners.record_evidence(
                session,
                actor,
                learner.id,
                EvidenceInSchema(many=True).load(item["evidence"]),
                as_list=True,
            )
        for entrustment in item.get("entrustments", []):
            learners.record_entrustment(
                session, actor, learner.id, EntrustmentInSchema().load(entrustment)
            )
        for completion in item.get("vmbo_completions", []):
            vmbo.record_completion(
                session, actor, learner.id, CompletionInSchema().load(completion)
            )
        created.append(learner.id)
    return created


def load_seed(
    session: Session, actor: Principal | None, seed_dir: Path, default_institution: str
) -> dict[str, Any]:
    """Load every seed file in dependency order and return what each step reported."""
    report: dict[str, Any] = {
        "supervision_levels": load_supervision_levels(
            session, actor, seed_dir / "supervision_levels.json"
        ),
        "registry": load_registry_file(
            session, actor, seed_dir / "registry.json", default_institution
        ),
    }
    report["trusted"] = trust_seed_institutions(session, actor, seed_dir / "registry.json")
    if (seed_dir / "vmbo.json").exists():
        report["vmbo"] = load_vmbo_file(session, actor, seed_dir / "vmbo.json")
    report["learners"] = load_demo_learners(
        session, actor, seed_dir / "learners.json", default_institution
    )
    if (seed_dir / "placements.json").exists():
        from app.services.placement_seed import load_placements

        path = seed_dir / "placements.json"
        report["learners"] += load_demo_learners(session, actor, path, default_institution)
        report["placements"] = load_placements(session, actor, path, default_institution, read_json)
    return report


def summarize(report: dict[str, Any]) -> str:
    """One line per step: how many items were created / updated / unchanged."""
    lines = []
    for step, value in report.items():
        if isinstance(value, dict) and "created" in value:
            counts = {
                bucket: sum(len(codes) for codes in value[bucket].values()) for bucket in value
            }
            lines.append(f"{step}: " + ", ".join(f"{n} {bucket}" for bucket, n in counts.items()))
        else:
            lines.append(f"{step}: {len(value)} changed")
    return "\n".join(lines)
