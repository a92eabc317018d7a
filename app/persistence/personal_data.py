"""Which stored columns are personal data: left out of the audit trail, cleared by an erasure."""

from __future__ import annotations

#: Table → columns holding personal data (names and addresses of people, free text about a
#: learner). The audit trail records them as changed without their value; an erasure clears
#: those of the learner's records.
PERSONAL_COLUMNS: dict[str, frozenset[str]] = {
    "learners": frozenset({"name", "external_id", "email"}),
    "accounts": frozenset({"name", "email"}),
    "evidence": frozenset({"note", "withdrawn_reason"}),
    "entrustments": frozenset({"note", "withdrawn_reason"}),
    "held_diplomas": frozenset({"note"}),
    "vmbo_completions": frozenset({"withdrawn_reason"}),
    "credential_status_events": frozenset({"reason"}),
    "placement_requests": frozenset({"home_lat", "home_lon"}),
    "credential_deliveries": frozenset({"holder"}),
}
