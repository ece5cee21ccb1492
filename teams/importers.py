from django.core.exceptions import ValidationError

from common.imports import ChoiceWidget, DateWidget, NameWidget, YesNoWidget
from common.lookups import DivisionWidget
from common.names import normalise_name
from common.tabular import Column, TableImporter
from members.importers import NOT_REGISTERED_IN_SCOPE, AssociationWidget, PersonWidget, people_in_scope

from .models import Team, TeamMembership

DIVISION_CODE = "区划代码"


class TeamImporter(TableImporter):
    model = Team
    sheet_name = "青年志愿服务队"

    def __init__(self, user):
        super().__init__(user)
        self.division_widget = DivisionWidget(("county", "township"))
        self.association_widget = AssociationWidget(optional=True)
        self.columns = (
            Column("服务队名称", "name", required=True),
            Column("依托单位类别", "host_kind", ChoiceWidget(Team.HostKind.choices), required=True),
            Column("依托单位名称", "host_name"),
            Column(DIVISION_CODE, "division_code", export=lambda t: t.division.gb_code),
            Column("所在区划", "division", self.division_widget, required=True, blank_ok=True,
                   export=lambda t: t.division.name),
            Column("直属服务队领域", "county_direct_domain", ChoiceWidget(Team.CountyDirectDomain.choices)),
            Column("新时代文明实践志愿服务队", "civilization_practice", YesNoWidget()),
            Column("队长", "leader_name"),
            Column("成立日期", "founded_on", DateWidget()),
            Column("撤销日期", "dissolved_on", DateWidget()),
            Column("所属协会统一编制序列号", "association", self.association_widget,
                   export=lambda t: t.association.serial_number if t.association_id else ""),
        )

    def prepare(self):
        self.division_widget.load(self.user)
        self.association_widget.load(self.user)
        self.seen: dict[tuple, int] = {}

    def build(self, values, problems, row_number):
        if problems:
            return None
        fields = {k: v for k, v in values.items() if k != "division_code"}
        fields["civilization_practice"] = bool(fields.get("civilization_practice"))
        if not fields.get("association"):
            fields.pop("association", None)
        team = Team(**fields)
        try:
            team.clean()
        except ValidationError as error:
            self.add_validation_error(problems, error)
        return team

    def check_batch(self, batch, found=None):
        existing = set(Team.objects.filter(division__in={t.division for _, t, _ in batch})
                       .values_list("division_id", "name"))
        for number, team, problems in batch:
            key = (team.division.pk, team.name)
            earlier = self.seen.setdefault(key, number)
            if earlier != number:
                problems.add("服务队名称", f"与第 {earlier} 行重复（同一区划下同名服务队）。")
            elif key in existing:
                problems.add("服务队名称", f"「{team.division.name}」已有名为「{team.name}」的服务队。")


class RosterImporter(TableImporter):
    model = TeamMembership
    sheet_name = "队员名册"

    def __init__(self, user):
        super().__init__(user)
        self.division_widget = DivisionWidget(("county", "township"))
        self.columns = (
            Column(DIVISION_CODE, "division_code", export=lambda m: m.team.division.gb_code),
            Column("所在区划", "division", self.division_widget, required=True, blank_ok=True,
                   export=lambda m: m.team.division.name),
            Column("服务队名称", "team_name", required=True, export=lambda m: m.team.name),
            Column("身份证号码", "person", PersonWidget(), required=True,
                   export=lambda m: m.volunteer.id_number_masked),
            Column("姓名", "name", NameWidget(), export=lambda m: m.volunteer.name),
            Column("加入日期", "joined_on", DateWidget()),
            Column("退出日期", "left_on", DateWidget()),
        )

    def prepare(self):
        self.division_widget.load(self.user)
        self.seen: dict[tuple, int] = {}

    def build(self, values, problems, row_number):
        if problems:
            return None
        membership = TeamMembership(joined_on=values.get("joined_on"), left_on=values.get("left_on"))
        membership._division, membership._team_name = values["division"], values["team_name"]
        membership._person_hash, membership._name = values["person"], values.get("name", "")
        if membership.joined_on and membership.left_on and membership.left_on < membership.joined_on:
            problems.add("退出日期", "退出日期不能早于加入日期。")
        return membership

    def check_batch(self, batch, found=None):
        teams = {(t.division_id, t.name): t for t in Team.objects.filter(
            division__in={m._division for _, m, _ in batch})}
        people = people_in_scope(self.user, {m._person_hash for _, m, _ in batch})
        existing = set(TeamMembership.objects.filter(team__in=teams.values(), volunteer__in=people.values())
                       .values_list("team_id", "volunteer_id", "joined_on"))
        for number, membership, problems in batch:
            team = teams.get((membership._division.pk, membership._team_name))
            person = people.get(membership._person_hash)
            if team is None:
                problems.add("服务队名称", f"「{membership._division.name}」没有名为「{membership._team_name}」的服务队。")
            if person is None:
                problems.add("身份证号码", NOT_REGISTERED_IN_SCOPE)
            elif membership._name and membership._name != normalise_name(person.name):
                problems.add("姓名", f"与登记的姓名「{person.name}」不一致。")
            if team is None or person is None:
                continue
            membership.team, membership.volunteer = team, person
            key = (team.pk, person.pk, membership.joined_on)
            earlier = self.seen.setdefault(key, number)
            if earlier != number:
                problems.add("身份证号码", f"与第 {earlier} 行重复。")
            elif key in existing:
                problems.add("身份证号码", "该志愿者已在本队名册中。")
