"""The operational store: alerts, cases, messages, users and the audit log of a node."""

from fraudlink.store.backend import StoreUrlError, masked, store_url
from fraudlink.store.errors import (
    DuplicateError,
    NotFoundError,
    NotMigratedError,
    StoreError,
    UnreachableError,
)
from fraudlink.store.records import (
    AlertRecord,
    ApiKeyRecord,
    AuditEntry,
    AuditNote,
    AuditVerdict,
    CaseRecord,
    FreezeRecord,
    MessageRecord,
    ReportRecord,
    SessionRecord,
    UserRecord,
)
from fraudlink.store.store import Store

__all__ = [
    "AlertRecord",
    "ApiKeyRecord",
    "AuditEntry",
    "AuditNote",
    "AuditVerdict",
    "CaseRecord",
    "DuplicateError",
    "FreezeRecord",
    "MessageRecord",
    "NotFoundError",
    "NotMigratedError",
    "ReportRecord",
    "SessionRecord",
    "Store",
    "StoreError",
    "StoreUrlError",
    "UnreachableError",
    "UserRecord",
    "masked",
    "store_url",
]
