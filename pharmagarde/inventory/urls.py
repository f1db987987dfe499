from django.urls import path

from . import views
from .kinds import KINDS

urlpatterns = [
    path("", views.inventory_home, name="inventory_home"),
    path("constats/", views.finding_list, name="inventory_findings"),
    path("constats/<int:finding_id>/accepter/", views.finding_accept,
         name="inventory_finding_accept"),
    path("constats/<int:finding_id>/rouvrir/", views.finding_reopen,
         name="inventory_finding_reopen"),
    path("importer/", views.import_start, name="inventory_import"),
    path("importer/<int:importbatch_id>/", views.import_preview,
         name="inventory_import_preview"),
    path("importer/<int:importbatch_id>/colonnes/", views.import_columns,
         name="inventory_import_columns"),
    path("importer/modele/<slug:target>.csv", views.import_template,
         name="inventory_import_template"),
    path("<slug:kind>/", views.item_list, name="inventory_list"),
    path("<slug:kind>/ajouter/", views.item_add, name="inventory_add"),
    path("<slug:kind>/export.csv", views.item_export, name="inventory_export"),
    path("<slug:kind>/lot/", views.item_bulk, name="inventory_bulk"),
]
# One address per kind for its items, with the parameter named after the model
# (<device_id>…): the access walk tries every one with another organisation's object.
for _kind in KINDS:
    urlpatterns += [
        path(f"{_kind.slug}/<int:{_kind.param}>/", views.item_edit,
             {"kind": _kind.slug}, name=f"inventory_{_kind.model._meta.model_name}"),
        path(f"{_kind.slug}/<int:{_kind.param}>/ligne/", views.item_row,
             {"kind": _kind.slug}, name=f"inventory_{_kind.model._meta.model_name}_row"),
        path(f"{_kind.slug}/<int:{_kind.param}>/historique/", views.item_history,
             {"kind": _kind.slug}, name=f"inventory_{_kind.model._meta.model_name}_history"),
        path(f"{_kind.slug}/<int:{_kind.param}>/supprimer/", views.item_delete,
             {"kind": _kind.slug}, name=f"inventory_{_kind.model._meta.model_name}_delete"),
    ]
