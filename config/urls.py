from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "内蒙古青年志愿者协会管理平台"
admin.site.site_title = "青年志愿者协会管理平台"
admin.site.index_title = "台账管理"
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("dashboard/", include("reports.urls")),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
