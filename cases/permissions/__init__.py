"""The one permission path of Docket.

Roles on a case are stored as django-guardian object permissions (``CaseUserObjectPermission`` rows, written only
by ``role_permissions_sync`` below). Every page, API view, admin screen, search query and document generator asks
this module — and nothing else — what a user may see or do:

- ``cases_for(user, perm)`` / ``case_get(user, pk, perm)`` / ``case_perms(user, case)``
- ``incidents_for(user, perm)`` / ``incident_get(user, pk, perm)`` / ``incident_perms(user, incident)``
- ``persons_for(user)`` / ``person_require(user, pk, perm)`` / ``person_identity_ids(user, ids)``
- ``incident_movable`` / ``person_movable`` and ``person_link_check``: may a thing leave where it is (no transitive
  grants, see docs/access-model.md)

Missing and forbidden are the same answer: ``Http404``. Evidence and deadlines derive their rules from the cases
and incidents they belong to (``evidence.permissions``, ``deadlines.permissions`` call into this module).
"""
from cases.permissions.base import *  # noqa: F403
from cases.permissions.base import _active, _permission_ids  # noqa: F401  (kept for callers of the old name)
from cases.permissions.incidents import *  # noqa: F403
from cases.permissions.persons import *  # noqa: F403
