"""The action plan's part of the audit packs: where the plan stands.

Counts by status and by criticality, the overdue actions, those finished in the last
twelve months, and every open action (title, criticality, owner, due date, origin), by
priority. The evidence is the plan's last update. Three queries, whatever the size of the
plan; the origin's label comes from its source (sources.py), without a query.
"""

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core.packs import (
    COFRAC,
    DQO,
    GENERAL,
    NIS2,
    Evidence,
    Facts,
    PackRequest,
    Paragraph,
    Section,
    Table,
)
from pharmagarde.lib.dates import add_months

from . import sources
from .models import Action
from .selectors import status_counts

KEY = "actions.plan"
REGIMES = frozenset({GENERAL, DQO, COFRAC, NIS2})
CRITICALITY_LABELS = {"critique": gettext_lazy("critique"), "majeure": gettext_lazy("majeure"),
                      "normale": gettext_lazy("normale")}
REFERENCES = ("NIS 2, art. 21(2)(a)", "ISO 15189:2022 § 7.6.2")


def plan(pack: PackRequest) -> Section:
    organisation, today = pack.organisation, pack.today
    actions = Action.objects.filter(organisation=organisation)
    year_ago = add_months(today, -12)
    counts = status_counts(actions)
    summary = actions.order_by().aggregate(
        last_update=Max("updated_at"),
        done_this_year=Count("pk", filter=Q(status=Action.Status.DONE,
                                            closed_at__date__gte=year_ago)),
        overdue=Count("pk", filter=Q(status__in=Action.OPEN_STATUSES, due_date__lt=today)),
        **{f"open_{key}": Count("pk", filter=Q(status__in=Action.OPEN_STATUSES,
                                                criticality=key))
           for key in CRITICALITY_LABELS})
    open_actions = (actions.filter(status__in=Action.OPEN_STATUSES).select_related("owner")
                    .order_by("priority", "due_date", "id"))
    rows = tuple((action.title, str(CRITICALITY_LABELS.get(action.criticality,
                                                           action.criticality)),
                  str(action.owner) if action.owner else None, action.due_date,
                  _("en retard") if action.due_date and action.due_date < today else "",
                  str(sources.source_for(action.source).label or action.source))
                 for action in open_actions)
    last_update = summary["last_update"]
    blocks = []
    if not counts["total"]:
        blocks.append(Paragraph(_("Le plan d'action est vide. Il se remplit à partir du "
                                  "diagnostic, des constats de l'inventaire et des incidents, "
                                  "ou à la main.")))
    blocks += [
        Facts(((_("Actions à faire"), str(counts["todo"])),
               (_("Actions en cours"), str(counts["in_progress"])),
               (_("Actions terminées"), str(counts["done"])),
               (_("Actions abandonnées"), str(counts["dropped"])),
               (_("Actions en retard"), str(summary["overdue"])),
               (_("Terminées ces douze derniers mois"), str(summary["done_this_year"])),
               *((_("Ouvertes de criticité %(level)s") % {"level": label},
                  str(summary[f"open_{key}"])) for key, label in CRITICALITY_LABELS.items()),
               (_("Dernière mise à jour du plan"),
                timezone.localdate(last_update).strftime("%d/%m/%Y") if last_update
                else _("jamais")))),
        Table(columns=(_("Action"), _("Criticité"), _("Responsable"), _("Échéance"),
                       _("Retard"), _("Origine")),
              rows=rows, caption=_("Les actions ouvertes, par priorité"),
              sheet=_("Plan d'action"), empty=_("Aucune action ouverte.")),
    ]
    return Section(key=KEY, title=_("Plan d'action"), order=20, blocks=blocks,
                   references=REFERENCES,
                   evidence=[Evidence(_("Dernière mise à jour du plan"),
                                      timezone.localdate(last_update) if last_update
                                      else None)])


BUILDERS = {KEY: (plan, REGIMES)}


def sections(pack: PackRequest) -> list[Section]:
    return [build(pack) for build, regimes in BUILDERS.values() if pack.regime in regimes]
