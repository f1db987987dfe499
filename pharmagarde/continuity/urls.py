"""The continuity app's addresses, under /o/<org_slug>/continuite/: each views module
brings its own `urlpatterns`."""

from .views import exercises, home, kit, plan, restores

urlpatterns = [
    *home.urlpatterns,
    *restores.urlpatterns,
    *exercises.urlpatterns,
    *plan.urlpatterns,
    *kit.urlpatterns,
]
