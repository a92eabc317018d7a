"""HTML to PDF with WeasyPrint, reading nothing but the app's own static files.

WeasyPrint needs Pango (and HarfBuzz, fontconfig) from the operating system. Without them
`weasyprint` cannot be imported; `html_to_pdf` then raises `PdfUnavailable`, and the pages
answer that printing through the browser still works. The document's stylesheets are read
from the static folder (`static_file`): no request ever leaves the process, so a page cannot
make the server fetch an address.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = ["PdfUnavailable", "html_to_pdf", "static_file"]


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango) are not installed."""


def static_file(static_folder: Path, static_url_path: str, url: str) -> Path:
    """Return the file under `static_folder` that `url` names, whatever its host.

    Parameters
    ----------
    static_folder : Path
        The app's folder of static files.
    static_url_path : str
        The path they are served under (``/static``).
    url : str
        An address a document refers to.

    Returns
    -------
    Path

    Raises
    ------
    ValueError
        If `url` names no file of the folder (another path, or one leaving the folder).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.css").write_text("p { color: red }")
    >>> static_file(folder, "/static", "http://127.0.0.1:8000/static/a.css").read_text()
    'p { color: red }'
    >>> static_file(folder, "/static", "http://example.org/static/../../etc/passwd")
    Traceback (most recent call last):
    ValueError: not a static file of this app: http://example.org/static/../../etc/passwd
    """
    root = static_folder.resolve()
    prefix = static_url_path.rstrip("/") + "/"
    path = unquote(urlsplit(url).path)
    if path.startswith(prefix):
        candidate = (root / path[len(prefix) :]).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    raise ValueError(f"not a static file of this app: {url}")


def html_to_pdf(html: str, base_url: str, static_folder: Path, static_url_path: str) -> bytes:
    """Render `html` (print media) to PDF bytes; it may refer only to static files.

    Raises
    ------
    PdfUnavailable
        If WeasyPrint or Pango cannot be loaded on this machine.
    """
    try:
        import weasyprint  # type: ignore[import-untyped]
        from weasyprint.urls import (  # type: ignore[import-untyped]
            URLFetcher,
            URLFetcherResponse,
        )
    except (ImportError, OSError) as error:  # OSError: Pango's shared library is missing
        raise PdfUnavailable(str(error)) from error

    class StaticFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            found = static_file(static_folder, static_url_path, url)
            mime, _ = mimetypes.guess_type(found.name)
            return URLFetcherResponse(
                url, found.read_bytes(), {"Content-Type": mime or "application/octet-stream"}
            )

    # The pages' style sheets are written for browsers (media queries, SVG properties):
    # WeasyPrint skips what it does not know, and would log each skipped rule on every PDF.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=StaticFetcher())
    pdf: bytes = document.write_pdf()
    return pdf
