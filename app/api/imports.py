"""The registry import: POST /api/import, and the jobs large imports run as: GET /api/jobs/{id}."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from app.api import case
from app.domain.access import Principal
from app.domain.errors import InvalidData
from app.extensions import db
from app.request_context import current_actor, default_institution
from app.schemas.jobs import JobLinkSchema, JobSchema
from app.schemas.registry import (
    ImportReportSchema,
    ImportSchema,
    import_document,
    load_import_document,
    to_import_document,
)
from app.services import importer, jobs

blp = Blueprint("import", __name__, description="All-or-nothing, idempotent registry import")

JOB_LOCATION = {
    "Location": {"description": "URL of the job (as in the body)", "schema": {"type": "string"}}
}


#: ``?format=``: a registry import document (the default) or a CASE 1.0 package.
FORMAT_PARAMETER = {
    "name": "format",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": ["registry", "case"]},
    "description": "case: the body is a CASE 1.0 CFPackage (also taken so when it has a "
    "CFDocument member); synchronous and all or nothing, validated against the CASE 1.0 "
    "JSON Schema, errors pointing into the package (/CFItems/3/fullStatement)",
}


@blp.route("/import")
class ImportAction(MethodView):
    @blp.doc(
        requestBody={"required": True, "content": {"application/json": {"schema": ImportSchema}}},
        parameters=[FORMAT_PARAMETER],
    )
    @blp.response(200, ImportReportSchema)
    @blp.alt_response(
        202,
        schema=JobLinkSchema,
        headers=JOB_LOCATION,
        success=True,
        description="A large import (more items than LEERLIJN_IMPORT_JOB_THRESHOLD) runs as a "
        "job: GET its URL until its status is done (result: the import report) or failed.",
    )
    def post(self):
        """Import institutions, units, relations, prerequisites, qualifications and EPAs at once.

        Every error of the document is reported (field errors and unknown codes or cycles
        alike), and then nothing is written. A large document is checked and written by a job,
        in short steps, so that the service keeps answering meanwhile; its errors are the
        failed job's result, and a job that fails while writing removes what it wrote.
        """
        body, actor = request.get_json(silent=True), current_actor()
        if _is_case_package(body):
            return case.import_case(actor, body)
        if importer.package_size(body) > current_app.config["LEERLIJN_IMPORT_JOB_THRESHOLD"]:
            return _start_job(body, actor)
        return import_document(db.session, actor, body, default_institution())


def _is_case_package(body: Any) -> bool:
    """``?format=case``, or (without a format) a JSON object with a ``CFDocument`` member."""
    wanted = request.args.get("format")
    if wanted not in (None, "registry", "case"):
        raise InvalidData(
            [{"parameter": "format", "message": "must be one of: registry, case"}],
        )
    return wanted == "case" or (wanted is None and isinstance(body, dict) and "CFDocument" in body)


@blp.route("/jobs/<job_id>")
class JobResource(MethodView):
    @blp.response(200, JobSchema)
    def get(self, job_id: str):
        """A job's status, progress and result (for whoever started it, and admins)."""
        stale_after = current_app.config["LEERLIJN_JOB_STALE_SECONDS"]
        return jobs.read_job(db.session, current_actor(), job_id, stale_after)


def _start_job(body: Any, actor: Principal | None):  # type: ignore[no-untyped-def]
    """Record the job, start its thread, and answer 202 with its URL."""
    job = importer.begin_import_job(db.session, actor)
    assert actor is not None  # begin_import_job refuses an anonymous import
    work = partial(_import_in_steps, body, actor, default_institution())
    jobs.start_in_background(partial(Session, db.engine), job.id, actor, work)
    url = f"{current_app.config['LEERLIJN_BASE_URL']}/api/jobs/{job.id}"
    response = jsonify(JobLinkSchema().dump({"job": url}))
    response.status_code = 202
    response.headers["Location"] = url
    return response


def _import_in_steps(
    body: Any,
    actor: Principal,
    institution: str,
    session: Session,
    progress: importer.Progress,
) -> dict[str, Any]:
    """The job: load and check the whole document, then write it in steps."""
    data, field_errors, unparsed = load_import_document(body)
    document = to_import_document(data, institution)
    report = importer.import_registry_in_steps(
        session,
        actor,
        document,
        field_errors=field_errors,
        unparsed=unparsed,
        progress=progress,
    )
    return report.as_dict()
