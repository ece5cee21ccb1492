from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from accounts.admin_scoping import (
    LeagueListFilter,
    ReadOnlyAdminMixin,
    ScopedModelAdmin,
)
from accounts.scoping import code_in_scope

from .models import Division


@admin.register(Division)
class DivisionAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """Reference data, loaded by ``load_divisions``: browsable by everyone in scope, edited by no one here."""

    list_display = ("gb_code", "name", "level", "kind", "parent", "is_statutory", "former_poverty_county")
    list_filter = ("level", "kind", LeagueListFilter, "is_statutory", "former_poverty_county")
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    search_help_text = "按名称或区划代码查找"
    ordering = ("code",)
    list_per_page = 50

    def get_fields(self, request, obj=None):
        return [self._parent_link(request) if name == "parent" else name
                for name in super().get_fields(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), self._parent_link(request)]

    @staticmethod
    def _parent_link(request):
        """The parent by name; a link only where the account may open it (a county's league is above its scope).
        One function per request, kept on the request: the admin instance is shared by every thread."""
        if not hasattr(request, "_division_parent_link"):
            user = request.user

            @admin.display(description="上级区划")
            def parent_link(obj):
                parent = obj.parent
                if parent is None:
                    return "—"
                if not code_in_scope(user, parent.code):
                    return parent.name
                return format_html('<a href="{}">{}</a>',
                                   reverse("admin:divisions_division_change", args=[parent.pk]), parent.name)

            request._division_parent_link = parent_link
        return request._division_parent_link

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isascii() and term.isdigit():
            # A GB/T 2260 code (150102 or 150102001) finds the division and everything under it.
            code = term.rstrip("0") if len(term) == 6 else term
            if len(term) == 6 and len(code) % 2:
                code += "0"
            return queryset.filter(code__startswith=code), False
        return super().get_search_results(request, queryset, search_term)
