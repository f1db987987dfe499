from .views import dashboard, members, mine, remote

urlpatterns = [*dashboard.urlpatterns, *members.urlpatterns, *mine.urlpatterns,
               *remote.urlpatterns]
