from allauth.mfa.models import Authenticator
from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def account_settings(request):
    authenticators = Authenticator.objects.filter(user=request.user)
    return render(request, "accounts/settings.html", {"authenticators": authenticators})
