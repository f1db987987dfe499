"""What is missing in a processing of the register (art. 30(1) GDPR), in plain French, each
problem with the field to complete (the edit page's anchor `#id_<field>`).

A processing marked as not in use (in_use False) is kept in the register, shown apart and
not exported as active: it is not counted as to finish. Reads the retention rows through
`processing.retentions.all()`: prefetch them for a list.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Processing

# The field of a problem that is not settled on the edit page but by the confirmation
# button of the processing's page.
CONFIRM = "confirmation"


@dataclass(frozen=True)
class Problem:
    text: str
    field: str

    @property
    def on_edit_page(self) -> bool:
        return self.field != CONFIRM


def _retention_problems(processing: Processing) -> list[Problem]:
    rows = list(processing.retentions.all())
    if not rows:
        return [Problem(_("Indiquez combien de temps les données sont conservées."),
                        "retentions")]
    problems = []
    for row in rows:
        label = row.data or _("une catégorie de données")
        if not row.duration.strip() or not row.reference.strip():
            problems.append(Problem(
                _("Durée de conservation de « %(data)s » : indiquez la durée et le texte "
                  "ou la raison qui la fixe.") % {"data": label}, "retentions"))
        elif row.to_check:
            problems.append(Problem(
                _("Durée de conservation de « %(data)s » à vérifier : contrôlez la "
                  "référence, puis décochez « à vérifier ».") % {"data": label},
                "retentions"))
    return problems


def problems(processing: Processing) -> list[Problem]:
    """What to complete before the processing is a complete entry of the register."""
    found = []
    if not processing.purpose.strip():
        found.append(Problem(_("Décrivez la finalité : à quoi sert ce traitement."),
                             "purpose"))
    if not processing.legal_basis:
        found.append(Problem(_("Choisissez la base légale du traitement."), "legal_basis"))
    if processing.health_data and not processing.special_basis:
        found.append(Problem(_("Des données de santé sont traitées : choisissez l'exception "
                               "qui le permet (RGPD, art. 9)."), "special_basis"))
    if not processing.people_lines():
        found.append(Problem(_("Indiquez les personnes concernées."), "people"))
    if not processing.data_lines():
        found.append(Problem(_("Indiquez les catégories de données traitées."),
                             "data_categories"))
    if not processing.recipients.strip():
        found.append(Problem(_("Indiquez les destinataires des données ; s'il n'y en a "
                               "pas, écrivez « Aucun destinataire externe »."),
                             "recipients"))
    if processing.transfers in ("", Processing.Transfers.UNKNOWN):
        found.append(Problem(_("Dites si des données partent hors de l'Union européenne : "
                               "demandez-le à vos prestataires si vous ne le savez pas."),
                             "transfers"))
    elif (processing.transfers == Processing.Transfers.YES
          and not processing.transfer_details.strip()):
        found.append(Problem(_("Précisez les transferts hors de l'Union européenne : le "
                               "pays, le destinataire et la garantie."), "transfer_details"))
    found.extend(_retention_problems(processing))
    if not processing.measure_lines():
        found.append(Problem(_("Indiquez au moins une mesure de sécurité."),
                             "security_measures"))
    if processing.in_use is None:
        found.append(Problem(_("À confirmer : dites si ce traitement existe chez vous."),
                             "in_use"))
    if processing.confirmed_at is None:
        found.append(Problem(_("Relisez ce traitement, puis confirmez-le."), CONFIRM))
    return found


@dataclass(frozen=True)
class Summary:
    total: int  # in use or to confirm
    complete: int
    not_in_use: int

    @property
    def to_finish(self) -> int:
        return self.total - self.complete


def is_active(processing: Processing) -> bool:
    """In use, or proposed and still to confirm: not one the organisation said it does
    not do."""
    return processing.in_use is not False


def register_summary(processings: Iterable[Processing]) -> Summary:
    """How many processings are complete and how many are to finish (those not in use
    apart). No query of its own once the retentions are prefetched."""
    total = complete = not_in_use = 0
    for processing in processings:
        if not is_active(processing):
            not_in_use += 1
            continue
        total += 1
        complete += not problems(processing)
    return Summary(total=total, complete=complete, not_in_use=not_in_use)
