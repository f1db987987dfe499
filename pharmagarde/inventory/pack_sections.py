"""The inventory's part of the audit packs: what the organisation knows of its system.

Two sections: the assets (how many of each kind, the last update of the inventory, which is
the evidence: twelve months) and the open findings of the rules (rule, severity, item,
since when), with the systems past their end of support and the risky exposed services
counted apart. Eight queries for the inventory (both sections share them), one for the
findings, whatever their number.
"""

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

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

from .models import (
    Account,
    Backup,
    CpsCard,
    Device,
    Finding,
    ItemChange,
    RemovableMedium,
    Software,
    WifiNetwork,
)
from .rules import RULES_BY_ID, SEVERITY_LABELS

ASSETS, FINDINGS = "inventory.assets", "inventory.findings"
END_OF_LIFE = frozenset({"systeme-fin-de-support", "logiciel-fin-de-support"})
EXPOSED = frozenset({"service-a-risque"})
MODELS = (Device, Software, Account, WifiNetwork, RemovableMedium, CpsCard, Backup)
REFERENCES = {
    ASSETS: ("ISO 15189:2022 § 7.6.3", "NIS 2, art. 21(2)(i)"),
    FINDINGS: ("NIS 2, art. 21(2)(e)", "ISO 15189:2022 § 7.6.3"),
}


def _inventory(organisation) -> tuple[list[tuple[str, str]], object]:
    """([(kind of item, how many)], day of the last change): eight queries."""
    counts, dates = [], []
    for model in MODELS:
        found = model.objects.filter(organisation=organisation).aggregate(
            n=Count("pk"), last=Max("updated_at"))
        counts.append((str(model._meta.verbose_name_plural).capitalize(), str(found["n"])))
        dates.append(found["last"])
    dates.append(ItemChange.objects.filter(organisation=organisation)
                 .aggregate(at=Max("at"))["at"])
    found = [value for value in dates if value is not None]
    return counts, timezone.localdate(max(found)) if found else None


def _evidence(last_update) -> Evidence:
    return Evidence(_("Dernière mise à jour de l'inventaire"), last_update)


def assets(pack: PackRequest, inventory) -> Section:
    counts, last_update = inventory
    blocks = [Facts(tuple(counts))]
    if last_update is None:
        blocks.insert(0, Paragraph(_("L'inventaire est vide : ajoutez les postes, logiciels, "
                                     "comptes et sauvegardes, ou importez-les (tableur, "
                                     "scan réseau, export de l'annuaire).")))
    return Section(key=ASSETS, title=_("Inventaire du système d'information"), order=30,
                   blocks=blocks, evidence=[_evidence(last_update)],
                   references=REFERENCES[ASSETS])


def findings(pack: PackRequest, inventory) -> Section:
    organisation = pack.organisation
    rows = list(Finding.objects.filter(organisation=organisation, status=Finding.Status.OPEN)
                .order_by("severity", "rule", "subject_label", "id"))
    end_of_life = sum(1 for finding in rows if finding.rule in END_OF_LIFE)
    exposed = sum(1 for finding in rows if finding.rule in EXPOSED)
    critical = sum(1 for finding in rows if finding.severity == 1)

    def rule_title(finding):
        rule = RULES_BY_ID.get(finding.rule)
        return str(rule.title) if rule else finding.rule

    table = Table(
        columns=(_("Constat"), _("Gravité"), _("Élément"), _("Détail"), _("Depuis le")),
        rows=tuple((rule_title(finding), SEVERITY_LABELS.get(finding.severity, ""),
                    finding.subject_label, finding.detail,
                    timezone.localdate(finding.first_seen)) for finding in rows),
        caption=_("Les constats ouverts de l'inventaire"), sheet=_("Constats"),
        empty=_("Aucun constat ouvert."))
    facts = Facts(((_("Constats ouverts"), str(len(rows))),
                   (_("Dont critiques"), str(critical)),
                   (_("Systèmes et logiciels en fin de support"), str(end_of_life)),
                   (_("Appareils avec des services exposés à risque"), str(exposed))))
    # The findings are as recent as the inventory they are computed from.
    return Section(key=FINDINGS, title=_("Constats de l'inventaire"), order=31,
                   blocks=[facts, table],
                   evidence=[_evidence(inventory[1])],
                   references=REFERENCES[FINDINGS])


BUILDERS = {ASSETS: (assets, frozenset({GENERAL, COFRAC, NIS2})),
            FINDINGS: (findings, frozenset({GENERAL, DQO, COFRAC, NIS2}))}


def sections(pack: PackRequest) -> list[Section]:
    wanted = [build for build, regimes in BUILDERS.values() if pack.regime in regimes]
    if not wanted:
        return []
    inventory = _inventory(pack.organisation)  # once, for both sections
    return [build(pack, inventory) for build in wanted]
