from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import include, path, reverse
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import TokenView
from common.health import HealthView

from .api import router

admin.site.site_header = "内蒙古青年志愿者协会管理平台"
admin.site.site_title = "青年志愿者协会管理平台"
admin.site.index_title = "台账管理"
admin.site.enable_nav_sidebar = False


def no_view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" redirect looks any record up across the region; no record here has a public
    page, so it answers every id alike."""
    raise Http404("页面不存在。")


_api_docs = SpectacularSwaggerSplitView.as_view(url_name="api-schema")


def api_docs(request, *args, **kwargs):
    """The API's documentation page: someone not logged in is taken to the login page and back, as in the admin."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    return _api_docs(request, *args, **kwargs)


urlpatterns = [
    path(f"{settings.ADMIN_URL}r/<path:content_type_id>/<path:object_id>/", no_view_on_site),
    path(settings.ADMIN_URL, admin.site.urls),
    path("dashboard/", include("reports.urls")),
    path("api/v1/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("health/", HealthView.as_view(), name="health"),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]

handler400 = "common.views.bad_request"
