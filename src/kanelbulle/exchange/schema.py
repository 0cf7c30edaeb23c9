"""The exchange format's vocabulary shared by the importer, the exporter and the docs.

Field names per kind, which may be left out, and the enumerations, so that reading and
writing a document can never drift apart.
"""

from __future__ import annotations

FORMAT = "kanelbulle/1"

# The order kinds are read, written and reported in (references point backwards only,
# except a meeting request's optional honoured_by, which points at a meeting).
KINDS = ("users", "customers", "contacts", "meetings", "meeting_requests", "deals", "orders", "gifts", "erasures")
# Read and written after every kind above; counted in an import's report only when the document has one.
AUDIT_LOG = "audit_log"
# The company's travel policy, every version (planner/policy.py); read and written like the audit log.
TRAVEL_POLICIES = "travel_policies"
TRAVEL_POLICY_FIELDS = {"version", "valid_from", "note", "policy"}
TRAVEL_POLICY_REQUIRED = {"version", "valid_from", "policy"}

# Erasure kinds (singular, as in refs.PREFIXES) and the list they name.
ERASABLE = {
    "customer": "customers",
    "contact": "contacts",
    "meeting": "meetings",
    "meeting_request": "meeting_requests",
    "deal": "deals",
    "order": "orders",
    "gift": "gifts",
}
SINGULAR = {plural: singular for singular, plural in ERASABLE.items()} | {"users": "user"}

TOP_LEVEL = {"format", "strict", "exported_at", *KINDS, AUDIT_LOG, TRAVEL_POLICIES}

USER_FIELDS = {"username", "name", "role", "team", "email", "home"}
USER_REQUIRED = {"username", "name", "role"}
HOME_FIELDS = {"city", "country", "lat", "lon"}

CUSTOMER_FIELDS = {
    "ref",
    "name",
    "org_number",
    "country",
    "city",
    "lat",
    "lon",
    "owner",
    "potential",
    "public_sector",
    "time_zone",
    "visit_minutes",
    "opening_hours",
    "gift_policy",
    "tender_open_until",
}
CUSTOMER_REQUIRED = {"ref", "name", "country", "city", "owner", "potential", "public_sector", "visit_minutes"}
GIFT_POLICY_FIELDS = {"accepts_gifts", "max_value"}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

CONTACT_FIELDS = {"ref", "customer", "name", "title", "email", "phone", "lawful_basis", "source", "facts"}
CONTACT_REQUIRED = {"ref", "customer", "name", "lawful_basis"}
FACT_FIELDS = {"kind", "text", "source", "learned"}
FACT_REQUIRED = {"kind", "text"}

MEETING_FIELDS = {
    "ref",
    "customer",
    "contacts",
    "user",
    "start",
    "duration_minutes",
    "modality",
    "requested_by_customer",
    "notes",
    "unsaid",
    "status",
    "next_step",
    "next_step_date",
}
MEETING_REQUIRED = {"ref", "customer", "user", "start", "duration_minutes", "modality", "requested_by_customer"}

REQUEST_FIELDS = {"ref", "customer", "contact", "requested_at", "status", "honoured_by"}
REQUEST_REQUIRED = {"ref", "customer", "requested_at", "status"}

DEAL_FIELDS = {
    "ref",
    "customer",
    "user",
    "title",
    "value",
    "margin_pct",
    "probability_pct",
    "stage",
    "created",
    "closed",
}
DEAL_REQUIRED = {"ref", "customer", "user", "title", "value", "stage", "created"}

ORDER_FIELDS = {"ref", "customer", "date", "value", "margin_pct"}
ORDER_REQUIRED = {"ref", "customer", "date", "value"}

GIFT_FIELDS = {
    "ref",
    "direction",
    "customer",
    "contact",
    "user",
    "date",
    "description",
    "category",
    "value",
    "occasion",
    "approved_by",
    "approved_at",
    "voided_at",
    "voided_by",
    "void_reason",
}
GIFT_REQUIRED = {"ref", "direction", "customer", "user", "date", "description", "category", "value"}

ERASURE_FIELDS = {"kind", "ref", "erased_at", "records"}
ERASURE_REQUIRED = {"kind", "ref", "erased_at"}
# An erasure's ``records``: "kind:ref" of the records whose free text it redacted.
ERASURE_RECORD_KINDS = ("meeting", "gift", "deal", "contact")

# The audit log (operator exports only). ``who`` is a username, or the label of whoever acted
# without one ("operator", "demo", …); left out when not known (the user was deleted).
AUDIT_FIELDS = {"at", "who", "action", "kind", "ref", "detail"}
AUDIT_REQUIRED = {"at", "action"}
# What an import writes about itself: a fresh note by every import, so never exchanged (an
# export leaves them out and an import refuses them); otherwise export, import into an empty
# database and export again would not give the same document.
IMPORT_ACTIONS = ("import", "import_provenance")
