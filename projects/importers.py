"""Projects, activities and service records through Excel, on the platform's one batch import engine."""
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts.scoping import division_ids_in_scope, user_association_id
from common.imports import ChoiceWidget, DateWidget, DecimalWidget, NameWidget, TextWidget, YesNoWidget
from common.lookups import DivisionWidget
from common.names import normalise_name
from common.pg_copy import _array, _char, _copy, existing_keys, values_by_key
from common.tabular import Column, DomainsWidget, TableImporter
from members.importers import NOT_REGISTERED_IN_SCOPE, AssociationWidget, PersonWidget
from members.models import Volunteer

from .models import (
    BENEFICIARY_GROUPS,
    Activity,
    Brand,
    Domain,
    KeyDate,
    Project,
    ServiceRecord,
    key_date_of,
    service_hours,
)

SERIAL = "协会统一编制序列号"


class ProjectImporter(TableImporter):
    model = Project
    sheet_name = "志愿服务项目"

    def __init__(self, user):
        super().__init__(user)
        self.association_widget = AssociationWidget()
        self.columns = (
            Column(SERIAL, "association", self.association_widget, required=True),
            Column("项目名称", "name", required=True),
            Column("实施服务队", "team_name", export=lambda p: p.team.name if p.team_id else ""),
            Column("项目品牌", "brand", ChoiceWidget(Brand.choices), required=True),
            Column("服务领域", "domain", ChoiceWidget(Domain.choices), required=True),
            Column("常态化项目", "regular", YesNoWidget()),
            Column("开始日期", "started_on", DateWidget()),
            Column("结束日期", "ended_on", DateWidget()),
            Column("服务对象", "beneficiaries", DomainsWidget(BENEFICIARY_GROUPS)),
            Column("服务岗位", "service_posts"),
            Column("项目库状态", "library_status", ChoiceWidget(Project.LibraryStatus.choices[1:])),
            Column("入库申报日期", "library_candidate_on", DateWidget()),
            Column("入选日期", "library_selected_on", DateWidget()),
            Column("线上推广日期", "library_promoted_on", DateWidget()),
        )

    def prepare(self):
        self.association_widget.load(self.user)
        self.seen: dict[tuple, int] = {}

    @property
    def update_fields(self):
        return [*super().update_fields, "team"]

    def build(self, values, problems, row_number):
        if problems:
            return None
        project = Project(**{k: v for k, v in values.items() if k != "team_name"})
        project.regular = bool(values.get("regular"))
        project.brand = values.get("brand") or Brand.LOCAL
        project._team_name = values.get("team_name", "")
        # What the row fills; a stored project keeps everything else (check_batch, merge_stored).
        project._provided = {k for k in values if k != "team_name"} | ({"team"} if "team_name" in values else set())
        return project

    def check_batch(self, batch, found=None):
        """Existing projects (same association and name) are updated; teams are found by name in the county."""
        from django.db.models import Q

        from teams.models import Team

        associations = {p.association for _, p, _ in batch}
        existing = {(p.association_id, p.name): p for p in Project.objects.filter(
            association__in=associations, name__in={p.name for _, p, _ in batch})}
        named = {p._team_name for _, p, _ in batch if p._team_name}
        teams: dict[tuple, list] = {}
        if named:
            prefixes = Q()
            for association in associations:
                prefixes |= Q(division__code__startswith=association.division.code)
            for team in Team.objects.filter(prefixes, name__in=named).select_related("division"):
                teams.setdefault(team.name, []).append(team)
        for number, project, problems in batch:
            association = project.association
            if project._team_name:
                found = [t for t in teams.get(project._team_name, ())
                         if t.division.code.startswith(association.division.code)]
                if not found:
                    problems.add("实施服务队", f"「{association.division.name}」没有名为「{project._team_name}」的服务队。")
                else:
                    project.team = found[0]
            stored = existing.get((association.pk, project.name))
            if stored is not None:
                self.merge_stored(project, stored, project._provided)
            try:
                project.clean()
            except ValidationError as error:
                self.add_validation_error(problems, error)
            earlier = self.seen.setdefault((association.pk, project.name), number)
            if earlier != number:
                problems.add("项目名称", f"与第 {earlier} 行重复（同一协会的同名项目）。")


