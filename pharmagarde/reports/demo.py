"""Demonstration data of the reports app: the officine's responsable approves the plan,
and one « état de la sécurité » pack is built (synchronously, when this server can make
PDF; skipped otherwise). A second run adds nothing."""

from pharmagarde.core.packs import GENERAL
from pharmagarde.core.registry import DemoData

from . import production, services
from .models import Pack, SignOff


def _pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def load(demo: DemoData) -> None:
    organisation = demo.organisations.get("officine")
    if organisation is None:
        return
    user = demo.responsables[organisation.kind]
    if not SignOff.objects.filter(organisation=organisation).exists():
        services.signoff_record(
            organisation=organisation, acting_user=user,
            comment="Plan revu en réunion d'équipe ; priorité aux sauvegardes et aux comptes.")
        demo.count("approbations du plan")
    if _pdf_available() and not Pack.objects.filter(organisation=organisation,
                                                    status=Pack.Status.DONE).exists():
        pack = services.pack_request(organisation=organisation, regime=GENERAL,
                                     acting_user=user)
        if production.build(pack.pk):
            demo.count("dossiers de preuves")
