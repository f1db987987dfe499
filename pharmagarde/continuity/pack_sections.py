"""What continuity contributes to the audit packs (core/packs.py)."""


def sections(pack):
    return []
