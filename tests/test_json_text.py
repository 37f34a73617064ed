"""builder.publish.json_text: the same text as ``json.dumps(value, ensure_ascii=False,
indent=2)``, which ``datapackage.json`` was written with."""

from __future__ import annotations

import json
from decimal import Decimal
from enum import IntEnum
from typing import Any

import pytest

from builder.publish.json_text import indented
from tests.conftest import CASES


class Level(IntEnum):
    HIGH = 3


def stdlib(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        "",
        0,
        None,
        {"a": [1, -2, 2.5, 1e300, float("nan"), float("-inf"), True, False, None, Level.HIGH]},
        {"text": 'é 金额 "quoted" \\ \n\r\t \x00 \x1f \x7f \u2028 😀'},
        {"empty": {}, "none": [], "tuple": (1, [{}], ()), "nested": [[[{"x": [{}]}]]]},
        {1: "int key", 2.5: "float key", False: "bool key", None: "None key", "s": "str key"},
    ],
)
def test_same_text_as_json_dumps(value: Any) -> None:
    assert indented(value) == stdlib(value)


def test_same_text_for_every_expected_descriptor() -> None:
    paths = sorted(CASES.glob("*/expected/package/datapackage.json"))
    assert paths
    for path in paths:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        assert indented(descriptor) + "\n" == path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("value", [Decimal("1.5"), {"a": {1.5j: 1}}, {"a": object()}])
def test_what_json_cannot_hold_is_the_same_error(value: Any) -> None:
    with pytest.raises(TypeError):
        stdlib(value)
    with pytest.raises(TypeError):
        indented(value)