class ActivityImporter(TableImporter):
    model = Activity
    sheet_name = "志愿服务活动"

    def __init__(self, user):
        super().__init__(user)
        self.association_widget = AssociationWidget()
        self.township_widget = DivisionWidget(("township",))
        self.columns = (
            Column(SERIAL, "association", self.association_widget, required=True,
                   export=lambda a: a.project.association.serial_number),
            Column("项目名称", "project_name", required=True, export=lambda a: a.project.name),
            Column("活动名称", "name", required=True),
            Column("活动日期", "held_on", DateWidget(), required=True),
            Column("区划代码", "division_code", export=lambda a: a.township.gb_code if a.township_id else ""),
            Column("所在乡镇（街道）", "township", self.township_widget, blank_ok=True,
                   export=lambda a: a.township.name if a.township_id else ""),
            Column("活动地点", "address"),
            Column("可能发生人身危险", "may_endanger", YesNoWidget()),
            Column("重要节点", "key_date", readonly=True, export=lambda a: a.key_date_label),
        )

    def prepare(self):
        self.association_widget.load(self.user)
        self.township_widget.load(self.user)
        self.seen: dict[tuple, int] = {}
        self.windows = KeyDate.windows()  # once per import, not per row

    def _clean_row(self, raw, problems):
        if not raw.get("所在乡镇（街道）") and not raw.get("区划代码"):
            raw = {k: v for k, v in raw.items() if k != "所在乡镇（街道）"}  # the township is optional
        return super()._clean_row(raw, problems)

    def build(self, values, problems, row_number):
        if problems:
            return None
        activity = Activity(name=values["name"], held_on=values["held_on"], township=values.get("township"),
                            address=values.get("address", ""), may_endanger=values.get("may_endanger"))
        activity.key_date = key_date_of(activity.held_on, self.windows)
        activity._association, activity._project_name = values["association"], values["project_name"]
        return activity

    def check_batch(self, batch, found=None):
        projects = {(p.association_id, p.name): p for p in Project.objects.filter(
            association__in={a._association for _, a, _ in batch},
            name__in={a._project_name for _, a, _ in batch}).select_related("association__division")}
        for number, activity, problems in batch:
            project = projects.get((activity._association.pk, activity._project_name))
            if project is None:
                problems.add("项目名称", f"{activity._association.name}没有名为「{activity._project_name}」的项目，请先导入项目。")
                continue
            activity.project = project
            try:
                activity.clean()
            except ValidationError as error:
                self.add_validation_error(problems, error)
            key = (project.pk, activity.name, activity.held_on)
            earlier = self.seen.setdefault(key, number)
            if earlier != number:
                problems.add("活动名称", f"与第 {earlier} 行重复（同一项目、同一天的同名活动）。")
        keys = [(a.project_id, a.name, a.held_on) for _, a, _ in batch if a.project_id]
        if keys:
            existing = set(Activity.objects.filter(
                project_id__in={k[0] for k in keys}, name__in={k[1] for k in keys}, held_on__in={k[2] for k in keys}
            ).values_list("project_id", "name", "held_on"))
            for _, activity, problems in batch:
                if activity.project_id and (activity.project_id, activity.name, activity.held_on) in existing:
                    problems.add("活动名称", "该项目在同一天已有同名活动。")


