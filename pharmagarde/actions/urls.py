"""The action plan, under /o/<org_slug>/plan/."""

from django.urls import path

from .views import edit, evidence, exports, plan

urlpatterns = [
    path("", plan.action_list, name="action_list"),
    path("tableau/", plan.action_board, name="action_board"),
    path("imprimer/", plan.action_print, name="action_print"),
    path("nouvelle/", edit.action_new, name="action_new"),
    path("<int:action_id>/", edit.action_edit, name="action_edit"),
    path("<int:action_id>/supprimer/", edit.action_delete, name="action_delete"),
    path("<int:action_id>/statut/", edit.action_status, name="action_status"),
    path("<int:action_id>/preuves/", evidence.actionevidence_upload,
         name="actionevidence_upload"),
    path("preuves/<int:actionevidence_id>/", evidence.actionevidence_download,
         name="actionevidence_download"),
    path("preuves/<int:actionevidence_id>/supprimer/", evidence.actionevidence_delete,
         name="actionevidence_delete"),
    path("export.xlsx", exports.action_export_xlsx, name="action_export_xlsx"),
    path("export.csv", exports.action_export_csv, name="action_export_csv"),
    path("echeances.ics", exports.action_export_ics, name="action_export_ics"),
]
