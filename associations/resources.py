from import_export import fields, resources

from .models import Association


class ChineseHeadersResource(resources.ModelResource):
    """Model fields appear under their Chinese verbose names, the way staff label their sheets."""

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        field.column_name = str(django_field.verbose_name)
        return field


class AssociationResource(ChineseHeadersResource):
    """The association ledger (台账) as one sheet."""

    league = fields.Field(attribute="division__parent__name", column_name="盟市", readonly=True)
    division_code = fields.Field(attribute="division__gb_code", column_name="区划代码", readonly=True)
    division_name = fields.Field(attribute="division__name", column_name="所属区划", readonly=True)

    class Meta:
        model = Association
        fields = (
            "serial_number",
            "name",
            "level",
            "league",
            "division_code",
            "division_name",
            "founded_on",
            "dissolved_on",
            "supervisor_kind",
            "supervisor_name",
            "supervisor_cyl_since",
            "registration_authority",
            "registered_on",
            "uscc",
            "secretariat_host",
            "staff_fulltime",
        )
        export_order = fields

    def dehydrate_level(self, obj):
        return obj.get_level_display()

    def dehydrate_supervisor_kind(self, obj):
        return obj.get_supervisor_kind_display()

    def dehydrate_secretariat_host(self, obj):
        return obj.get_secretariat_host_display()