class HoursWidget(DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            raise ValueError("请填写服务时长。")
        return service_hours(value)

    def render(self, value, obj=None, **kwargs):
        return float(value)


class _Record:
    """A service record on its way in: what its row says, then the ids found for it. Lighter than a model
    instance, which matters at a million rows; it carries the model's column attributes (``*_id`` …), so the
    engine writes it like an instance."""

    __slots__ = ("association", "activity_key", "person_hash", "name", "volunteer_id", "activity_id",
                 "association_id", "served_on", "hours", "status", "evaluation", "recorded_by_id", "recorded_at",
                 "confirmed_by_id", "confirmed_at")
    scope_path = ServiceRecord.scope_path
    pk = None

    def __str__(self):
        return f"{self.served_on:%Y-%m-%d} {self.hours} 小时"


#: The columns of a service-record file's staging table (PostgreSQL), in the order ``stage`` writes them.
STAGE_COLUMNS = (("row_number", "integer"), ("association_id", "integer"), ("project_name", "text"),
                 ("activity_name", "text"), ("held_on", "date"), ("person_hash", "text"), ("name", "text"),
                 ("served_on", "date"), ("hours", "numeric"), ("status", "text"), ("evaluation", "text"))
STAGE, RESOLVED = "import_stage_service_records", "import_resolved_service_records"


class ServiceRecordImporter(TableImporter):
    """The biggest table. On PostgreSQL the file is staged (``staged``): Python cleans each row and COPYs it
    into a temporary table; activities by name, volunteers by keyed hash within the user's reach, duplicates
    within the file and records already stored are found by a few queries over the whole file, and one
    statement writes the records and their history. Elsewhere each batch is looked up in a fixed number of
    queries and written with its history."""

    model = ServiceRecord
    sheet_name = "志愿服务记录"
    # Measured on 200,000-row files: 10,000 rows a batch beat 2,500, 5,000 and 20,000.
    batch_size = 10_000
    max_rows = 1_100_000
    insert_without_ids = True

    def __init__(self, user):
        super().__init__(user)
        self.association_widget = AssociationWidget()
        self.columns = (
            Column(SERIAL, "association", self.association_widget, required=True,
                   export=lambda r: r.association.serial_number),
            Column("项目名称", "project_name", required=True, export=lambda r: r.activity.project.name),
            Column("活动名称", "activity_name", required=True, export=lambda r: r.activity.name),
            Column("活动日期", "held_on", DateWidget(), required=True, export=lambda r: r.activity.held_on),
            Column("身份证号码", "person", PersonWidget(), required=True,
                   export=lambda r: r.volunteer.id_number_masked),
            Column("姓名", "name", NameWidget(), export=lambda r: r.volunteer.name),
            Column("服务日期", "served_on", DateWidget()),
            Column("服务时长（小时）", "hours", HoursWidget(), required=True),
            Column("状态", "status", ChoiceWidget(ServiceRecord.Status.choices)),
            Column("评价情况", "evaluation", TextWidget(max_length=200)),
        )

    def prepare(self):
        self.association_widget.load(self.user)
        self.seen: dict[tuple, int] = {}
        self.people: dict[str, tuple] = {}
        self.reachable_divisions = division_ids_in_scope(self.user)
        self.association_id = user_association_id(self.user)
        self.activities: dict[tuple, int | None] = {}
        self.today = timezone.localdate()
        self.now = timezone.now()

    def build(self, values, problems, row_number):
        if problems:
            return None
        held_on = values["held_on"]
        served_on = values.get("served_on") or held_on
        if served_on > self.today:
            problems.add("服务日期", "服务日期不能晚于今天。")
        elif served_on < held_on:
            problems.add("服务日期", f"服务日期早于活动日期（{held_on:%Y-%m-%d}）。")
        record = _Record()
        record.association = association = values["association"]
        record.association_id = association.pk
        record.activity_key = (association.pk, values["project_name"], values["activity_name"], held_on)
        record.person_hash, record.name = values["person"], values.get("name", "")
        record.served_on, record.hours = served_on, values["hours"]
        record.status = values.get("status") or ServiceRecord.Status.RECORDED
        record.evaluation = values.get("evaluation") or ""
        record.activity_id = record.volunteer_id = None
        record.recorded_by_id, record.recorded_at = self.user.pk, self.now
        confirmed = record.status == ServiceRecord.Status.CONFIRMED
        record.confirmed_by_id, record.confirmed_at = (self.user.pk, self.now) if confirmed else (None, None)
        return record

    def lookup_batch(self, batch):
        """The batch's activities and volunteers not met yet in this file, activities by name and volunteers by
        keyed hash: a file names a few hundred activities, and a volunteer serves many times in one file; each
        is looked up once."""
        keys = {r.activity_key for _, r, _ in batch} - self.activities.keys()
        activities = {}
        if keys:
            stored = {
                (association_id, project, name, held_on): pk
                for pk, association_id, project, name, held_on in Activity.objects.filter(
                    project__association_id__in={k[0] for k in keys}, project__name__in={k[1] for k in keys},
                    name__in={k[2] for k in keys}, held_on__in={k[3] for k in keys},
                ).values_list("pk", "project__association_id", "project__name", "name", "held_on")
            }
            activities = {key: stored.get(key) for key in keys}
        wanted = {r.person_hash for _, r, _ in batch} - self.people.keys()
        reachable = self.reachable_divisions
        people = {digest: (pk, name) for digest, pk, name, division_id in values_by_key(
            Volunteer, "id_number_hash", wanted, "pk", "name", "division_id")
            if reachable is None or division_id in reachable}
        if people and self.association_id is not None:  # a secretariat: its own association's people only
            own = set(Volunteer.objects.filter(
                Volunteer.association_q(self.association_id), pk__in=[p[0] for p in people.values()],
            ).values_list("pk", flat=True))
            people = {digest: person for digest, person in people.items() if person[0] in own}
        return activities, people

    def check_batch(self, batch, found=None):
        activities, people = self.activities, self.people
        activities.update(found[0])
        people.update(found[1])
        seen = self.seen
        for number, record, problems in batch:
            activity_id = activities.get(record.activity_key)
            person = people.get(record.person_hash)
            if activity_id is None:
                _, project, name, held_on = record.activity_key
                problems.add("活动名称", f"项目「{project}」没有 {held_on:%Y-%m-%d} 的活动「{name}」，请先导入活动。")
            if person is None:
                problems.add("身份证号码", NOT_REGISTERED_IN_SCOPE)
            elif record.name and record.name != normalise_name(person[1]):
                problems.add("姓名", f"与登记的姓名「{person[1]}」不一致。")
            if activity_id is None or person is None:
                continue
            record.activity_id, record.volunteer_id = activity_id, person[0]
            key = (activity_id, person[0], record.served_on)
            earlier = seen.setdefault(key, number)
            if earlier != number:
                problems.add("身份证号码", f"与第 {earlier} 行重复（同一活动、同一志愿者、同一服务日期）。")
        if len(people) > 200_000:
            people.clear()  # bounded memory; the next batch's lookup fetches what it needs again

    def existing_conflicts(self, batch):
        """Records already stored for the same activity, volunteer and day."""
        ready = {(r.activity_id, r.volunteer_id, r.served_on) for _, r, _ in batch if r.volunteer_id}
        existing = existing_keys(ServiceRecord, ("activity", "volunteer", "served_on"), ready)
        return [(number, "身份证号码", "该志愿者在这次活动的同一天已有服务记录。") for number, record, _ in batch
                if (record.activity_id, record.volunteer_id, record.served_on) in existing]

    def model_instances(self, records):
        return [ServiceRecord(None, *row) for row in self.insert_rows(records)]

    # --- staged (PostgreSQL) ------------------------------------------------------------------------------
    def staged(self):
        return connection.vendor == "postgresql"

    def stage_begin(self):
        columns = ", ".join(f"{name} {kind}" for name, kind in STAGE_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} ({columns}) ON COMMIT DROP")
            cursor.execute(f"TRUNCATE {STAGE}")

    def stage(self, rows):
        if not rows:
            return
        lines = []
        append = lines.append
        for number, r in rows:
            _, project, activity, held_on = r.activity_key
            append("\t".join((str(number), str(r.association_id), _char(project), _char(activity),
                              held_on.isoformat(), r.person_hash, _char(r.name), r.served_on.isoformat(),
                              str(r.hours), r.status, _char(r.evaluation))))
        append("")
        _copy(STAGE, [name for name, _ in STAGE_COLUMNS], text="\n".join(lines))

    def staged_problems(self):
        """The file's rows resolved in one statement (activity by association, project, name and date; volunteer
        by keyed hash among those the user reaches), then one query for every row with a problem."""
        quote = connection.ops.quote_name
        activity, project = quote(Activity._meta.db_table), quote(Project._meta.db_table)
        volunteer, record = quote(Volunteer._meta.db_table), quote(ServiceRecord._meta.db_table)
        reach, params = "", []
        if self.reachable_divisions is not None:
            reach, params = "AND v.division_id = ANY(%s::integer[])", [_array(self.reachable_divisions)]
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {STAGE}")  # a temporary table has no statistics of its own
            cursor.execute(f"DROP TABLE IF EXISTS {RESOLVED}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {RESOLVED} ON COMMIT DROP AS "
                f"SELECT s.*, a.id AS activity_id, v.id AS volunteer_id, v.name AS volunteer_name FROM {STAGE} s "
                f"LEFT JOIN ({activity} a JOIN {project} p ON p.id = a.project_id) ON p.association_id = "
                f"s.association_id AND p.name = s.project_name AND a.name = s.activity_name AND a.held_on = s.held_on "
                f"LEFT JOIN {volunteer} v ON v.id_number_hash = s.person_hash {reach}", params)
            if self.association_id is not None:  # a secretariat: its own association's people only
                cursor.execute(f"SELECT DISTINCT volunteer_id FROM {RESOLVED} WHERE volunteer_id IS NOT NULL")
                found = [pk for pk, in cursor.fetchall()]
                own = list(Volunteer.objects.filter(Volunteer.association_q(self.association_id), pk__in=found)
                           .values_list("pk", flat=True)) if found else []
                cursor.execute(f"UPDATE {RESOLVED} SET volunteer_id = NULL, volunteer_name = NULL WHERE "
                               f"volunteer_id IS NOT NULL AND NOT volunteer_id = ANY(%s::integer[])", [_array(own)])
            cursor.execute(
                f"SELECT * FROM (SELECT r.row_number, r.project_name, r.activity_name, r.held_on, r.activity_id, "
                f"r.volunteer_id, r.name, r.volunteer_name, "
                f"CASE WHEN r.activity_id IS NOT NULL AND r.volunteer_id IS NOT NULL THEN min(r.row_number) OVER "
                f"(PARTITION BY r.activity_id, r.volunteer_id, r.served_on) END AS first_row, "
                f"r.activity_id IS NOT NULL AND r.volunteer_id IS NOT NULL AND EXISTS (SELECT 1 FROM {record} t "
                f"WHERE t.activity_id = r.activity_id AND t.volunteer_id = r.volunteer_id AND t.served_on = "
                f"r.served_on) AS stored FROM {RESOLVED} r) x "
                f"WHERE activity_id IS NULL OR volunteer_id IS NULL OR (name <> '' AND name <> volunteer_name) "
                f"OR first_row <> row_number OR stored ORDER BY row_number")
            rows = cursor.fetchall()
        problems = []
        for number, project, name, held_on, activity_id, volunteer_id, typed, registered, first, stored in rows:
            if activity_id is None:
                problems.append((number, "活动名称", f"项目「{project}」没有 {held_on:%Y-%m-%d} 的活动「{name}」，请先导入活动。"))
            if volunteer_id is None:
                problems.append((number, "身份证号码", NOT_REGISTERED_IN_SCOPE))
            elif typed and typed != normalise_name(registered):
                problems.append((number, "姓名", f"与登记的姓名「{registered}」不一致。"))
            if first is not None and first != number:
                problems.append((number, "身份证号码", f"与第 {first} 行重复（同一活动、同一志愿者、同一服务日期）。"))
            if stored:
                problems.append((number, "身份证号码", "该志愿者在这次活动的同一天已有服务记录。"))
        return problems

    def write_staged(self):
        """Every staged record and its '+' history row, in one statement, in the file's order."""
        quote = connection.ops.quote_name
        confirmed = f"r.status = '{ServiceRecord.Status.CONFIRMED.value}'"
        expressions = {
            "volunteer_id": "r.volunteer_id", "activity_id": "r.activity_id", "association_id": "r.association_id",
            "served_on": "r.served_on", "hours": "r.hours", "status": "r.status", "evaluation": "r.evaluation",
            "recorded_by_id": "%(user)s", "recorded_at": "%(now)s",
            "confirmed_by_id": f"CASE WHEN {confirmed} THEN %(user)s END",
            "confirmed_at": f"CASE WHEN {confirmed} THEN %(now)s END",
        }
        fields = [f for f in ServiceRecord._meta.concrete_fields if not f.primary_key]
        assert {f.attname for f in fields} == set(expressions), "every column of a service record is written"
        columns = ", ".join(quote(f.column) for f in fields)
        select = ", ".join(expressions[f.attname] for f in fields)
        history = ServiceRecord.history.model
        tracked = ", ".join(quote(f.column) for f in history._meta.concrete_fields
                            if not f.name.startswith("history_"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH inserted AS (INSERT INTO {quote(ServiceRecord._meta.db_table)} ({columns}) "
                f"SELECT {select} FROM {RESOLVED} r ORDER BY r.row_number RETURNING {tracked}) "
                f"INSERT INTO {quote(history._meta.db_table)} ({tracked}, history_date, history_change_reason, "
                f"history_type, history_user_id) SELECT {tracked}, %(now)s, %(reason)s, '+', %(user)s FROM inserted",
                {"user": self.user.pk, "now": self.now, "reason": self.change_reason})
            return cursor.rowcount
