"""What the campaigns show: the funnel (sent, opened, clicked, form sent, reported), rates
by job, by site and campaign after campaign, and the people who clicked more than once.

**Anonymous by default.** No name appears in any of these; a group (a job, a site, a
campaign) of fewer than MIN_GROUP people is shown as hidden, and is also kept from being
worked out by subtraction: when the groups hidden in one table would be a single group, or
fewer than MIN_GROUP people together, the smallest groups shown are hidden too (`hide_small`),
so that « total minus the groups shown » never describes fewer than MIN_GROUP people. A
total of fewer than MIN_GROUP people is hidden with everything under it. Only a campaign in
named mode (a recorded reason, the staff told beforehand) has a list of people
(`named_rows`), shown to the roles that manage campaigns.

**Clicks and scanners.** `clicked` counts the people whose result was raised to « clicked »,
which scanner hits never do (tracking.py); `clicked_with_scanners` adds those whose link was
only opened by something taken for a mail scanner. `unconfirmed` counts clicks never
followed by the teaching page's second step (an image a real browser loads).

Every count of a table is one aggregate query, whatever the number of recipients."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from .models import Campaign, Event, Recipient

MIN_GROUP = 5


@dataclass(frozen=True)
class Counts:
    people: int  # distinct addresses: the size of the group
    sent: int  # messages sent (one per person and campaign)
    opened: int
    clicked: int  # scanner hits excluded
    clicked_with_scanners: int
    unconfirmed: int  # clicks without the second step
    submitted: int
    reported: int

    def rate(self, count: int) -> float | None:
        return round(100 * count / self.sent, 1) if self.sent else None

    @property
    def rates(self) -> dict[str, float | None]:
        """Each count as a share of the messages sent, in percent."""
        return {name: self.rate(getattr(self, name)) for name in RATED}


RATED = ("opened", "clicked", "clicked_with_scanners", "unconfirmed", "submitted",
         "reported")


@dataclass(frozen=True)
class Group:
    key: object
    label: str
    counts: Counts | None  # None: hidden (fewer than MIN_GROUP people, or deducible)

    @property
    def hidden(self) -> bool:
        return self.counts is None


def _scanner_click():
    return Exists(Event.objects.filter(recipient=OuterRef("pk"), kind=Event.Kind.CLICKED,
                                       scanner=True))


def _confirmed():
    return Exists(Event.objects.filter(recipient=OuterRef("pk"),
                                       kind=Event.Kind.SECOND_STEP, scanner=False))


def _aggregates() -> dict:
    clicked = Q(result__gte=Recipient.Result.CLICKED)
    return {
        "people": Count(Lower("email"), distinct=True),
        "sent": Count("pk"),
        "opened": Count("pk", filter=Q(result__gte=Recipient.Result.OPENED)),
        "clicked": Count("pk", filter=clicked),
        "clicked_with_scanners": Count("pk", filter=clicked | Q(_scanner_click())),
        "unconfirmed": Count("pk", filter=clicked & ~Q(_confirmed())),
        "submitted": Count("pk", filter=Q(result__gte=Recipient.Result.SUBMITTED)),
        "reported": Count("pk", filter=Q(reported_at__isnull=False)),
    }


def sent_rows(**filters) -> QuerySet:
    """The recipients whose message was sent: the only ones counted."""
    return Recipient.objects.filter(sent_at__isnull=False, **filters).order_by()


def totals(rows: QuerySet) -> Counts:
    """One query."""
    return Counts(**rows.aggregate(**_aggregates()))


def counts_by(rows: QuerySet, field: str) -> dict:
    """{value of `field`: Counts}, one query."""
    found = {}
    for values in rows.values(field).annotate(**_aggregates()).order_by(field):
        key = values.pop(field)
        found[key] = Counts(**values)
    return found


def hide_small(items: Iterable[tuple[object, str, Counts]]) -> list[Group]:
    """Groups of (key, label, counts), the anonymity rule applied (module docstring)."""
    items = list(items)
    # A group with nobody in it (a campaign not sent yet) hides nothing: left out.
    present = [index for index, item in enumerate(items) if item[2].people]
    hidden = {index for index in present if items[index][2].people < MIN_GROUP}

    def hidden_people():
        return sum(items[index][2].people for index in hidden)

    while hidden and len(hidden) < len(present) and (len(hidden) < 2
                                                     or hidden_people() < MIN_GROUP):
        smallest = min((index for index in present if index not in hidden),
                       key=lambda index: (items[index][2].people, index))
        hidden.add(smallest)
    hidden |= {index for index in range(len(items)) if index not in present}
    return [Group(key, label, None if index in hidden else counts)
            for index, (key, label, counts) in enumerate(items)]


def _labelled(found: dict, empty_label: str) -> list[tuple[object, str, Counts]]:
    return [(key, key or empty_label, counts)
            for key, counts in sorted(found.items(), key=lambda item: (not item[0],
                                                                       item[0] or ""))]


@dataclass(frozen=True)
class Breakdown:
    """A table of groups under a total; everything hidden when the total is too small."""

    total: Counts | None
    groups: list[Group]


def breakdown(rows: QuerySet, field: str, total: Counts, empty_label: str) -> Breakdown:
    if total.people < MIN_GROUP:
        return Breakdown(None, [])
    return Breakdown(total, hide_small(_labelled(counts_by(rows, field), empty_label)))


@dataclass(frozen=True)
class CampaignResults:
    funnel: Counts | None  # None: fewer than MIN_GROUP people
    by_job: Breakdown
    by_site: Breakdown


def campaign_results(campaign: Campaign) -> CampaignResults:
    """Three queries."""
    rows = sent_rows(campaign=campaign)
    total = totals(rows)
    shown = total if total.people >= MIN_GROUP else None
    return CampaignResults(
        funnel=shown,
        by_job=breakdown(rows, "job", total, _("Fonction non renseignée")),
        by_site=breakdown(rows, "site", total, _("Site non renseigné")))


def named_rows(campaign: Campaign) -> list[Recipient]:
    """The people of a campaign in named mode, each with `confirmed` (the second step) and
    `scanner_click`; one query. Callers check campaign.named and the reader's role."""
    if not campaign.named:
        return []
    return list(Recipient.objects.filter(campaign=campaign)
                .annotate(confirmed=_confirmed(), scanner_click=_scanner_click())
                .order_by("last_name", "first_name", "email"))


