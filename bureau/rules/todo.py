"""
What a station is expected to do, computed from the registry, never typed: the station's to-do
list (待办), the bureau's and the leadership's completeness table (per township: expected / done /
late) and the notice that a station's period is complete read the same expectations.

An area declares its expectations on its AreaConfig, `todo = ("support_army.todo.homecoming", …)`,
each a function

    def homecoming(*, township, year: int, today: datetime.date) -> Expectation

answering, for one township (never None) and one year as of `today` (the last day of a past year,
today for the current one), every row expected of the station: done or not, its due date and the
station page that does it. A function runs a fixed number of queries whatever the rows (no query
per row), reads approved and submitted records alike (a submitted record is done; the bureau's
review is the review panel's business) and masks nothing: a row's label names the person or the
facility, never an ID number or a phone.

The core adds its own rows to the station's list (records returned for correction, changes waiting
for the bureau) and composes everything (`station_todo`, `completeness`). (To be completed: issue 27.)
"""

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    """One thing expected of a station: a person to register, a facility to inspect, a notice to deliver."""

    label: str  # "张三（2026年6月退役）": who or what, readable by itself
    done: bool
    url: str  # the station page that does it (the form that closes it; when done, the record)
    due: datetime.date | None = None  # not done after this day: late
    detail: str = ""  # what is missing: "未办结：社保接续、医保接续"
    admin_url: str = ""  # for the bureau: the record's admin page when done, or the list to act from

    def late_on(self, today: datetime.date) -> bool:
        return not self.done and self.due is not None and self.due < today


@dataclass(frozen=True)
class Expectation:
    """An area's expectation of one township in one year: its rows."""

    key: str  # "support_army.homecoming": unique over the portal, stable (links and notices use it)
    label: str  # "退役军人返乡报到"
    unit: str = "项"  # of the counts: 人, 个, 份
    rows: tuple[Row, ...] = field(default=())
    period: str = ""  # the period the rows are for, when not the year: "2026年第4季度"
