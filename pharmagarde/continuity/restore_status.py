"""The state of each backup of the inventory, as its restore tests show it.

For one backup: the 3-2-1-1-0 rule line by line (three copies, two media, one off-site, one
offline or immutable, zero errors at the last check), its encryption and its separate
credentials, its last test and result, the next test due (the last successful one plus
`test_every_months`; never tested: due now), one status among five, and the restore-time
trend: the durations of its tests against the maximum tolerable outage (DMIA) of the
activity each one tested, as an SVG chart and a table.

The date of the last test is the inventory's (Backup.last_restore_test): a restore test
logged here moves it forward when it succeeds (restore_services.restore_log), and a date
typed in the inventory by hand counts as well. A failed test is not a test done: it makes
the status « dernier test en échec » until a later test succeeds.

Nothing here writes; `statuses` costs one query for any number of backups.
"""

import datetime
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from django.db.models import Count
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pharmagarde.lib.dates import add_months

from .models import RestoreTest

UP_TO_DATE, SOON, OVERDUE, NEVER, FAILED = "a-jour", "bientot", "en-retard", "jamais", "echec"
STATE_LABELS = {
    UP_TO_DATE: gettext_lazy("À jour"),
    SOON: gettext_lazy("Bientôt"),
    OVERDUE: gettext_lazy("En retard"),
    NEVER: gettext_lazy("Jamais testée"),
    FAILED: gettext_lazy("Dernier test en échec"),
}
STATE_BADGES = {UP_TO_DATE: "badge--ok", SOON: "badge--warn", OVERDUE: "badge--danger",
                NEVER: "badge--danger", FAILED: "badge--danger"}
# How long before its date a test is « bientôt » due: a month, a week for a monthly test.
SOON_WINDOW = datetime.timedelta(days=30)
SOON_WINDOW_MONTHLY = datetime.timedelta(days=7)
# The restore-time chart shows the latest tests only.
CHART_TESTS = 12


def next_due(last_test: datetime.date | None, every_months: int,
             today: datetime.date) -> datetime.date:
    """When the next restore test is due: never tested, today."""
    if last_test is None:
        return today
    return add_months(last_test, every_months or 3)


def is_failed(result: str | None, tested_on: datetime.date | None,
              last_success: datetime.date | None) -> bool:
    """Whether the latest test logged failed, with no success known since (a success
    typed in the inventory on a later day counts)."""
    return (result == RestoreTest.Result.FAILURE and tested_on is not None
            and (last_success is None or tested_on >= last_success))


def state_of(backup, latest_result: str | None, latest_on: datetime.date | None,
             today: datetime.date) -> tuple[str, datetime.date]:
    """(status, date the next test is due) of a backup, given its latest logged test."""
    last = backup.last_restore_test
    if is_failed(latest_result, latest_on, last):
        return FAILED, today
    if last is None:
        return NEVER, today
    due = next_due(last, backup.test_every_months, today)
    window = SOON_WINDOW_MONTHLY if backup.test_every_months == 1 else SOON_WINDOW
    if today > due:
        return OVERDUE, due
    if due - today <= window:
        return SOON, due
    return UP_TO_DATE, due


@dataclass(frozen=True)
class Check:
    """One line of the 3-2-1-1-0 rule or of the protections: met (True), not met (False),
    or not known (None)."""

    label: str
    met: bool | None
    detail: str = ""

    @property
    def answer(self) -> str:
        return {True: _("Oui"), False: _("Non"), None: _("Je ne sais pas")}[self.met]

    @property
    def badge(self) -> str:
        return {True: "badge--ok", False: "badge--danger", None: "badge--warn"}[self.met]


def _at_least(value, needed):
    return None if value is None else value >= needed


def rule_checks(backup) -> list[Check]:
    """The 3-2-1-1-0 rule, line by line."""
    copies, media, errors = backup.copies, backup.media, backup.errors_at_last_check
    return [
        Check(_("Trois copies des données, l'original compris"), _at_least(copies, 3),
              ngettext("%(n)d copie.", "%(n)d copies.", copies) % {"n": copies}
              if copies is not None else ""),
        Check(_("Sur deux supports différents"), _at_least(media, 2),
              ngettext("%(n)d support.", "%(n)d supports.", media) % {"n": media}
              if media is not None else ""),
        Check(_("Une copie hors des locaux"), backup.offsite),
        Check(_("Une copie hors ligne ou non modifiable"), backup.offline_copy),
        Check(_("Zéro erreur à la dernière vérification"),
              None if errors is None else errors == 0,
              ngettext("%(n)d erreur.", "%(n)d erreurs.", errors) % {"n": errors}
              if errors else ""),
    ]


