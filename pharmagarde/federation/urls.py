from .views import dashboard, members, mine

urlpatterns = [*dashboard.urlpatterns, *members.urlpatterns, *mine.urlpatterns]
