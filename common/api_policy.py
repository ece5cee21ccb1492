"""API policy classes named in settings (kept apart from ``common.api``, which imports the views)."""
from rest_framework import pagination, permissions, throttling


class ModelPermissions(permissions.DjangoModelPermissions):
    """Model permissions, reading included: a role without ``view_<model>`` reads nothing."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class Pages(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class TokenRateThrottle(throttling.UserRateThrottle):
    """Integrations (token clients) are throttled; people in the browser are not."""

    scope = "token"

    def allow_request(self, request, view):
        if request.auth is None or not hasattr(request.auth, "key"):
            return True
        return super().allow_request(request, view)
