"""The documents the incidents app produces: the breach register as Excel and PDF (the
register a CNIL inspector asks for, art. 33(5) GDPR), and PDF from a template (the drafts),
made by core.documents.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core.documents import Column, Sheet, xlsx

from .forms import DATA_TYPES
from .models import Breach, Obligation

CHUNK = 500


# The register ------------------------------------------------------------------------------

def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _yes(value: bool):
    return _("Oui") if value else _("Non")


def _cnil(breach: Breach) -> Obligation | None:
    found = getattr(breach.incident, "cnil_initial", None) if breach.incident else None
    return found[0] if found else None


def _types(breach: Breach) -> str:
    labels = dict(DATA_TYPES)
    return ", ".join(str(labels.get(code, code)) for code in breach.data_types or [])


# Every field of art. 33(5) and of the CNIL's register model, one list for Excel and PDF.
COLUMNS = [
    Column(gettext_lazy("Fiche"), 11, lambda b: b.reference),
    Column(gettext_lazy("Incident"), 11, lambda b: b.incident.reference if b.incident else ""),
    Column(gettext_lazy("Connaissance de la violation"), 17, lambda b: _local(b.aware_at)),
    Column(gettext_lazy("Début de l'incident"), 17,
           lambda b: _local(b.incident.started_at) if b.incident else None),
    Column(gettext_lazy("Les faits"), 50, lambda b: b.facts),
    Column(gettext_lazy("Origine"), 24, lambda b: b.get_origin_display() if b.origin else ""),
    Column(gettext_lazy("Cause"), 20, lambda b: b.get_cause_display() if b.cause else ""),
    Column(gettext_lazy("Perte de confidentialité"), 12, lambda b: _yes(b.confidentiality)),
    Column(gettext_lazy("Perte d'intégrité"), 12, lambda b: _yes(b.integrity)),
    Column(gettext_lazy("Perte de disponibilité"), 12, lambda b: _yes(b.availability)),
    Column(gettext_lazy("Catégories de personnes"), 24, lambda b: b.people_categories),
    Column(gettext_lazy("Nombre approximatif de personnes"), 12, lambda b: b.people_count),
    Column(gettext_lazy("Nombre approximatif d'enregistrements"), 12,
           lambda b: b.records_count),
    Column(gettext_lazy("Types de données"), 30, _types),
    Column(gettext_lazy("Données de santé"), 10, lambda b: _yes(b.health_data)),
    Column(gettext_lazy("NIR"), 8, lambda b: _yes(b.nir)),
    Column(gettext_lazy("Supports concernés"), 24, lambda b: b.media),
    Column(gettext_lazy("Conséquences probables"), 40, lambda b: b.consequences),
    Column(gettext_lazy("Mesures prises"), 40, lambda b: b.measures_taken),
    Column(gettext_lazy("Mesures prévues"), 40, lambda b: b.measures_planned),
    Column(gettext_lazy("Point de contact"), 24, lambda b: b.contact),
    Column(gettext_lazy("Décision"), 24, lambda b: b.get_decision_display()),
    Column(gettext_lazy("Raisons de la décision"), 40, lambda b: b.decision_reasons),
    Column(gettext_lazy("Décidée le"), 17, lambda b: _local(b.decided_at)),
    Column(gettext_lazy("Notifiée à la CNIL le"), 17,
           lambda b: _local(o.done_at) if (o := _cnil(b)) else None),
    Column(gettext_lazy("Numéro de la notification CNIL"), 16,
           lambda b: o.reference if (o := _cnil(b)) else ""),
    Column(gettext_lazy("Raison du retard de notification"), 30,
           lambda b: o.delay_reason if (o := _cnil(b)) else ""),
    Column(gettext_lazy("État"), 10, lambda b: b.get_status_display()),
    Column(gettext_lazy("Close le"), 17, lambda b: _local(b.closed_at)),
]


def register(organisation):
    """The organisation's breaches, newest first, with their incident and the CNIL
    notification of it: three queries, whatever their number."""
    return (Breach.objects.filter(organisation=organisation).select_related("incident")
            .prefetch_related(Prefetch("incident__obligations",
                                       queryset=Obligation.objects.filter(code="cnil_initial"),
                                       to_attr="cnil_initial"))
            .order_by("-aware_at", "-id"))


def register_xlsx(breaches: Iterable[Breach], *, title: str) -> bytes:
    return xlsx([Sheet(_("Registre des violations"), COLUMNS, breaches)], title=title)


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return str(value)


def register_entries(breaches: Iterable[Breach]) -> list[dict]:
    """The breaches as the PDF shows them: each with its fields as (label, text)."""
    return [{"breach": breach,
             "fields": [(column.label, _shown(column.value(breach))) for column in COLUMNS[1:]]}
            for breach in breaches]
