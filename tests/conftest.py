import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: allauth's rate limits and the cached peer
    averages must not leak from one test into the next."""
    cache.clear()
    yield
