"""The generated HTML site, served from its folder without ever leaving it."""

from __future__ import annotations

import mimetypes
import urllib.parse
from pathlib import Path

from werkzeug.utils import send_file
from werkzeug.wrappers import Response

__all__ = ["resolve_static", "static_response"]


def resolve_static(root: Path, url_path: str) -> Path | None:
    """The file under ``root`` that ``url_path`` names, or None.

    The path is percent-decoded once; any ``..``, backslash, NUL or absolute component is refused
    outright, and the resolved file (symlinks followed) must still lie inside ``root``. A folder
    maps to its ``index.html``.
    """
    decoded = urllib.parse.unquote(url_path)
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = [p for p in decoded.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    candidate = root.joinpath(*parts) if parts else root
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if resolved.is_dir():
        resolved = resolved / "index.html"
        if not resolved.is_file():
            return None
    if not resolved.is_relative_to(root) or not resolved.is_file():
        return None
    return resolved


def static_response(target: Path, environ: dict) -> Response:
    """``target`` as a response with ETag, Last-Modified, Range and HEAD handled by werkzeug.

    Raises werkzeug's RequestedRangeNotSatisfiable for a Range it cannot serve (``bytes=-0``, a
    start past the end, more than one range); the app answers that with a 416.
    """
    ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
        ctype += "; charset=utf-8"
    return send_file(target, environ, mimetype=ctype, conditional=True, etag=True, max_age=None)
