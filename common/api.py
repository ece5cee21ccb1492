"""The REST API's building blocks: every endpoint is scoped like the admin, validated like the admin.

``ScopedViewSet`` limits every queryset with ``accounts.scoping`` (an object outside the viewer's division is a
404, exactly as in the admin), checks Django model permissions for reading too, and saves through the model's
own ``full_clean`` plus the scope check, so the API refuses with the same Chinese messages as the admin.
"""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django_filters import rest_framework as filters
from drf_spectacular.openapi import AutoSchema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.filters import OrderingFilter

from accounts.scoping import assert_in_scope, scope_path_of, scope_queryset, stamped_association_fields

from . import concurrency
from .api_policy import ModelPermissions, Pages, TokenRateThrottle  # noqa: F401 - re-exported
from .parsers import ApiChoiceField, ApiDateField


def django_errors(error: DjangoValidationError) -> dict | list:
    if hasattr(error, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): v for k, v in error.message_dict.items()}
    return {"non_field_errors": error.messages}


class ScopedSerializer(serializers.ModelSerializer):
    """Runs the model's own validation (``full_clean``: field rules, ``clean()``, constraints) and the scope check
    before anything is saved; errors come back keyed by field, in Chinese. Dates and choices are read as forms
    and imports read them (``common.parsers``)."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.DateField: ApiDateField}
    serializer_choice_field = ApiChoiceField

    def get_fields(self):
        """Related choices limited to the viewer's scope, as in the admin: another county's record is "not found"."""
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            target = getattr(field, "child_relation", field)
            queryset = getattr(target, "queryset", None)
            if queryset is not None and getattr(queryset.model, "scope_path", None) and user is not None:
                target.queryset = scope_queryset(queryset, user)
                target.error_messages["does_not_exist"] = "所选记录（ID {pk_value}）不存在，或不在您的管辖范围内。"
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance or self.Meta.model()
        for name, value in attrs.items():
            if not isinstance(self.fields.get(name), serializers.ManyRelatedField):
                setattr(instance, name, value)
        request = self.context.get("request")
        try:
            self.full_clean(instance)
            assert_in_scope(request.user, instance, field=scope_path_of(self.Meta.model).split("__")[0])
        except DjangoValidationError as error:
            raise ValidationError(django_errors(error)) from None
        if self.instance is None:
            # A secretariat's new record is its association's: keep what the scope check filled in.
            for name in stamped_association_fields(self.Meta.model):
                if attrs.get(name) is None and getattr(instance, f"{name}_id", None) is not None:
                    attrs[name] = getattr(instance, name)
        return attrs

    def full_clean(self, instance) -> None:
        instance.full_clean(exclude=self.clean_exclude())

    def clean_exclude(self) -> list[str]:
        writable = {name for name, field in self.fields.items() if not field.read_only}
        return [f.name for f in self.Meta.model._meta.fields if f.name not in writable and f.name != "id"]


class RecordIdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        kwargs.setdefault("error_messages", {"invalid": "请填写记录的 ID（正整数）。",
                                             "min_value": "请填写记录的 ID（正整数）。",
                                             "max_value": "请填写记录的 ID（正整数）。"})
        super().__init__(**kwargs)


class RecordIdFilter(filters.Filter):
    """A related record by its ID. It filters within the list's own (already scoped) rows, so another county's
    record and one that does not exist give the same empty page, and the browsable API's filter form offers a
    number box rather than a list of every related record."""

    field_class = RecordIdField


class DivisionFilter(filters.FilterSet):
    """``division``: a GB/T 2260 code prefix (15, 1501, 150102); every endpoint has it. A foreign key is filtered
    by ID (``RecordIdFilter``), never by a choice list."""

    division = filters.CharFilter(method="filter_division", label="区划代码（前缀）")

    def filter_division(self, queryset, name, value):
        return queryset.filter(**{f"{scope_path_of(queryset.model)}__startswith": value.strip()})

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        if field.is_relation and lookup_type == "exact":
            return RecordIdFilter, {}
        if field.is_relation:
            raise ValueError(f"{field.name}: only exact lookups by ID are offered on a related record")
        return super().filter_for_lookup(field, lookup_type)


def filterset_for(model_class, fields: dict | list | None = None):
    meta = type("Meta", (), {"model": model_class, "fields": fields or []})
    return type(f"{model_class.__name__}Filter", (DivisionFilter,), {"Meta": meta})


class ScopedViewSet(viewsets.ModelViewSet):
    permission_classes = (permissions.IsAuthenticated, ModelPermissions)
    pagination_class = Pages
    filter_backends = (filters.DjangoFilterBackend, OrderingFilter)
    ordering = ("pk",)
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = self.queryset.all()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return scope_queryset(queryset, self.request.user)

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()

    # --- versions: a read carries an ETag; a write with an If-Match of an older version is refused (409) ---
    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = concurrency.etag(self.queryset.model, self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        return response

    def _check_version(self, request, instance) -> None:
        model = type(instance)
        concurrency.lock(model, instance.pk)
        refused = concurrency.api_stale(model, instance.pk, request.headers.get("If-Match"))
        if refused is not None:
            raise StaleWrite({"detail": refused[0], "etag": refused[1]})

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            self._check_version(request, self.get_object())
            response = super().update(request, *args, **kwargs)
            if response.status_code < 300:
                response["ETag"] = concurrency.etag(self.queryset.model, self.get_object().pk)
            return response

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            self._check_version(request, self.get_object())
            return super().destroy(request, *args, **kwargs)


class StaleWrite(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = concurrency.API_STALE
    default_code = "stale"


class ReadOnlyScopedViewSet(ScopedViewSet, viewsets.ReadOnlyModelViewSet):
    http_method_names = ["get", "head", "options"]


def model_serializer(model_class, base=None, **meta):
    """A ``ScopedSerializer`` over every field of the model (``meta`` adds Meta options)."""
    options = {"model": model_class, "fields": "__all__", **meta}
    return type(f"{model_class.__name__}Serializer", (base or ScopedSerializer,), {"Meta": type("Meta", (), options)})


class Schema(AutoSchema):
    """OpenAPI operations grouped under the model's Chinese name (注册志愿者, 志愿服务记录 …)."""

    def get_tags(self) -> list[str]:
        queryset = getattr(self.view, "queryset", None)
        if queryset is not None:
            return [str(queryset.model._meta.verbose_name_plural)]
        return ["令牌"] if "token" in self.path else super().get_tags()
