from django.db import models
from simple_history.models import HistoricalRecords


class DivisionQuerySet(models.QuerySet):
    def within(self, code: str):
        """The division with this code prefix and everything under it."""
        return self.filter(code__startswith=code)

    def leagues(self):
        return self.filter(level=Division.Level.LEAGUE, is_statutory=True)

    def counties(self):
        """The 103 county-level divisions: development zones and management areas excluded."""
        return self.filter(level=Division.Level.COUNTY, is_statutory=True)

    def townships(self):
        """Townships, towns, sumu and streets: parks and state farms excluded."""
        return self.filter(level=Division.Level.TOWNSHIP, is_statutory=True)


class Division(models.Model):
    """行政区划: a node of Inner Mongolia's region → league → county → township tree (GB/T 2260).

    ``code`` is the significant prefix of the published code (``15``, ``1501``, ``150102``, ``150102001``), so
    the subtree of any division is ``code__startswith`` and scoping never needs a recursive query.
    """

    class Level(models.TextChoices):
        REGION = "region", "自治区"
        LEAGUE = "league", "盟市"
        COUNTY = "county", "旗县（市、区）"
        TOWNSHIP = "township", "乡镇（街道）"

    class Kind(models.TextChoices):
        AUTONOMOUS_REGION = "自治区", "自治区"
        PREFECTURE_CITY = "地级市", "地级市"
        LEAGUE = "盟", "盟"
        CITY_DISTRICT = "市辖区", "市辖区"
        COUNTY_CITY = "县级市", "县级市"
        COUNTY = "县", "县"
        BANNER = "旗", "旗"
        AUTONOMOUS_BANNER = "自治旗", "自治旗"
        DEVELOPMENT_ZONE = "开发区/管理区", "开发区/管理区"
        TOWN = "镇", "镇"
        TOWNSHIP = "乡", "乡"
        ETHNIC_TOWNSHIP = "民族乡", "民族乡"
        SUMU = "苏木", "苏木"
        ETHNIC_SUMU = "民族苏木", "民族苏木"
        STREET = "街道", "街道"
        OTHER = "其他", "其他（园区、农牧林场等）"

    PREFIX_LENGTH = {Level.REGION: 2, Level.LEAGUE: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9}

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=Level.choices, db_index=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    # PROTECT: a division that records hang off is never deleted by deleting its parent.
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    is_statutory = models.BooleanField(
        "计入区划统计",
        default=True,
        help_text="开发区、管理区、园区、农牧林场等统计单位不计入旗县或乡镇数量。",
    )
    former_poverty_county = models.BooleanField("原国家级贫困旗县", default=False)
    note = models.CharField("备注", max_length=200, blank=True)

    history = HistoricalRecords()
    objects = DivisionQuerySet.as_manager()

    scope_path = "code"

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9]+$"), name="division_code_digits"),
        ]

    def __str__(self):
        return self.name

    @property
    def gb_code(self) -> str:
        """The published GB/T 2260 code: six digits above township level, nine for townships."""
        return self.code if len(self.code) >= 9 else self.code.ljust(6, "0")

    gb_code.fget.short_description = "区划代码"
    @property
    def full_name(self) -> str:
        """名称带上级, e.g. 呼和浩特市新城区; the region itself is left out below it."""
        names = [self.name]
        node = self.parent
        while node is not None and node.level != self.Level.REGION:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))

    def league_code(self) -> str | None:
        return self.code[:4] if len(self.code) >= 4 else None

    @classmethod
    def prefix_of(cls, gb_code: str, level: str) -> str:
        return gb_code[: cls.PREFIX_LENGTH[level]]
