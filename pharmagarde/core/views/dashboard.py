from django.shortcuts import render

from ..access import org_view
from ..registry import ALL, dashboard_cards, resolve, serves, todo_hooks


@org_view(audience=ALL)
def dashboard(request):
    """The "À faire maintenant" items and the cards of every installed app, in order (a
    federation: only the cards meant for federations, and no to-do list)."""
    organisation = request.organisation
    todo = [] if organisation.kind == "federation" else [
        item for todo_items in todo_hooks() for item in todo_items(request)]
    cards = []
    for card in dashboard_cards():
        if not serves(card.audience, organisation):
            continue
        context = resolve(card.context)(request)
        if context is not None:
            cards.append((card, context))
    return render(request, "core/dashboard.html", {
        "todo": todo,
        "wide_cards": [(c.template, ctx) for c, ctx in cards if c.wide],
        "cards": [(c.template, ctx) for c, ctx in cards if not c.wide],
    })
