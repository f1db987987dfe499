"""What continuity says about each organisation across one's organisations (core/portfolio.py)."""


def summaries(memberships):
    return {}