def protection_checks(backup) -> list[Check]:
    return [
        Check(_("Copies chiffrées"), backup.encrypted),
        Check(_("Identifiants séparés, avec double authentification"),
              backup.separate_credentials),
    ]


def duration_label(minutes: int | None) -> str:
    """« 45 min », « 2 h », « 1 h 30 min »."""
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)d min") % {"m": rest}
    if not rest:
        return _("%(h)d h") % {"h": hours}
    return _("%(h)d h %(m)02d min") % {"h": hours, "m": rest}


@dataclass(frozen=True)
class TrendPoint:
    """One test in the restore-time trend, oldest first."""

    test: RestoreTest
    minutes: int
    dmia_hours: int | None
    change: str  # "" for the first, else "faster", "slower" or "same"

    @property
    def within_dmia(self) -> bool | None:
        return None if self.dmia_hours is None else self.minutes <= self.dmia_hours * 60

    @property
    def duration(self) -> str:
        return duration_label(self.minutes)

    @property
    def dmia(self) -> str:
        return duration_label(self.dmia_hours * 60) if self.dmia_hours is not None else ""

    @property
    def arrow(self) -> str:
        return {"faster": "↓", "slower": "↑", "same": "="}.get(self.change, "")

    @property
    def change_label(self) -> str:
        return {"faster": _("plus rapide que le test précédent"),
                "slower": _("plus lente que le test précédent"),
                "same": _("aussi rapide que le test précédent")}.get(self.change, "")


def trend(tests_newest_first) -> list[TrendPoint]:
    points, previous = [], None
    for test in reversed(list(tests_newest_first)):
        activity = test.activity
        change = "" if previous is None else (
            "faster" if test.duration_minutes < previous else
            "slower" if test.duration_minutes > previous else "same")
        points.append(TrendPoint(test, test.duration_minutes,
                                 activity.max_outage_hours if activity else None, change))
        previous = test.duration_minutes
    return points


@dataclass
class BackupStatus:
    backup: object
    state: str
    due: datetime.date
    today: datetime.date
    tests: list = field(default_factory=list)  # newest first

    @property
    def label(self):
        return STATE_LABELS[self.state]

    @property
    def badge(self):
        return STATE_BADGES[self.state]

    @property
    def last_test(self):
        return self.tests[0] if self.tests else None

    @property
    def days_late(self) -> int:
        return max((self.today - self.due).days, 0)

    @property
    def checks(self) -> list[Check]:
        return rule_checks(self.backup)

    @property
    def checks_met(self) -> int:
        return sum(1 for check in self.checks if check.met)

    @property
    def checks_unknown(self) -> int:
        return sum(1 for check in self.checks if check.met is None)

    @property
    def protections(self) -> list[Check]:
        return protection_checks(self.backup)

    @property
    def trend(self) -> list[TrendPoint]:
        return trend(self.tests)

    def chart(self) -> str:
        return trend_svg(self.trend[-CHART_TESTS:], str(self.backup), self.backup.pk)


def tests_of(backups):
    """{backup id: [its tests, newest first]}, with their activity and number of evidence
    files: one query."""
    found = {backup.pk: [] for backup in backups}
    if not found:
        return found
    for test in (RestoreTest.objects.filter(backup_id__in=list(found))
                 .select_related("activity").annotate(evidence_count=Count("evidence"))
                 .order_by("backup_id", "-tested_on", "-id")):
        found[test.backup_id].append(test)
    return found


def status_of(backup, tests, today: datetime.date) -> BackupStatus:
    latest = tests[0] if tests else None
    state, due = state_of(backup, latest.result if latest else None,
                          latest.tested_on if latest else None, today)
    return BackupStatus(backup, state, due, today, list(tests))


def statuses(backups, today: datetime.date) -> list[BackupStatus]:
    """The status of each backup given (already fetched, in their order): one query."""
    backups = list(backups)
    tests = tests_of(backups)
    return [status_of(backup, tests[backup.pk], today) for backup in backups]


# ------------------------------------------------------------------------- the trend chart

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 20, 48
INK, MUTED, GRID = "#1b1f24", "#4a5360", "#8a949f"
RESULT_FILLS = {RestoreTest.Result.SUCCESS: "#0b6b4f", RestoreTest.Result.PARTIAL: "#8a5a00",
                RestoreTest.Result.FAILURE: "#a3122a"}


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _hours(value: float) -> str:
    rounded = round(value, 1)
    return _("%(h)s h") % {"h": number_format(rounded,
                                              decimal_pos=0 if rounded == int(rounded) else 1)}


