"""Pages for people: server-rendered Dutch HTML (Jinja), no JavaScript needed.

The JSON API under /api serves programs; the blueprint `web` serves learners and employers:

``/``                          start page
``/leerlingen/<id>``           "Mijn leerpad": progress, graph, remaining units, plan, credentials
``/verifieren``                paste or upload a credential: is it valid, and what does it say
``/credentials/<id>``          the public page of one issued credential (QR code, JSON download)
``/registry``                  units and qualifications: browse, search, edit
``/vmbo/<programme>``          vmbo assignments × mbo outcomes, mapping form, overlap
``/login``, ``/logout``        signing in (account or API token) and out; ``/mijn-leerpad``
``/beheer``                    school-admins: qualifications, staff and tokens, import
``/beheer/leerlingen``         assessors: learners, their record and credentials (``…/beheer``)

One module per page group (`learner_pages`, `credential_pages`, `registry_pages`, `vmbo_pages`,
`session_pages`), each adding its routes to the blueprint `app.web.blueprint.web`; view models
beside them (`path_view_model`, `graph_view`, `unit_form`, `credential_meaning`). Pages read
and write only through `app.services`. Errors on these paths are Dutch HTML pages (see
`errors.py`); /api keeps its problem documents.
"""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    """Register the pages and make non-/api HTTP errors render as HTML pages."""
    from app.web import (  # noqa: F401  (routes and handlers on `web`)
        assessor_credentials,
        assessor_pages,
        bulk_credential_pages,
        credential_pages,
        errors,
        filters,
        import_pages,
        learner_pages,
        placement_pages,
        registry_pages,
        school_admin_pages,
        session_pages,
        staff_pages,
        vmbo_edit_pages,
        vmbo_pages,
        wallet_pages,
    )
    from app.web.blueprint import web

    app.register_blueprint(web)
    app.extensions["leerlijn_error_page"] = errors.error_page
