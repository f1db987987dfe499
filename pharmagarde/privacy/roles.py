"""Who does what with data protection (read by the views' decorators).

The DPO and the responsable keep the register, the processors, the requests and the impact
assessments; the référent and the auditor read them (the auditor reads everything, as
everywhere). A collaborateur sees only the notices, which are written for them and for the
patients."""

WRITE_ROLES = frozenset({"responsable", "dpo"})
READ_ROLES = WRITE_ROLES | {"referent", "auditeur"}
# The notices: everyone.
NOTICE_ROLES = READ_ROLES | {"collaborateur"}