def _ticks(top: float) -> list[float]:
    """Four or five round steps from 0 to at least `top` hours."""
    for step in (0.25, 0.5, 1, 2, 4, 6, 12, 24, 48, 96, 168):
        if top / step <= 5:
            break
    count = int(-(-top // step)) or 1
    return [step * i for i in range(count + 1)]


def trend_svg(points: list[TrendPoint], name: str, key) -> str:
    """A bar per test (its duration, in hours), the DMIA of the activity it tested as a
    dashed line over its bar, a <title> and a <desc> that say it all in words. Only
    presentation attributes (the strict CSP forbids style). "" without a test."""
    if not points:
        return ""
    highest = max([p.minutes / 60 for p in points]
                  + [p.dmia_hours for p in points if p.dmia_hours is not None])
    ticks = _ticks(highest or 1)
    scale_top = ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(hours):
        return TOP + plot_h * (1 - hours / scale_top)

    title_id, desc_id = f"tendance-{key}-titre", f"tendance-{key}-desc"
    title = _("Durée des restaurations de « %(name)s », comparée à la DMIA") % {"name": name}
    words = []
    for point in points:
        text = _("le %(date)s, %(duration)s") % {
            "date": date_format(point.test.tested_on, "d/m/Y"), "duration": point.duration}
        if point.dmia_hours is not None:
            text += " " + (_("(DMIA %(dmia)s, respectée)") if point.within_dmia
                           else _("(DMIA %(dmia)s, dépassée)")) % {"dmia": point.dmia}
        words.append(text)
    desc = _("Tests du plus ancien au plus récent : %(list)s.") % {"list": " ; ".join(words)}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="restore-trend" role="img" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
             f'aria-labelledby="{title_id} {desc_id}">',
             f'<title id="{title_id}">{escape(title)}</title>',
             f'<desc id="{desc_id}">{escape(desc)}</desc>']
    for tick in ticks:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_num(y(tick))}" '
                     f'y2="{_num(y(tick))}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{_num(y(tick) + 4)}" text-anchor="end" '
                     f'font-size="12" fill="{MUTED}">{escape(_hours(tick))}</text>')
    slot = plot_w / len(points)
    bar = min(slot * 0.6, 56)
    for index, point in enumerate(points):
        x = LEFT + slot * index + (slot - bar) / 2
        top = y(point.minutes / 60)
        fill = RESULT_FILLS.get(point.test.result, INK)
        parts.append(f'<rect x="{_num(x)}" y="{_num(top)}" width="{_num(bar)}" '
                     f'height="{_num(TOP + plot_h - top)}" fill={quoteattr(fill)}/>')
        parts.append(f'<text x="{_num(x + bar / 2)}" y="{_num(top - 4)}" text-anchor="middle" '
                     f'font-size="12" fill="{INK}">{escape(point.duration)}</text>')
        parts.append(f'<text x="{_num(x + bar / 2)}" y="{HEIGHT - BOTTOM + 18}" '
                     f'text-anchor="middle" font-size="12" fill="{INK}">'
                     f'{escape(date_format(point.test.tested_on, "d/m/y"))}</text>')
        if point.dmia_hours is not None:
            line_y = _num(y(point.dmia_hours))
            parts.append(f'<line x1="{_num(LEFT + slot * index + 2)}" '
                         f'x2="{_num(LEFT + slot * (index + 1) - 2)}" y1="{line_y}" '
                         f'y2="{line_y}" stroke="{INK}" stroke-width="2" '
                         f'stroke-dasharray="6 4"/>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" '
                 f'y2="{TOP + plot_h}" stroke="{INK}" stroke-width="1.5"/>')
    legend_y = HEIGHT - 8
    parts.append(f'<line x1="{LEFT}" x2="{LEFT + 28}" y1="{legend_y - 4}" '
                 f'y2="{legend_y - 4}" stroke="{INK}" stroke-width="2" '
                 f'stroke-dasharray="6 4"/>')
    # Outside the f-string: makemessages does not read a string inside one.
    legend = escape(_("DMIA de l’activité testée ; barres : durée de la restauration"))
    parts.append(f'<text x="{LEFT + 34}" y="{legend_y}" font-size="12" fill="{INK}">'
                 f'{legend}</text>')
    parts.append("</svg>")
    return "".join(parts)
