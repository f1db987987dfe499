from .models import Membership


def organisations(request):
    """The organisations the signed-in user can switch between, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def my_memberships():
        return list(
            Membership.objects.filter(user=user).select_related("organisation")
            .order_by("organisation__name")
        )

    # Lazy: pages that never show the switcher (errors, mails) make no query.
    from django.utils.functional import SimpleLazyObject

    return {
        "my_memberships": SimpleLazyObject(my_memberships),
        "current_organisation": getattr(request, "organisation", None),
        "current_membership": getattr(request, "membership", None),
    }
