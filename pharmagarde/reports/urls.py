from .views import packs

urlpatterns = [*packs.urlpatterns]
