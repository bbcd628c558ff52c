"""API v1 for accounts, cases, members, history, incidents, proceedings, parties and persons (API.md).

Each view parses input with a small serializer, asks ``cases.permissions`` for the object (404 when the caller may
not view it, 403 when they may view it but not act), calls one service or selector, and renders the output.
"""
from cases.api.cases import *  # noqa: F401,F403
from cases.api.common import HistoryEntrySerializer, StrictSerializerMixin  # noqa: F401
from cases.api.incidents import *  # noqa: F401,F403
from cases.api.incidents import IncidentSerializer  # noqa: F401
from cases.api.records import *  # noqa: F401,F403
from cases.api.cases import CaseSerializer  # noqa: F401
from cases.api.records import PersonSerializer, ProceedingSerializer  # noqa: F401
