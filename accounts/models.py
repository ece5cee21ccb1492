from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from simple_history.models import HistoricalRecords


class UserManager(DjangoUserManager):
    def get_queryset(self):
        # Every request reads the user's scope; loading it with the user saves a query on every page.
        return super().get_queryset().select_related("scope_division")


class User(AbstractUser):
    """平台账号. A staff user sees and changes only records within ``scope_division`` and below it; a staff
    user without one sees nothing, a superuser sees everything."""

    scope_division = models.ForeignKey(
        "divisions.Division",
        verbose_name="管辖区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="账号只能查看和修改该区划及其下级区划的数据。",
    )
    association = models.ForeignKey(
        "associations.Association",
        verbose_name="所属协会",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="协会秘书处工作人员的账号须填写：只能查看和修改本协会的会员、志愿者和记录。",
    )
    organisation = models.CharField("所在单位", max_length=100, blank=True)

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    scope_path = "scope_division__code"

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self):
        full = f"{self.last_name}{self.first_name}".strip()
        return f"{full}（{self.username}）" if full else self.username

    def get_full_name(self):
        """A Chinese name: family name first, no space (王志强)."""
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def scope_code(self) -> str | None:
        return self.scope_division.code if self.scope_division_id else None