@dataclass(frozen=True)
class Overview:
    total: Counts | None
    campaigns: list[tuple[Campaign, Group]]  # in launch order
    by_job: Breakdown
    by_site: Breakdown
    repeat_clickers: int | None  # None: fewer than MIN_GROUP people in 2+ campaigns
    in_several: int


def repeat_clickers(organisation) -> tuple[int | None, int]:
    """(people who clicked in two campaigns or more, people sent two campaigns or more);
    the first None when the second is under MIN_GROUP. Two queries."""
    people = sent_rows(organisation=organisation).values(address=Lower("email"))
    several = people.annotate(n=Count("campaign", distinct=True)).filter(n__gte=2).count()
    if several < MIN_GROUP:
        return None, several
    clickers = people.annotate(n=Count("campaign", distinct=True, filter=Q(
        result__gte=Recipient.Result.CLICKED))).filter(n__gte=2).count()
    return clickers, several


def overview(organisation) -> Overview:
    """Every launched campaign of the organisation; seven queries at most."""
    campaigns = list(Campaign.objects.filter(organisation=organisation,
                                             launched_at__isnull=False)
                     .order_by("launched_at", "pk"))
    rows = sent_rows(organisation=organisation)
    total = totals(rows)
    per_campaign = counts_by(rows, "campaign_id")
    empty = Counts(0, 0, 0, 0, 0, 0, 0, 0)
    groups = hide_small((campaign.pk, campaign.name, per_campaign.get(campaign.pk, empty))
                        for campaign in campaigns)
    if total.people < MIN_GROUP:
        groups = [Group(group.key, group.label, None) for group in groups]
    clickers, several = repeat_clickers(organisation)
    return Overview(
        total=total if total.people >= MIN_GROUP else None,
        campaigns=list(zip(campaigns, groups, strict=True)),
        by_job=breakdown(rows, "job", total, _("Fonction non renseignée")),
        by_site=breakdown(rows, "site", total, _("Site non renseigné")),
        repeat_clickers=clickers, in_several=several)
