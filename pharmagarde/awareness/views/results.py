"""Stub: filled by its owner."""

urlpatterns = []
