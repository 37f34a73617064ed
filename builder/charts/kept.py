"""Chart templates kept on disk between builds, so a build that finds them never imports
Altair (a quarter of a second) nor runs it (tens of milliseconds a shape).

A template (``builder.charts.spec``) depends only on its :class:`~builder.charts.spec.BarShape`
and on the code that draws it: the builder's own files and Altair's version, which is what
:func:`builder.cache.code_key` hashes. So the templates are kept in a folder named after
that key inside the build cache (``.build-cache/chart-templates/<code key>/``), a JSON file a
shape; a build with other code finds no folder of its key, draws the templates again and
removes the folders of other keys. Nothing is kept unless a build names the folder
(:func:`keep_templates_in`): tests and single commands draw through Altair as before.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from builder.cache import code_key, write_atomic

FOLDER = "chart-templates"
_kept: dict[str, Path] = {}  # "folder": where this process keeps templates, if anywhere

Stored = tuple[dict[str, Any], dict[str, str]]  # the spec, and the marker of each slot


def keep_templates_in(folder: Path | None) -> None:
    """Keep chart templates in ``folder`` (a build's cache), or nowhere (None)."""
    _kept.pop("folder", None)
    if folder is not None:
        _kept["folder"] = folder


def _key_folder() -> Path | None:
    folder = _kept.get("folder")
    return None if folder is None else folder / code_key()


def _file_name(shape: object) -> str:
    return hashlib.sha256(repr(shape).encode()).hexdigest()[:32] + ".json"


def load(shape: object) -> Stored | None:
    """The spec and markers kept for ``shape`` by a build with the same code, if any."""
    folder = _key_folder()
    if folder is None:
        return None
    try:
        kept = json.loads((folder / _file_name(shape)).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("shape") != repr(shape):
        return None
    spec, markers = kept.get("spec"), kept.get("markers")
    if not isinstance(spec, dict) or not isinstance(markers, dict):
        return None
    return spec, markers


def save(shape: object, spec: dict[str, Any], markers: dict[str, str]) -> None:
    """Keep the template of ``shape`` for the next build (nothing if no folder is named or
    it cannot be written; the templates of other code are removed)."""
    folder = _key_folder()
    if folder is None:
        return
    try:
        if not folder.is_dir():
            folder.parent.mkdir(exist_ok=True)  # in the build's cache, which must be there
            folder.mkdir()
            for other in folder.parent.iterdir():
                if other != folder:
                    shutil.rmtree(other, ignore_errors=True)
        kept = {"shape": repr(shape), "spec": spec, "markers": markers}
        write_atomic(folder / _file_name(shape), json.dumps(kept, ensure_ascii=False).encode())
    except OSError:
        return
