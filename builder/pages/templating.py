"""Page sections from Jinja2 templates (``builder/pages/templates/*.j2``).

Every value a template prints goes through :func:`builder.pages.markup.text` unless it is
:class:`markupsafe.Markup`: the environment's ``finalize`` turns any other value into
escaped text (HTML entities for ``& < > " '`` and numeric references for every character
with a Markdown meaning, ``|`` of table cells included), and autoescaping then leaves it
alone. So a template cannot print disclosure text unescaped by forgetting a filter; what
is already safe (a link we generated, a fragment another section rendered) is marked by
wrapping it in ``Markup`` in Python, never with ``|safe`` in a template. An HTML
attribute value goes through the ``attr`` filter instead (HTML escaping only).

The filters format amounts and links the same way the rest of the pages do. Every
template also sees the declared words it may print (read when it is rendered, so a label
changed in its declaration changes the page): ``UNIT`` (万元), ``phase`` (the 三公 phases:
``phase.budget`` 预算数, ``phase.final`` 决算数) and ``group`` (``group.personnel`` 人员经费,
``group.public`` 公用经费).
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from builder import declarations
from builder.pages.markup import UNIT_10K as UNIT
from builder.pages.markup import amount, attr, md_link, number, percent, text


def _finalize(value: object) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup(text(value))  # safe: text() escapes HTML and Markdown


def _link(label: object, target: str) -> Markup:
    """A Markdown link to a path we generated; the label is escaped."""
    return Markup(md_link(str(label), target))  # safe: md_link escapes the label


def _attribute(value: object) -> Markup:
    """A value for a double-quoted HTML attribute (HTML-escaped; Markdown does not parse
    attributes, so its characters stay as they are: ids and URLs keep their ``_``)."""
    return Markup(attr(value))  # safe: attr() escapes & < > " '


def _amount(value: Decimal | None, unit: str = UNIT) -> str:
    return amount(value, unit) or "—"


def _number(value: Decimal | int | None) -> str:
    return number(value) or "—"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("builder.pages", "templates"),
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # the package's templates: no stat of the file at every render
    )
    env.filters["amount"] = _amount
    env.filters["number"] = _number
    env.filters["percent"] = percent
    env.filters["link"] = _link
    env.filters["attr"] = _attribute
    return env


def render(name: str, **context: Any) -> str:
    """The template ``name`` rendered with ``context`` and the declared words."""
    declared = {
        "UNIT": declarations.PUBLISHED_MONEY_UNIT,
        "phase": declarations.labels("three_public_costs", "phase"),
        "group": declarations.labels("basic_expenditure_by_economic", "expense_group"),
    }
    return environment().get_template(name).render(**declared, **context)
