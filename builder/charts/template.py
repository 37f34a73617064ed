"""Spec templates: a spec built once with sentinel slots, then filled in per chart.

Building a chart through Altair costs tens of milliseconds, nearly all of it spent on
Altair's objects rather than on the data. A :class:`Template` is a spec that Altair built
once with a :func:`sentinel` string in place of every part that varies from chart to
chart; :meth:`Template.fill` then makes each chart's spec by copying the template with
the real parts put in:

- a string that *is* a marker (a sentinel, or any other string the template was given,
  such as the dataset name Altair derived from a sentinel) becomes the marker's value,
  whatever its type (a list, a float, ``None``); dictionary keys too;
- a sentinel *inside* a longer string (``"纵轴：<sentinel>"``) is replaced by its value,
  which must then be a string.

The filled-in values are put in as given (as Altair does with inline data) and never
searched for markers themselves, so a value may contain anything, sentinels included.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_OPEN = "\ue000"  # private-use characters: no published text contains them
_CLOSE = "\ue001"
_SENTINEL = re.compile(f"{_OPEN}[a-z_]+{_CLOSE}")


def sentinel(name: str) -> str:
    """The placeholder string of the slot ``name`` (lower-case letters and underscores)."""
    marker = f"{_OPEN}{name}{_CLOSE}"
    if not _SENTINEL.fullmatch(marker):
        msg = f"slot names are lower-case letters and underscores, not {name!r}"
        raise ValueError(msg)
    return marker


class Template:
    """A spec with markers, filled in per chart by :meth:`fill`."""

    def __init__(self, spec: dict[str, Any], markers: frozenset[str]) -> None:
        found: set[str] = set()
        _collect(spec, markers, found)
        if found != markers:
            # Altair dropped or rewrote a placeholder, or left one we do not fill.
            msg = f"template markers do not match: missing {sorted(markers - found)!r}"
            raise ValueError(msg)
        self._spec = spec
        self.markers = markers

    def fill(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """A fresh copy of the spec with every marker replaced by ``values[marker]``."""
        if values.keys() != self.markers:
            msg = f"fill needs exactly the markers {sorted(self.markers)!r}"
            raise ValueError(msg)

        def embed(match: re.Match[str]) -> str:
            value = values[match.group(0)]
            if not isinstance(value, str):
                msg = f"{match.group(0)!r} sits inside a string; its value must be a string"
                raise TypeError(msg)
            return value

        def copy(node: Any) -> Any:
            if isinstance(node, str):
                if node in values:
                    return values[node]
                return _SENTINEL.sub(embed, node) if _OPEN in node else node
            if isinstance(node, dict):
                return {copy(key): copy(item) for key, item in node.items()}
            if isinstance(node, list):
                return [copy(item) for item in node]
            return node

        filled: dict[str, Any] = copy(self._spec)
        return filled


def _collect(node: Any, markers: frozenset[str], found: set[str]) -> None:
    """Add to ``found`` the markers in ``node``; fail on a sentinel that is not a marker."""
    if isinstance(node, str):
        if node in markers:
            found.add(node)
            return
        for match in _SENTINEL.finditer(node):
            if match.group(0) not in markers:
                msg = f"unknown sentinel {match.group(0)!r} in the template"
                raise ValueError(msg)
            found.add(match.group(0))
    elif isinstance(node, dict):
        for key, item in node.items():
            _collect(key, markers, found)
            _collect(item, markers, found)
    elif isinstance(node, list):
        for item in node:
            _collect(item, markers, found)
