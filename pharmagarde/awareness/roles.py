"""Who does what with awareness (read by the views' decorators).

The responsable and the référent run the campaigns and assign the training; the DPO and
the auditor read the results (anonymous groups, as everyone). Every member takes their own
modules (« Mes formations »); staff without an account take them through their personal
link."""

MANAGE_ROLES = frozenset({"responsable", "referent"})
READ_ROLES = MANAGE_ROLES | {"dpo", "auditeur"}
