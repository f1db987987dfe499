"""Optimistic concurrency, one way for every app: a form carries the revision it showed;
saving claims that revision or raises a conflict that carries the other person's version,
so that the page can show both (actions/views/edit.py, diagnostic/views/answering.py)."""

from django.db.models import F, Model, QuerySet


class RevisionConflict(Exception):
    """Someone else saved this row since the form was shown; `current` is their version."""

    def __init__(self, current: Model, message: str = ""):
        super().__init__(message or str(current))
        self.current = current


def claim_revision(queryset: QuerySet, pk, revision: int | None, *, conflict: type,
                   current: QuerySet | None = None, **fields) -> None:
    """Add one to the row's revision (and write `fields`) only if it is still `revision`
    (None: no check). Otherwise raise `conflict(<the row as saved now>)`.

    The update itself is the check: a concurrent save makes it match no row, and on
    PostgreSQL the row stays locked until the transaction ends. `current` is the queryset
    the other version is read from (with its select_related), `queryset` by default.
    """
    rows = queryset.filter(pk=pk)
    if revision is not None:
        rows = rows.filter(revision=revision)
    if not rows.update(revision=F("revision") + 1, **fields):
        raise conflict((current if current is not None else queryset).get(pk=pk))
