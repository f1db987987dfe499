"""Stub: filled by its owner."""


def due(now):
    return []
