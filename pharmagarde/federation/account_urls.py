"""Pages of a signed-in user across their organisations (/mes-structures/federations/):
answering a federation's invitation for one of the organisations they are responsable of."""

from django.urls import path

from .views import invitation

urlpatterns = [
    path("invitation/<str:token>/", invitation.federation_invitation,
         name="federation_invitation"),
]
