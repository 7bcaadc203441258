"""The shared runtime every Kulturbro service stands on (the role of eShop's ServiceDefaults)."""

from kulturbro_runtime.consumer import Batched, Handler, HandlerTable, NotYet, merge_handlers
from kulturbro_runtime.identity import (
    Caller,
    CallerDep,
    MunicipalCallerDep,
    Role,
    allow,
    public,
    require_role,
)
from kulturbro_runtime.service import RuntimeDep, Service
from kulturbro_runtime.settings import ServiceSettings
from kulturbro_runtime.unit_of_work import UnitOfWork

__all__ = [
    "Batched",
    "Caller",
    "CallerDep",
    "Handler",
    "HandlerTable",
    "MunicipalCallerDep",
    "NotYet",
    "Role",
    "RuntimeDep",
    "Service",
    "ServiceSettings",
    "UnitOfWork",
    "allow",
    "merge_handlers",
    "public",
    "require_role",
]
