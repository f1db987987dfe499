"""The results of the phishing campaigns: all campaigns (rates campaign after campaign, by
job and by site, repeat clickers), one campaign's funnel, and its Excel export. Anonymous
groups for every reader (results.py); in named mode, the list of people for the roles that
manage campaigns only."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from pharmagarde.core import audit, documents
from pharmagarde.core.access import org_view
from pharmagarde.core.exports import attachment

from .. import results
from ..access import get_campaign_or_404
from ..roles import MANAGE_ROLES, READ_ROLES

# The click-rate chart: one bar per campaign, in a viewBox of CHART_WIDTH × CHART_HEIGHT.
CHART_HEIGHT = 120
BAR_WIDTH = 36
BAR_GAP = 14


def _chart(campaigns) -> dict:
    """The bars of the click rate, campaign after campaign (hidden ones left empty)."""
    bars = []
    for index, (campaign, group) in enumerate(campaigns):
        rate = group.counts.rates["clicked"] if group.counts else None
        height = round(CHART_HEIGHT * (rate or 0) / 100)
        bars.append({"x": BAR_GAP + index * (BAR_WIDTH + BAR_GAP), "y": CHART_HEIGHT - height,
                     "height": height, "rate": rate, "name": campaign.name,
                     "number": campaign.number, "hidden": group.hidden})
    return {"bars": bars, "width": BAR_GAP + len(bars) * (BAR_WIDTH + BAR_GAP),
            "height": CHART_HEIGHT, "bar_width": BAR_WIDTH,
            "label_y": CHART_HEIGHT + 16, "view_height": CHART_HEIGHT + 24}


@org_view(roles=READ_ROLES)
@require_safe
def awareness_results_overview(request):
    found = results.overview(request.organisation)
    return render(request, "awareness/results_overview.html", {
        "overview": found, "chart": _chart(found.campaigns),
        "min_group": results.MIN_GROUP})


def _named(request, campaign) -> bool:
    """Whether this reader sees the people of this campaign."""
    return campaign.named and request.membership.role in MANAGE_ROLES


@org_view(roles=READ_ROLES)
@require_safe
def awareness_results(request, campaign_id):
    campaign = get_campaign_or_404(request, campaign_id)
    named = _named(request, campaign)
    return render(request, "awareness/results_campaign.html", {
        "campaign": campaign, "found": results.campaign_results(campaign),
        "named": named, "people": results.named_rows(campaign) if named else [],
        "min_group": results.MIN_GROUP})


def _counts_columns(label):
    def rate(name):
        return lambda row: row.counts.rates[name] if row.counts else None

    hidden = _("moins de %(n)s personnes : non affiché") % {"n": results.MIN_GROUP}
    return [
        documents.Column(label, 30, lambda row: row.label),
        documents.Column(gettext_lazy("Messages envoyés"), 12,
                         lambda row: row.counts.sent if row.counts else hidden),
        documents.Column(gettext_lazy("Ouverts (%)"), 12, rate("opened")),
        documents.Column(gettext_lazy("Cliqués, filtres exclus (%)"), 14, rate("clicked")),
        documents.Column(gettext_lazy("Cliqués, filtres compris (%)"), 14,
                         rate("clicked_with_scanners")),
        documents.Column(gettext_lazy("Clics non confirmés (%)"), 14, rate("unconfirmed")),
        documents.Column(gettext_lazy("Formulaires envoyés (%)"), 14, rate("submitted")),
        documents.Column(gettext_lazy("Signalés (%)"), 12, rate("reported")),
    ]


def _people_columns():
    return [
        documents.Column(gettext_lazy("Nom"), 20, lambda r: r.last_name),
        documents.Column(gettext_lazy("Prénom"), 16, lambda r: r.first_name),
        documents.Column(gettext_lazy("Adresse"), 28, lambda r: r.email),
        documents.Column(gettext_lazy("Fonction"), 18, lambda r: r.job),
        documents.Column(gettext_lazy("Site"), 18, lambda r: r.site),
        documents.Column(gettext_lazy("Résultat"), 18, lambda r: r.get_result_display()),
        documents.Column(gettext_lazy("Clic confirmé"), 10,
                         lambda r: (_("oui") if r.confirmed else _("non"))
                         if r.result >= r.Result.CLICKED else ""),
        documents.Column(gettext_lazy("Signalé le"), 16,
                         lambda r: timezone.localtime(r.reported_at).replace(tzinfo=None)
                         if r.reported_at else None),
    ]


@org_view(roles=READ_ROLES)
@require_safe
def awareness_results_xlsx(request, campaign_id):
    """The aggregates (and the people, in named mode, for those who manage campaigns);
    audited."""
    campaign = get_campaign_or_404(request, campaign_id)
    found = results.campaign_results(campaign)
    funnel = results.Group(None, campaign.name, found.funnel)
    sheets = [documents.Sheet(_("Campagne"), _counts_columns(_("Campagne")), [funnel]),
              documents.Sheet(_("Par fonction"), _counts_columns(_("Fonction")),
                              found.by_job.groups),
              documents.Sheet(_("Par site"), _counts_columns(_("Site")),
                              found.by_site.groups)]
    named = _named(request, campaign)
    if named:
        sheets.append(documents.Sheet(_("Personnes"), _people_columns(),
                                      results.named_rows(campaign)))
    content = documents.xlsx(sheets, title=_("Résultats de la campagne %(name)s")
                             % {"name": campaign.name})
    audit.record("awareness.campaign_exported", request=request,
                 organisation=request.organisation, obj=campaign,
                 details={"format": "xlsx", "nominatif": named})
    response = HttpResponse(content, content_type=documents.XLSX_TYPE)
    response["Content-Disposition"] = attachment(f"campagne-{campaign.number}-resultats",
                                                 "xlsx")
    return response


urlpatterns = [
    path("resultats/", awareness_results_overview, name="awareness_results_overview"),
    path("campagnes/<int:campaign_id>/resultats/", awareness_results,
         name="awareness_results"),
    path("campagnes/<int:campaign_id>/resultats/export.xlsx", awareness_results_xlsx,
         name="awareness_results_xlsx"),
]
