"""Awareness's part of the audit packs: the training of the staff and the phishing
campaigns of the last twelve months.

Training: the modules completed in twelve months, the share of the staff still there who
completed at least one, the late assignments, module by module; evidence: the last
completed training (12 months). Phishing: anonymous rates only, with the rule of
results.py (no group of fewer than MIN_GROUP people, nor one that could be worked out by
subtraction); a campaign in named mode says when the staff were told beforehand (Code du
travail, art. L. 1222-4), and is missing evidence when they were not. Evidence: the last
campaign launched (12 months). Four queries each, whatever the number of people.
"""

import datetime

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmagarde.core.models import Person
from pharmagarde.core.packs import (
    CNIL,
    COFRAC,
    DQO,
    GENERAL,
    NIS2,
    Evidence,
    Facts,
    PackRequest,
    Section,
    Table,
)
from pharmagarde.lib.dates import add_months

from . import modules, results
from .models import Assignment, Campaign

TRAINING, PHISHING = "awareness.training", "awareness.phishing"
REFERENCES = {
    TRAINING: ("NIS 2, art. 21(2)(g)", "Guide d'hygiène ANSSI, mesure 2",
               "ISO 15189:2022 § 6.2 (compétence du personnel)"),
    PHISHING: ("NIS 2, art. 21(2)(g)", "RGPD, art. 13 ; code du travail, art. L. 1222-4"),
}


def _since(pack: PackRequest) -> datetime.datetime:
    day = add_months(pack.today, -12)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "—"


def _title(key: str) -> str:
    return modules.module(key).title if key in modules.KEYS else key


def training(pack: PackRequest) -> Section:
    organisation, today, since = pack.organisation, pack.today, _since(pack)
    present = Person.objects.filter(organisation=organisation).filter(
        Q(departure_date=None) | Q(departure_date__gt=today))
    staff = present.count()
    done = Q(completed_at__gt=since)
    assignments = Assignment.objects.filter(organisation=organisation)
    trained = (assignments.filter(done, person__in=present.values("pk"))
               .values("person_id").distinct().count())
    per_module = list(assignments.values("module").annotate(
        done=Count("pk", filter=done), open=Count("pk", filter=Q(completed_at=None)),
        late=Count("pk", filter=Q(completed_at=None, due_on__lt=today)),
        last=Max("completed_at")).order_by("module"))
    last = max((row["last"] for row in per_module if row["last"]), default=None)
    completed = sum(row["done"] for row in per_module)
    late = sum(row["late"] for row in per_module)
    return Section(
        key=TRAINING, title=_("Formation du personnel"), order=70,
        references=REFERENCES[TRAINING],
        blocks=[Facts(((_("Personnes dans l'équipe"), str(staff)),
                       (_("Modules terminés ces douze derniers mois"), str(completed)),
                       (_("Part de l'équipe formée ces douze derniers mois"),
                        _percent(trained, staff)),
                       (_("Formations en retard"), str(late)),
                       (_("Dernière formation terminée"),
                        timezone.localdate(last).strftime("%d/%m/%Y") if last
                        else _("jamais")))),
                Table(columns=(_("Module"), _("Terminés en douze mois"), _("À faire"),
                               _("En retard")),
                      rows=tuple((_title(row["module"]), row["done"], row["open"],
                                  row["late"]) for row in per_module),
                      caption=_("La formation, module par module"), sheet=_("Formation"),
                      empty=_("Aucune formation assignée : assignez les modules de "
                              "sensibilisation à l'équipe."))],
        evidence=[Evidence(_("Dernière formation terminée"),
                           timezone.localdate(last) if last else None)])


def _rates(group: results.Group) -> tuple:
    if group.hidden:
        hidden = _("masqué (moins de %(n)d personnes)") % {"n": results.MIN_GROUP}
        return (hidden, None, None, None, None)
    counts = group.counts
    return (counts.sent, *(counts.rate(getattr(counts, name))
                           for name in ("opened", "clicked", "submitted", "reported")))


def phishing(pack: PackRequest) -> Section:
    organisation, since = pack.organisation, _since(pack)
    campaigns = list(Campaign.objects.filter(organisation=organisation,
                                             launched_at__gt=since)
                     .order_by("launched_at", "pk"))
    rows = results.sent_rows(organisation=organisation, campaign__launched_at__gt=since)
    total = results.totals(rows)
    per_campaign = results.counts_by(rows, "campaign_id")
    empty = results.Counts(0, 0, 0, 0, 0, 0, 0, 0)
    groups = results.hide_small((campaign.pk, campaign.name,
                                 per_campaign.get(campaign.pk, empty))
                                for campaign in campaigns)
    if total.people < results.MIN_GROUP:
        groups = [results.Group(group.key, group.label, None) for group in groups]
    table_rows = tuple(
        (campaign.name, timezone.localdate(campaign.launched_at), *_rates(group),
         (_("nominatif, personnel informé le %(date)s") % {
             "date": timezone.localdate(campaign.named_informed_at).strftime("%d/%m/%Y")}
          if campaign.named_informed_at else _("nominatif, information non confirmée"))
         if campaign.named else _("anonyme"))
        for campaign, group in zip(campaigns, groups, strict=True))
    overall = results.Group(None, "", total if total.people >= results.MIN_GROUP else None)
    sent, opened, clicked, submitted, reported = _rates(overall)
    evidence = [Evidence(_("Dernière campagne d'hameçonnage"),
                         timezone.localdate(campaigns[-1].launched_at) if campaigns else None)]
    uninformed = [campaign for campaign in campaigns
                  if campaign.named and not campaign.named_informed_at]
    if any(campaign.named for campaign in campaigns):
        informed = [campaign.named_informed_at for campaign in campaigns
                    if campaign.named and campaign.named_informed_at]
        evidence.append(Evidence(
            _("Information préalable du personnel (résultats nominatifs)"),
            None if uninformed or not informed else timezone.localdate(max(informed))))
    return Section(
        key=PHISHING, title=_("Exercices d'hameçonnage"), order=71,
        references=REFERENCES[PHISHING],
        blocks=[Facts(((_("Campagnes lancées ces douze derniers mois"), str(len(campaigns))),
                       (_("Messages envoyés"), str(sent)),
                       (_("Taux de clic (%)"), str(clicked if clicked is not None else "—")),
                       (_("Taux de signalement (%)"),
                        str(reported if reported is not None else "—")))),
                Table(columns=(_("Campagne"), _("Lancée le"), _("Envoyés"), _("Ouverts (%)"),
                               _("Cliqués (%)"), _("Formulaire envoyé (%)"),
                               _("Signalés (%)"), _("Résultats")),
                      rows=table_rows, sheet=_("Hameçonnage"),
                      caption=_("Les campagnes des douze derniers mois, en taux anonymes "
                                "(aucun groupe de moins de %(n)d personnes)")
                      % {"n": results.MIN_GROUP},
                      empty=_("Aucune campagne d'hameçonnage lancée ces douze derniers "
                              "mois."))],
        evidence=evidence)


BUILDERS = {TRAINING: (training, frozenset({GENERAL, CNIL, DQO, COFRAC, NIS2})),
            PHISHING: (phishing, frozenset({GENERAL, CNIL, NIS2}))}


def sections(pack: PackRequest) -> list[Section]:
    return [build(pack) for build, regimes in BUILDERS.values() if pack.regime in regimes]
