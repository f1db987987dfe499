from django.urls import path

from .views import answering, results

urlpatterns = [
    path("", answering.assessment_list, name="assessment_list"),
    path("nouveau/", answering.assessment_start, name="assessment_start"),
    path("<int:assessment_id>/", answering.assessment_detail, name="assessment_detail"),
    path("<int:assessment_id>/theme/<slug:theme_id>/", answering.assessment_theme,
         name="assessment_theme"),
    path("<int:assessment_id>/reponse/<slug:question_id>/", answering.answer_save,
         name="answer_save"),
    path("<int:assessment_id>/reponse/<slug:question_id>/preuves/", answering.evidence_upload,
         name="evidence_upload"),
    path("preuves/<int:evidence_id>/", answering.evidence_download, name="evidence_download"),
    path("preuves/<int:evidence_id>/supprimer/", answering.evidence_delete,
         name="evidence_delete"),
    path("<int:assessment_id>/terminer/", answering.assessment_complete,
         name="assessment_complete"),
    path("<int:assessment_id>/resultats/", results.assessment_results,
         name="assessment_results"),
    path("<int:assessment_id>/radar.svg", results.assessment_radar, name="assessment_radar"),
    path("<int:assessment_id>/version/", results.version_changes, name="version_changes"),
]
