from django import template

from ..adapter import signup_refusal

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_open(context):
    """Whether this visitor may create an account (open sign-up, or a valid invitation)."""
    request = context.get("request")
    return request is not None and signup_refusal(request) is None
