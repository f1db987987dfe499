"""The register of processing activities as a CNIL inspector asks for it (art. 30(1) GDPR):
an Excel workbook (one sheet of processings, one of retention periods) and the entries of
the PDF, from one list of columns.

Only the processings in use or still to confirm are exported: those the organisation said
it does not carry out stay in Pharmagarde's register, not in the document.
"""

from collections.abc import Iterable
from functools import cache

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core.documents import Column, Sheet, xlsx
from pharmagarde.diagnostic.referential import get_referential, latest_version

from .models import Processing, Retention
from .register_services import RetentionValues


@cache
def _theme_titles(version: str) -> dict[str, str]:
    return {theme.id: theme.title for theme in get_referential(version).themes}


def theme_titles() -> dict[str, str]:
    """{theme id: title} of the diagnostic's latest referential."""
    return _theme_titles(latest_version())


def theme_label(theme_id: str) -> str:
    return theme_titles().get(theme_id, theme_id)


def active(organisation) -> QuerySet:
    """The processings the document shows, by number, with their retention periods, links
    and processors: five queries, whatever their number."""
    return (Processing.objects.filter(organisation=organisation)
            .exclude(in_use=False)
            .prefetch_related(Prefetch("retentions", queryset=Retention.objects.order_by(
                "position", "id")), "processors", "software", "devices")
            .order_by("number"))


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _yes(value: bool) -> str:
    return _("Oui") if value else _("Non")


def _in_use(processing: Processing) -> str:
    return _("À confirmer") if processing.in_use is None else _yes(processing.in_use)


def _names(items) -> str:
    return "\n".join(str(item) for item in items.all())


def retention_text(retention: Retention) -> str:
    return RetentionValues(retention.data, retention.duration, retention.reference,
                           retention.to_check).line()


def _retentions(processing: Processing) -> str:
    return "\n".join(retention_text(row) for row in processing.retentions.all())


def _choice(processing: Processing, name: str) -> str:
    return getattr(processing, f"get_{name}_display")() if getattr(processing, name) else ""


# Every field of art. 30(1), for Excel and the PDF.
COLUMNS = [
    Column(gettext_lazy("N°"), 6, lambda p: p.number),
    Column(gettext_lazy("Traitement"), 30, lambda p: p.name),
    Column(gettext_lazy("Mis en œuvre"), 12, _in_use),
    Column(gettext_lazy("Finalité"), 50, lambda p: p.purpose),
    Column(gettext_lazy("Base légale"), 24, lambda p: _choice(p, "legal_basis")),
    Column(gettext_lazy("Texte ou précision"), 30, lambda p: p.legal_basis_detail),
    Column(gettext_lazy("Données de santé"), 10, lambda p: _yes(p.health_data)),
    Column(gettext_lazy("Exception permettant de traiter des données de santé"), 30,
           lambda p: _choice(p, "special_basis")),
    Column(gettext_lazy("Numéro de sécurité sociale (NIR)"), 10, lambda p: _yes(p.nir)),
    Column(gettext_lazy("Personnes concernées"), 30, lambda p: "\n".join(p.people_lines())),
    Column(gettext_lazy("Catégories de données"), 40, lambda p: "\n".join(p.data_lines())),
    Column(gettext_lazy("Destinataires"), 40, lambda p: p.recipients),
    Column(gettext_lazy("Transferts hors de l'Union européenne"), 20,
           lambda p: _choice(p, "transfers")),
    Column(gettext_lazy("Détail des transferts"), 30, lambda p: p.transfer_details),
    Column(gettext_lazy("Durées de conservation"), 50, _retentions),
    Column(gettext_lazy("Mesures de sécurité"), 50, lambda p: "\n".join(p.measure_lines())),
    Column(gettext_lazy("Sous-traitants"), 30, lambda p: _names(p.processors)),
    Column(gettext_lazy("Logiciels utilisés"), 30, lambda p: _names(p.software)),
    Column(gettext_lazy("Appareils utilisés"), 30, lambda p: _names(p.devices)),
    Column(gettext_lazy("Thèmes du diagnostic"), 30,
           lambda p: "\n".join(theme_label(theme) for theme in p.themes)),
    Column(gettext_lazy("Relu et confirmé le"), 17, lambda p: _local(p.confirmed_at)),
    Column(gettext_lazy("Dernière modification"), 17, lambda p: _local(p.updated_at)),
]

RETENTION_COLUMNS = [
    Column(gettext_lazy("N° du traitement"), 8, lambda pair: pair[0].number),
    Column(gettext_lazy("Traitement"), 30, lambda pair: pair[0].name),
    Column(gettext_lazy("Données"), 40, lambda pair: pair[1].data),
    Column(gettext_lazy("Durée de conservation"), 30, lambda pair: pair[1].duration),
    Column(gettext_lazy("Référence"), 50, lambda pair: pair[1].reference),
    Column(gettext_lazy("À vérifier"), 10, lambda pair: _yes(pair[1].to_check)),
]


def register_xlsx(processings: Iterable[Processing], *, title: str) -> bytes:
    processings = list(processings)
    pairs = [(processing, row) for processing in processings
             for row in processing.retentions.all()]
    return xlsx([Sheet(_("Traitements"), COLUMNS, processings),
                 Sheet(_("Durées de conservation"), RETENTION_COLUMNS, pairs)], title=title)


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y %H:%M")
    return str(value)


def register_entries(processings: Iterable[Processing]) -> list[dict]:
    """The processings as the PDF shows them: each with its fields as (label, text), its
    number and name apart (they title its section)."""
    return [{"processing": processing,
             "fields": [(column.label, _shown(column.value(processing)))
                        for column in COLUMNS[2:]]}
            for processing in processings]
