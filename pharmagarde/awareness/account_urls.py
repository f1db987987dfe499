"""The awareness pages across one's organisations, under /mes-structures/sensibilisation/
(core.access.account_view): assigning a module or a campaign to several of them.
`portfolio_links`: the links to them on /mes-structures/ (core.portfolio.account_links)."""

from .views import bulk

urlpatterns = [*bulk.urlpatterns]
portfolio_links = bulk.portfolio_links
