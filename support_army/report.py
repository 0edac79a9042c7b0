"""
Section (四) 双拥共建工作成绩显著: merit notices, homecoming, the stationed troops' requests, joint
activities and the check-ups of military families, the matchmaking event, the Army Day gala and
the 爱心拥军团 alliance. Item numbers (一是, 二是 …) are the composer's: ours cannot repeat.

Only approved records count. Whose figures (the scope a township report keeps):

- 一 送喜报, 二 返乡: the township's (a notice's township is its soldier's, a registration's its
  veteran's, a reception point's its own); the sentences name the place (`{{ place }}`).
- 三 部队需求, 四 共建活动 (with the check-ups of military families): the district's work unless a
  record names a township; a township report states its own records and leaves the item out when it
  has none (`district_only` for that township).
- 五 相亲会, 六 晚会, 七 爱心拥军团: the district's (DISTRICT figures, `district_only` items).

Rules the sentences rest on:

- 一 送喜报: notices approved and delivered in the year whose batch, if any, is approved; the first
  batch is the earliest delivery of the year (a batch, or the notices delivered without one on one
  day), its size the soldiers delivered to in it; the total counts the distinct soldiers delivered
  to; merit levels from the highest (二等功 before 三等功).
- 二 返乡: reception points open in the year (opened on or before 31 December, not closed before
  1 January), named by their place (东站退役军人报到点 → 东站); veterans received are the approved
  registrations received in the year; checklist items done and open are counted over those
  registrations and the steps in use.
- 三 部队需求: approved requests received in the year; resolved when their status says so; the
  summaries are the requests' own lines, and the teams and departments are stated before them only
  when no line says them.
- 四 共建活动: approved activities started in the year, named by their titles (捐赠鱼苗); the
  check-ups of military families are the approved rounds of population "military_families" started
  in the year, their person-times the approved check-ups recorded in them (the round's headcount
  where none is).
- 五 相亲会, 六 晚会: the approved event of the year (the latest, should there be two).
- 七 爱心拥军团: members who joined in the year (the latest batch joined in the year is "the" batch)
  and members in the alliance on 31 December.

Every figure counting or summing rows carries them (`records`) for the dashboard's drill-down.
"""

from bureau.reporting import Section
from support_army.report_events import alliance_item, gala_item, matchmaking_item, view_count
from support_army.report_notices import delivered_notices, homecoming_item, notices_item
from support_army.report_troops import activities_item, military_family_checkup_batches, troops_item

__all__ = ["delivered_notices", "military_family_checkup_batches", "section", "view_count"]

HEADING = "双拥共建工作成绩显著"
LEAD = (
    "今年以来，我局以创建“双拥模范城”为目标，稳扎稳打，多措并举，以积极主动的作为推动双拥共建工作向更深更好处发展，"
    "在{{ place }}广泛营造军爱民、民拥军，军民鱼水情的浓厚氛围。"
)


def section(*, year: int, township=None) -> Section:
    return Section(
        app_label="support_army",
        area="双拥共建",
        heading=HEADING,
        lead=LEAD,
        items=[
            notices_item(year=year, township=township),
            homecoming_item(year=year, township=township),
            troops_item(year=year, township=township),
            activities_item(year=year, township=township),
            matchmaking_item(year=year, township=township),
            gala_item(year=year, township=township),
            alliance_item(year=year, township=township),
        ],
    )
