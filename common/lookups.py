from accounts.scoping import OUT_OF_SCOPE_MESSAGE, code_in_scope
from divisions.models import Division

LEVEL_HINT = {"county": "旗县（市、区）", "township": "乡镇（街道）", "league": "盟市", "region": "自治区"}


class DivisionLookup:
    """Find a division from what a sheet row says: a GB/T 2260 code (6 or 9 digits) and/or a name (新城区,
    呼和浩特市新城区), limited to some levels and checked against the user's scope. Loaded once per import."""

    def __init__(self, user, levels: tuple[str, ...]):
        self.user = user
        self.levels = levels
        divisions = Division.objects.filter(is_statutory=True, level__in=levels).select_related("parent__parent")
        self.by_code: dict[str, Division] = {}
        self.by_name: dict[str, list[Division]] = {}
        self.names_of: dict[str, set[str]] = {}  # every name a row may use for a division, computed once
        for division in divisions:
            self.by_code[division.gb_code] = division
            names = {division.name}
            parent = division.parent
            if parent is not None and parent.level != Division.Level.REGION:
                names.add(f"{parent.name}{division.name}")
                if parent.parent is not None and parent.parent.level == Division.Level.LEAGUE:
                    names.add(f"{parent.parent.name}{parent.name}{division.name}")
            self.names_of[division.code] = names
            for name in names:
                self.by_name.setdefault(name, []).append(division)

    def find(self, *, code, name) -> Division:
        code = str(code or "").strip()
        name = str(name or "").strip()
        what = "、".join(LEVEL_HINT[level] for level in self.levels)
        if code:
            division = self.by_code.get(code)
            if division is None:
                raise ValueError(f"区划代码「{code}」不存在，或不是{what}的代码。")
            if name and name not in self.names_of[division.code]:
                raise ValueError(f"区划代码 {code} 是「{division.name}」，与所填「{name}」不一致。")
        elif name:
            matches = self.by_name.get(name, [])
            if not matches:
                raise ValueError(f"找不到名为「{name}」的区划（{what}）。")
            in_scope = [d for d in matches if code_in_scope(self.user, d.code)]
            if len(in_scope) > 1 or (not in_scope and len(matches) > 1):
                raise ValueError(f"「{name}」有重名，请填写区划代码。")
            division = in_scope[0] if in_scope else matches[0]
        else:
            raise ValueError("请填写所属区划。")
        if not code_in_scope(self.user, division.code):
            raise ValueError(OUT_OF_SCOPE_MESSAGE.format(name=division.name, scope=self.user.scope_division.name))
        return division


class DivisionWidget:
    """A sheet's division column (所属区划, 所在区划): a name, or the row's 区划代码, resolved by a
    ``DivisionLookup`` loaded once per import with the levels the sheet allows."""

    def __init__(self, levels: tuple[str, ...], *, code_column: str = "区划代码"):
        self.levels = levels
        self.code_column = code_column
        self.lookup: DivisionLookup | None = None

    def load(self, user) -> None:
        self.lookup = DivisionLookup(user, self.levels)
        self.found: dict[tuple, object] = {}  # (code, name) → division or the error, for the rows that repeat them

    def clean(self, value, row=None, **kwargs):
        from .imports import TextWidget

        key = ((row or {}).get(self.code_column), value)
        outcome = self.found.get(key)
        if outcome is None:
            try:
                outcome = self.lookup.find(code=key[0], name=TextWidget().clean(value))
            except ValueError as error:
                outcome = error
            if len(self.found) < 100_000:
                self.found[key] = outcome
        if isinstance(outcome, ValueError):
            raise ValueError(*outcome.args)
        return outcome

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""
