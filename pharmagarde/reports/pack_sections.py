"""The reports app's part of every pack: the management's latest approval of the action
plan (NIS2 art. 20), and whether the plan changed since (its digest differs)."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pharmagarde.core.packs import Evidence, Facts, PackRequest, Paragraph, Section, Table

from . import selectors

SIGNOFF_KEY = "reports.signoff"
SIGNOFF_ORDER = 15  # after the checklist, before the diagnostic and the plan


def sections(pack: PackRequest) -> list[Section]:
    section = Section(SIGNOFF_KEY, _("Approbation du plan par la direction"), SIGNOFF_ORDER,
                      references=(_("NIS 2, art. 20"),))
    signoff = selectors.latest_signoff(pack.organisation)
    if signoff is None:
        section.blocks.append(Paragraph(_(
            "La direction n'a pas encore approuvé le plan d'action. Le responsable de la "
            "structure l'approuve depuis « Dossiers de preuves », « Approbation du plan par "
            "la direction ».")))
        section.evidence.append(Evidence(_("Approbation du plan par la direction"), None))
        return [section]
    approved_on = timezone.localtime(signoff.approved_at)
    summary = signoff.plan_summary
    section.blocks.append(Facts((
        (_("Approuvé par"), signoff.approved_by_label),
        (_("Le"), formats.date_format(approved_on, "j F Y à H:i")),
        (_("Actions du plan à cette date"), str(summary.get("total", 0))),
        (_("Actions ouvertes à cette date"), str(len(summary.get("open", [])))),
        (_("Commentaire"), signoff.comment or "—"),
        (_("Empreinte du plan approuvé (SHA-256)"), signoff.plan_digest),
    )))
    current = selectors.plan_digest(selectors.plan_summary(pack.organisation))
    changed = current != signoff.plan_digest
    if changed:
        section.blocks.append(Paragraph(_(
            "Le plan a changé depuis cette approbation : faites-le approuver à nouveau "
            "avant l'audit.")))
    else:
        section.blocks.append(Paragraph(_("Le plan n'a pas changé depuis cette approbation.")))
    section.blocks.append(Table(
        (_("Statut"), _("Actions")),
        tuple(selectors.summary_rows(summary)["by_status"]),
        caption=_("Le plan approuvé, par statut"), sheet=_("Plan approuvé")))
    # A plan changed since its approval is not the plan the management approved: the
    # evidence is not met, however recent the approval.
    section.evidence.append(Evidence(_("Approbation du plan par la direction"),
                                     approved_on.date(), 12,
                                     detail=signoff.approved_by_label,
                                     failed=_("le plan a changé depuis cette approbation")
                                     if changed else ""))
    return [section]
