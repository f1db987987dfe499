"""The awareness pages across one's organisations, under /mes-structures/sensibilisation/
(core.access.account_view): assigning a module or a campaign to several of them."""

from .views import bulk

urlpatterns = [*bulk.urlpatterns]
