"""Who sees what of the incidents (read by apps.py before the models are loaded).

Any member may declare an incident and follow the reflexes of the ones they declared. The
incident list as a whole, the breach register, the drafts and the exports are for the
people who handle them: responsables, référents, the DPO, and the auditor (read only)."""

REGISTER_ROLES = frozenset({"responsable", "referent", "dpo", "auditeur"})
# Those who are alerted at once when an incident is declared.
ALERTED_ROLES = frozenset({"responsable", "referent"})
