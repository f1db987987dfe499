"""Who does what with the audit packs: readers see and download them (the auditor
included); requesters ask for them; the responsables alone approve the plan (org_view's
manage=True)."""

READERS = frozenset({"responsable", "referent", "dpo", "auditeur"})
REQUESTERS = frozenset({"responsable", "referent", "dpo"})
