"""The projected pension (EP61) as figures and as a bar chart drawn on the server.

The chart is plain SVG (no script, no inline style: the template gives its parts CSS classes), a bar per
capital with its label and amount written above it, so that it reads without colour. Its text alternative and
the table next to it state the same figures (`projection_parts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.agencies import vsaa_statements as vs
from portal.statements.formats import day, money, years_months
from portal.web.i18n import format_money, gettext, ngettext

WIDTH = 600  # the viewBox's width; the picture scales with the page (CSS)
ROW = 76  # a label line and its bar
BAR = 30
LABEL_BASELINE = 26


@dataclass(frozen=True)
class Part:
    label: str
    value: str


@dataclass(frozen=True)
class Bar:
    css: str  # a modifier of the CSS class `chart__bar`
    text: str  # the label and amount written above the bar
    y: int  # the top of its row
    width: int

    @property
    def label_y(self) -> int:
        return self.y + LABEL_BASELINE

    @property
    def bar_y(self) -> int:
        return self.y + LABEL_BASELINE + 10


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    description: str  # the text alternative: every figure the picture shows, and what follows from them

    @property
    def height(self) -> int:
        return len(self.bars) * ROW

    @property
    def view_box(self) -> str:
        return f"0 0 {WIDTH} {self.height}"


def _together(data: vs.EP61Data) -> Decimal | None:
    amounts = [m.amount for m in (data.pillar1_capital, data.pillar2_capital) if m is not None]
    return sum(amounts, Decimal(0)) if amounts else None


def _months(count: int) -> str:
    months = ngettext("%(num)d month", "%(num)d months", count) % {"num": count}
    return gettext("%(months)s (%(duration)s)") % {"months": months, "duration": years_months(count // 12, count % 12)}


def projection_parts(data: vs.EP61Data) -> list[Part]:
    """The figures of the projection, in the order they are counted."""
    parts = []
    if data.pillar1_capital is not None:
        parts.append(Part(gettext("Pillar-1 pension capital"), money(data.pillar1_capital)))
    if data.pillar2_capital is not None:
        parts.append(Part(gettext("Pillar-2 capital"), money(data.pillar2_capital)))
    together = _together(data)
    if data.pillar1_capital is not None and data.pillar2_capital is not None and together is not None:
        parts.append(Part(gettext("Capital together"), format_money(together)))
    if data.life_expectancy_months is not None:
        parts.append(Part(gettext("Expected time a pension is paid"), _months(data.life_expectancy_months)))
    parts.append(Part(gettext("Monthly pension"), money(data.monthly_amount)))
    label = gettext("Retirement date") if data.status == "projected" else gettext("Pension since")
    parts.append(Part(label, day(data.retirement_date)))
    return parts


def projection_chart(data: vs.EP61Data) -> Chart | None:
    """The capitals as bars (pillar 1, pillar 2, together); None when VSAA gave no capital to draw."""
    bars_of = [("pillar1", gettext("Pillar-1 pension capital"), data.pillar1_capital)]
    bars_of.append(("pillar2", gettext("Pillar-2 capital"), data.pillar2_capital))
    together = _together(data)
    if data.pillar1_capital is not None and data.pillar2_capital is not None and together is not None:
        bars_of.append(("together", gettext("Capital together"), vs.Money(amount=together, currency="EUR")))
    shown = [(css, name, m) for css, name, m in bars_of if m is not None]
    largest = max((m.amount for _, _, m in shown), default=Decimal(0))
    if largest <= 0:
        return None
    bars = tuple(
        Bar(
            css,
            gettext("%(name)s: %(amount)s") % {"name": name, "amount": money(m)},
            index * ROW,
            max(1, round(WIDTH * m.amount / largest)) if m.amount > 0 else 0,
        )
        for index, (css, name, m) in enumerate(shown)
    )
    figures = "; ".join(bar.text for bar in bars)
    return Chart(
        bars, gettext("Bar chart of the capital your pension is counted from. %(figures)s.") % {"figures": figures}
    )
