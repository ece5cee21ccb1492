from django.contrib import admin

from accounts.admin_scoping import (
    LeagueListFilter,
    ReadOnlyAdminMixin,
    ScopedModelAdmin,
)

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

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isascii() and term.isdigit():
            # A GB/T 2260 code (150102 or 150102001) finds the division and everything under it.
            code = term.rstrip("0") if len(term) == 6 else term
            if len(term) == 6 and len(code) % 2:
                code += "0"
            return queryset.filter(code__startswith=code), False
        return super().get_search_results(request, queryset, search_term)
