"""Demonstration federation (filled below)."""


def load(demo) -> None:
    return None
