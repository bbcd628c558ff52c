"""The role table and cases: who holds which permission on a case (docs/access-model.md, "Roles on a case")."""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseUserObjectPermission, Party, Role
from config.inputs import MAX_ID, parse_id  # noqa: F401  (one definition of an id, re-exported)

# --- The role table: the single place where a role's abilities are decided. ---------------------------------
VIEW_CASE = "view_case"
CHANGE_CASE = "change_case"
DELETE_CASE = "delete_case"
MANAGE_MEMBERS = "manage_members"
MOVE_OUT = "move_out"
VIEW_PRIVILEGED = "view_privileged"
VIEW_IDENTITIES = "view_identities"
EDIT_INCIDENTS = "edit_incidents"
EDIT_EVIDENCE = "edit_evidence"
DOWNLOAD_RESTRICTED = "download_restricted"
GENERATE_DOCUMENTS = "generate_documents"
EDIT_DEADLINES = "edit_deadlines"

ALL_CASE_PERMS: frozenset[str] = frozenset(
    {
        VIEW_CASE, CHANGE_CASE, DELETE_CASE, MANAGE_MEMBERS, MOVE_OUT, VIEW_PRIVILEGED, VIEW_IDENTITIES, EDIT_INCIDENTS,
        EDIT_EVIDENCE, DOWNLOAD_RESTRICTED, GENERATE_DOCUMENTS, EDIT_DEADLINES,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.LEAD: ALL_CASE_PERMS,
    Role.LAWYER: frozenset(
        {
            VIEW_CASE, CHANGE_CASE, VIEW_PRIVILEGED, VIEW_IDENTITIES, EDIT_INCIDENTS, EDIT_EVIDENCE,
            DOWNLOAD_RESTRICTED, GENERATE_DOCUMENTS, EDIT_DEADLINES,
        }
    ),
    Role.RESEARCHER: frozenset({VIEW_CASE, VIEW_IDENTITIES, EDIT_INCIDENTS, EDIT_EVIDENCE, DOWNLOAD_RESTRICTED}),
    Role.COORDINATOR: frozenset({VIEW_CASE, VIEW_IDENTITIES, DOWNLOAD_RESTRICTED, GENERATE_DOCUMENTS}),
    Role.OBSERVER: frozenset({VIEW_CASE}),
}

# Incident abilities, and the case permission that grants each through a linked (live) case.
VIEW_INCIDENT = "view_incident"
CHANGE_INCIDENT = "change_incident"
DELETE_INCIDENT = "delete_incident"
VIEW_INCIDENT_IDENTITIES = "view_incident_identities"
MOVE_INCIDENT = "move_incident"  # link it to cases, share it, take it off its last case
INCIDENT_PERM_FROM_CASE: dict[str, str] = {
    VIEW_INCIDENT: VIEW_CASE,
    CHANGE_INCIDENT: EDIT_INCIDENTS,
    DELETE_INCIDENT: EDIT_INCIDENTS,
    VIEW_INCIDENT_IDENTITIES: VIEW_IDENTITIES,
    MOVE_INCIDENT: MOVE_OUT,
}
ALL_INCIDENT_PERMS: frozenset[str] = frozenset(INCIDENT_PERM_FROM_CASE)
# While an incident is linked to no case: its owner holds everything; a user it is shared with may read it (and
# edit its fields when shared "with edit"), never trash, purge, share or link it.
OWNER_INCIDENT_PERMS = ALL_INCIDENT_PERMS
SHARED_INCIDENT_PERMS = frozenset({VIEW_INCIDENT, VIEW_INCIDENT_IDENTITIES})
SHARED_INCIDENT_EDIT_PERMS = frozenset({VIEW_INCIDENT, CHANGE_INCIDENT, VIEW_INCIDENT_IDENTITIES})


def is_active_user(user) -> bool:
    """A signed-in, active account (anonymous and deactivated users see nothing)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


# --- Cases that require two factors ---------------------------------------------------------------------------
class SecondFactorRequired(PermissionDenied):
    """A member who has not signed in with a second factor asked for a case that requires one (or for something in
    it): 403 with this message, on pages and in the API (``api_extra`` goes into the JSON body)."""

    api_extra = {"second_factor_required": True}

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or str(_(
            "This case requires two-factor sign-in. Set up an authenticator in your account (or sign out and in "
            "again with your code), then open it again.")))


def second_factor_verified(user) -> bool:
    """Whether ``user``'s current sign-in used a second factor.

    A browser session answers through django-otp (``OTPMiddleware`` gives the user ``is_verified()``); an API token
    through ``accounts.auth``, which records at issue whether the token was obtained with a valid code. Where there
    is no sign-in to ask (a command, a task, the private calendar feed), the account counts as verified when it has
    a confirmed authenticator."""
    if not _active(user):
        return False
    check = getattr(user, "is_verified", None)
    if callable(check):
        return bool(check())
    return _has_confirmed_device(user.pk)


def _has_confirmed_device(user_id) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user_id=user_id, confirmed=True).exists()


def _second_factor_q(user, prefix: str = "") -> Q:
    """A filter on cases (through ``prefix``) that leaves out those requiring two factors when ``user``'s sign-in
    did not use one; no query of its own."""
    check = getattr(user, "is_verified", None)
    if callable(check):
        return Q() if check() else Q(**{f"{prefix}two_factor_required": False})
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return Q(**{f"{prefix}two_factor_required": False}) | Q(
        Exists(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True)))


def _as_verified(user):
    """The same account as if its sign-in had used a second factor (only to tell 403 from 404)."""
    clone = copy.copy(user)
    clone.is_verified = lambda: True
    return clone


def refuse_without_second_factor(user, reachable: Callable[[object], bool]) -> None:
    """Called where an object was not found for ``user``: SecondFactorRequired if ``reachable(user signed in with
    two factors)`` — the object is there for them, behind a case that requires two factors — else nothing (the
    caller answers 404). Members learn nothing new: the case is theirs."""
    if _active(user) and not second_factor_verified(user) and reachable(_as_verified(user)):
        raise SecondFactorRequired()


def _permission_ids(model, codenames: Iterable[str]) -> dict[str, int]:
    perms = Permission.objects.filter(content_type__app_label="cases", content_type__model=model._meta.model_name)
    wanted = set(codenames)
    found = {p.codename: p.pk for p in perms if p.codename in wanted}
    missing = wanted - set(found)
    if missing:  # pragma: no cover - migrations create them; this guards a half-migrated database
        raise RuntimeError(f"permissions missing for {model.__name__}: {sorted(missing)}")
    return found


# --- Cases ---------------------------------------------------------------------------------------------------
def role_permissions_sync(*, case: Case, user, role: str | None) -> None:
    """Make the user's guardian rows on ``case`` exactly those of ``role`` (None removes them all).

    Called only by the membership services, inside their transaction."""
    CaseUserObjectPermission.objects.filter(content_object=case, user=user).delete()
    case.__dict__.pop("_docket_perms_memo", None)
    if role is None:
        return
    ids = _permission_ids(Case, ROLE_PERMISSIONS[role])
    CaseUserObjectPermission.objects.bulk_create(
        [CaseUserObjectPermission(content_object=case, user=user, permission_id=pid) for pid in ids.values()]
    )


def _permission_q(perm: str) -> Q:
    """``perm`` (a case permission codename) as an uncorrelated subquery on the permission table, read once per
    query, so each check of a guardian row is one lookup in its unique ``(user, permission, case)`` index."""
    return Q(permission__in=Permission.objects.filter(codename=perm, content_type__app_label="cases",
                                                      content_type__model="case").values("pk"))


def _case_perm_exists(user, perm: str, outer: str = "pk") -> Exists:
    return Exists(CaseUserObjectPermission.objects.filter(_permission_q(perm), content_object=OuterRef(outer),
                                                          user=user))


def cases_for(user, perm: str = VIEW_CASE, *, include_trashed: bool = False, trashed_only: bool = False) -> QuerySet:
    """The cases on which ``user`` holds ``perm``. Trashed cases are left out unless asked for.

    A correlated check per case: one index lookup for a single case, and the case list's first page walks the index
    on ``(deleted_at, updated_at, id)`` and stops after a page. For a set of ids inside another query (the cases of
    incidents, of evidence) use ``case_ids_for``."""
    qs = Case.objects.all()
    if trashed_only:
        qs = qs.trashed()
    elif not include_trashed:
        qs = qs.alive()
    if not _active(user):
        return qs.none()
    if user.is_superuser:  # staff sign in with two factors (accounts.middleware): nothing to hold back
        return qs
    return qs.filter(_second_factor_q(user)).filter(_case_perm_exists(user, perm))


def cases_from_rows(user, perm: str = VIEW_CASE) -> QuerySet:
    """The live cases on which ``user`` holds ``perm`` — what ``cases_for`` selects — found from the user's own
    guardian rows (read once through their unique index, each case then looked up by primary key) instead of a check
    run for every case of the table: the fast way to count them, or to use their ids inside another query."""
    qs = Case.objects.alive()
    if not _active(user):
        return qs.none()
    if user.is_superuser:
        return qs
    rows = CaseUserObjectPermission.objects.filter(_permission_q(perm), user=user).values("content_object_id")
    return qs.filter(_second_factor_q(user)).filter(pk__in=rows)


def case_ids_for(user, perm: str = VIEW_CASE) -> QuerySet:
    """``cases_from_rows`` as a subquery of ids, for ``__in`` filters of other objects (incidents, evidence, …)."""
    return cases_from_rows(user, perm).values("pk")


def case_get(user, pk, perm: str = VIEW_CASE, *, include_trashed: bool = False) -> Case:
    """The case, if ``user`` holds ``perm`` on it; otherwise Http404 whether it exists or not (SecondFactorRequired,
    a 403, for a member of a case that requires two factors whose sign-in did not use them)."""
    pk = parse_id(pk)
    if pk is None:
        raise Http404("No such case.")
    case = cases_for(user, perm, include_trashed=include_trashed).filter(pk=pk).first()
    if case is None:
        refuse_without_second_factor(
            user, lambda u: cases_for(u, perm, include_trashed=include_trashed).filter(pk=pk).exists())
        raise Http404("No such case.")
    return case


def case_require(user, pk, perm: str, *, include_trashed: bool = False) -> Case:
    """For an action: Http404 if the user may not even view the case, PermissionDenied if they may view it but
    lack ``perm``. The 403 reveals nothing, because the caller can already see the case."""
    case = case_get(user, pk, VIEW_CASE, include_trashed=include_trashed)
    if perm not in case_perms(user, case):
        raise PermissionDenied(gettext("Your role on this case does not allow this."))
    return case


def _case_child_require(model, label: str, user, pk, perm: str):
    """A row that belongs to a case (a proceeding, a party): 404 unless its case is visible, then ``case_require``."""
    pk = parse_id(pk)
    obj = model.objects.filter(pk=pk, case__in=cases_for(user).values("pk")).first() if pk is not None else None
    if obj is None:
        if pk is not None:
            refuse_without_second_factor(
                user, lambda u: model.objects.filter(pk=pk, case__in=cases_for(u).values("pk")).exists())
        raise Http404(f"No such {label}.")
    if perm != VIEW_CASE:
        case_require(user, obj.case_id, perm)
    return obj


def proceedings_for(user, perm: str = VIEW_CASE) -> QuerySet:
    """The proceedings of the live cases on which ``user`` holds ``perm``."""
    from cases.models import Proceeding

    return Proceeding.objects.filter(case__in=case_ids_for(user, perm))


def proceeding_require(user, pk, perm: str = VIEW_CASE):
    from cases.models import Proceeding

    return _case_child_require(Proceeding, "proceeding", user, pk, perm)


def party_require(user, pk, perm: str = VIEW_CASE) -> Party:
    return _case_child_require(Party, "party", user, pk, perm)


def case_perms(user, case: Case) -> frozenset[str]:
    if not _active(user):
        return frozenset()
    if user.is_superuser:
        return ALL_CASE_PERMS
    if case.two_factor_required and not second_factor_verified(user):
        return frozenset()
    # Read once per case object and user: a page asks several times (its own buttons, each section it includes).
    # ``role_permissions_sync`` forgets what was read for the case object it is given.
    memo = case.__dict__.setdefault("_docket_perms_memo", {})
    if user.pk not in memo:
        memo[user.pk] = frozenset(
            CaseUserObjectPermission.objects.filter(content_object=case, user=user).values_list(
                "permission__codename", flat=True
            )
        )
    return memo[user.pk]


def case_perms_map(user, case_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """Permissions for many cases in one query (for list pages and serializers)."""
    ids = list(case_ids)
    if not _active(user) or not ids:
        return {pk: frozenset() for pk in ids}
    if user.is_superuser:
        return {pk: ALL_CASE_PERMS for pk in ids}
    found: dict[int, set[str]] = {pk: set() for pk in ids}
    rows = CaseUserObjectPermission.objects.filter(content_object_id__in=ids, user=user).filter(
        _second_factor_q(user, "content_object__")).values_list("content_object_id", "permission__codename")
    for case_id, codename in rows:
        found[case_id].add(codename)
    return {pk: frozenset(v) for pk, v in found.items()}


def has_case_perm(user, case: Case, perm: str) -> bool:
    return perm in case_perms(user, case)


def role_of(user, case: Case) -> str | None:
    """The user's role on the case, or None (superusers without a membership have none)."""
    if not _active(user):
        return None
    membership = case.memberships.filter(user=user).only("role").first()
    return membership.role if membership else None



def anonymous() -> AnonymousUser:
    return AnonymousUser()

