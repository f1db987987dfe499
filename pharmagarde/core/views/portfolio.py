"""The page across every organisation the user belongs to."""

from django.shortcuts import render

from ..access import account_view


@account_view
def portfolio(request):
    return render(request, "core/portfolio.html", {"memberships": request.memberships})
