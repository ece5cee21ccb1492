"""The admin site: its modules in the order of the work, not in the order of their names' code points."""
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

# 协会台账 → 会员与志愿者 → 服务队 → 项目与服务 → 培训 → 统计, then the reference data and the accounts.
APP_ORDER = ("associations", "members", "teams", "projects", "training", "reports", "divisions", "common",
             "accounts", "authtoken", "axes")
MODEL_ORDER = {
    "associations": ("Association", "Commendation"),
    "members": ("Volunteer", "IndividualMember", "UnitMember", "VolunteerStar", "PersonalDataAccess"),
    "teams": ("Team", "TeamMembership", "YouthVolunteerOrganisation", "ServiceBase"),
    "projects": ("Project", "Activity", "ServiceRecord", "ServiceRecordCorrection", "Certificate", "KeyDate"),
    "training": ("TrainingSession", "Attendance"),
    "reports": ("Target", "Pillar", "MetricSnapshot"),
}


def _position(order, key):
    return order.index(key) if key in order else len(order)


class PlatformAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        apps.sort(key=lambda app: _position(APP_ORDER, app["app_label"]))
        for app in apps:
            order = MODEL_ORDER.get(app["app_label"], ())
            app["models"].sort(key=lambda model: _position(order, model["object_name"]))
        return apps


class PlatformAdminConfig(AdminConfig):
    default_site = "config.admin.PlatformAdminSite"
