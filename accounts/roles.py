"""Roles, their permissions, and who may grant which role.

Roles are auth groups, so a deployment can see and audit them in the admin; this module is their single
definition and ``roles_sync`` brings the groups in line with it.
"""
from django.contrib.auth.models import Group, Permission
from django.db import models

ALL = ("add", "change", "delete", "view")
VIEW = ("view",)

LEDGER_MODELS = (
    "associations.association",
    "associations.officer",
    "associations.systemadoption",
    "associations.supervisingunit",
    "associations.partyleagueorganisation",
    "associations.seatmembership",
    "associations.commendation",
)
MEMBER_MODELS = (
    "members.volunteer", "members.individualmember", "members.unitmember",
    "teams.team", "teams.teammembership", "teams.youthvolunteerorganisation", "teams.incubation",
    "teams.servicebase",
    "projects.project", "projects.fundingline", "projects.contestentry", "projects.activity",
    "projects.servicerecord", "training.trainingsession", "training.attendance",
)
# Issued certificates and correction logs are never changed; stars come from the hours and are confirmed by staff.
RECORD_GRANTS = [("projects", "add_certificate"), ("projects", "view_certificate"),
                 ("projects", "view_servicerecordcorrection"), ("members", "view_volunteerstar")]
STAR_APPROVAL = [("members", "change_volunteerstar")]
# Everyone with a role reads the dashboard; the region sets targets and may recompute the snapshots.
DASHBOARD = [("reports", "view_metricsnapshot"), ("reports", "view_target")]
TARGET_SETTING = [("reports", "add_target"), ("reports", "change_target"), ("reports", "add_metricsnapshot"),
                  ("projects", "view_keydate"), ("projects", "add_keydate"), ("projects", "change_keydate"),
                  ("reports", "view_pillar"), ("reports", "change_pillar")]
UNMASK = [("members", "unmask_personal_data"), ("members", "view_personaldataaccess")]


class Role(models.TextChoices):
    REGION_STAFF = "region_staff", "自治区团委工作人员"
    LEAGUE_STAFF = "league_staff", "盟市团委工作人员"
    COUNTY_STAFF = "county_staff", "旗县团委工作人员"
    SECRETARIAT = "secretariat", "协会秘书处工作人员"
    OFFICIAL = "official", "只读查看（文明办、民政等）"


def _grants(models_: tuple[str, ...], actions: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(m.split(".")[0], f"{a}_{m.split('.')[1]}") for m in models_ for a in actions]


ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    Role.REGION_STAFF: _grants(("divisions.division",), VIEW)
    + _grants(LEDGER_MODELS + MEMBER_MODELS, ALL)
    + _grants(("accounts.user",), ("add", "change", "view"))
    + UNMASK + RECORD_GRANTS + STAR_APPROVAL + DASHBOARD + TARGET_SETTING,
    Role.LEAGUE_STAFF: _grants(("divisions.division",), VIEW)
    + _grants(LEDGER_MODELS + MEMBER_MODELS, ALL)
    + _grants(("accounts.user",), ("add", "change", "view"))
    + UNMASK + RECORD_GRANTS + STAR_APPROVAL + DASHBOARD,
    Role.COUNTY_STAFF: _grants(("divisions.division",), VIEW) + _grants(LEDGER_MODELS + MEMBER_MODELS, ALL)
    + RECORD_GRANTS + STAR_APPROVAL + DASHBOARD,
    Role.SECRETARIAT: _grants(("divisions.division",), VIEW)
    + _grants(LEDGER_MODELS, VIEW)
    + _grants(MEMBER_MODELS, ALL)
    + RECORD_GRANTS + DASHBOARD,
    Role.OFFICIAL: _grants(("divisions.division",), VIEW) + _grants(LEDGER_MODELS + MEMBER_MODELS, VIEW)
    + [("projects", "view_certificate"), ("members", "view_volunteerstar")] + DASHBOARD,
}

# Which roles an account manager may hand out: never their own level or above.
GRANTABLE_ROLES: dict[str, tuple[str, ...]] = {
    Role.REGION_STAFF: (Role.LEAGUE_STAFF, Role.COUNTY_STAFF, Role.SECRETARIAT, Role.OFFICIAL),
    Role.LEAGUE_STAFF: (Role.COUNTY_STAFF, Role.SECRETARIAT, Role.OFFICIAL),
}


def group_name(role: str) -> str:
    return Role(role).label


def roles_of(user) -> set[str]:
    labels = {r.label: r.value for r in Role}
    return {labels[g.name] for g in user.groups.all() if g.name in labels}


def grantable_roles(user) -> set[str]:
    if user.is_superuser:
        return {r.value for r in Role}
    granted: set[str] = set()
    for role in roles_of(user):
        granted.update(GRANTABLE_ROLES.get(role, ()))
    return granted


def roles_sync(*, using: str = "default") -> None:
    """Create the role groups and set exactly their permissions. Idempotent; missing permissions (an app not
    migrated yet) are skipped and picked up by the next run."""
    perms = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=group_name(role))
        wanted = {perms[g] for g in grants if g in perms}
        current = set(group.permissions.values_list("pk", flat=True))
        if current != wanted:
            group.permissions.set(wanted)
