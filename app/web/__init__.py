"""Pages for people: server-rendered Dutch HTML (Jinja), no JavaScript needed.

The JSON API under /api serves programs; the blueprint `web` serves learners and employers:

``/``                          start page
``/leerlingen/<id>``           "Mijn leerpad": progress, graph, remaining units, plan, credentials
``/verifieren``                paste or upload a credential and see whether it is valid and what it means
``/credentials/<id>``          the public page of one issued credential (QR code, JSON download)
``/registry``                  units and qualifications: browse, search, edit (see `registry.py`)
``/vmbo/<programme>``          vmbo assignments × mbo outcomes, mapping form, overlap (see `vmbo.py`)

Errors on these paths are Dutch HTML pages (see `errors.py`); /api keeps its problem documents.
"""

from __future__ import annotations

from flask import Blueprint, Flask

#: Templates live in app/templates/web and the stylesheet in app/static (the app's own folders).
web = Blueprint("web", __name__)


def register_web(app: Flask) -> None:
    """Register the pages and make non-/api HTTP errors render as HTML pages."""
    from app.web import errors, filters, registry, views, vmbo  # noqa: F401  (routes and handlers on `web`)

    app.register_blueprint(web)
    app.extensions["leerlijn_error_page"] = errors.error_page
