"""Stub."""


def load(demo):
    return None
