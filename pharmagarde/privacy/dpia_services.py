"""Stub: filled by its owner."""


def items(organisation):
    return []
