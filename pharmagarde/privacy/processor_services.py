"""Stub: filled by its owner."""


def due(now):
    return []


def items(organisation):
    return []
