"""The blueprint `web` that every page module adds its routes and handlers to."""

from __future__ import annotations

from flask import Blueprint

#: Templates live in app/templates and the stylesheet in app/static (the app's own folders).
web = Blueprint("web", __name__)
