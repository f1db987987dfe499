from django.shortcuts import render

from ..access import org_view
from ..registry import dashboard_cards, resolve, todo_hooks


@org_view
def dashboard(request):
    """The "À faire maintenant" items and the cards of every installed app, in order."""
    todo = [item for todo_items in todo_hooks() for item in todo_items(request)]
    cards = []
    for card in dashboard_cards():
        context = resolve(card.context)(request)
        if context is not None:
            cards.append((card, context))
    return render(request, "core/dashboard.html", {
        "todo": todo,
        "wide_cards": [(c.template, ctx) for c, ctx in cards if c.wide],
        "cards": [(c.template, ctx) for c, ctx in cards if not c.wide],
    })
