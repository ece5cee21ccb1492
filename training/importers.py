"""Training sessions and their attendance through Excel, on the platform's one batch import engine."""
from django.core.exceptions import ValidationError

from common.imports import ChoiceWidget, DateWidget, DecimalWidget, NameWidget, YesNoWidget
from common.names import normalise_name
from common.tabular import Column, TableImporter
from members.importers import NOT_REGISTERED_IN_SCOPE, AssociationWidget, PersonWidget, people_in_scope

from .models import Attendance, TrainingSession

SERIAL = "主办协会统一编制序列号"


class TrainingSessionImporter(TableImporter):
    model = TrainingSession
    sheet_name = "培训"

    def __init__(self, user):
        super().__init__(user)
        self.association_widget = AssociationWidget()
        self.columns = (
            Column(SERIAL, "organiser", self.association_widget, required=True),
            Column("培训名称", "title", required=True),
            Column("培训类别", "kind", ChoiceWidget(TrainingSession.Kind.choices), required=True),
            Column("培训方式", "mode", ChoiceWidget(TrainingSession.Mode.choices)),
            Column("开始日期", "started_on", DateWidget(), required=True),
            Column("结束日期", "ended_on", DateWidget()),
            Column("学时", "hours", DecimalWidget()),
            Column("授课人", "trainers"),
        )

    def prepare(self):
        self.association_widget.load(self.user)
        self.seen: dict[tuple, int] = {}

    def build(self, values, problems, row_number):
        if problems:
            return None
        session = TrainingSession(**values)
        session.mode = values.get("mode") or TrainingSession.Mode.OFFLINE
        try:
            session.clean()
        except ValidationError as error:
            self.add_validation_error(problems, error)
        return session

    def check_batch(self, batch, found=None):
        existing = set(TrainingSession.objects.filter(
            organiser__in={s.organiser for _, s, _ in batch}, title__in={s.title for _, s, _ in batch},
        ).values_list("organiser_id", "title", "started_on"))
        for number, session, problems in batch:
            key = (session.organiser.pk, session.title, session.started_on)
            earlier = self.seen.setdefault(key, number)
            if earlier != number:
                problems.add("培训名称", f"与第 {earlier} 行重复（同一协会、同一天的同名培训）。")
            elif key in existing:
                problems.add("培训名称", "本协会在同一天已有同名培训。")


class AttendanceImporter(TableImporter):
    model = Attendance
    sheet_name = "参训人员"

    def __init__(self, user):
        super().__init__(user)
        self.association_widget = AssociationWidget()
        self.columns = (
            Column(SERIAL, "organiser", self.association_widget, required=True,
                   export=lambda a: a.session.organiser.serial_number),
            Column("培训名称", "title", required=True, export=lambda a: a.session.title),
            Column("开始日期", "started_on", DateWidget(), required=True, export=lambda a: a.session.started_on),
            Column("身份证号码", "person", PersonWidget(), required=True,
                   export=lambda a: a.volunteer.id_number_masked),
            Column("姓名", "name", NameWidget(), export=lambda a: a.volunteer.name),
            Column("出勤", "attended", YesNoWidget()),
        )

    def prepare(self):
        self.association_widget.load(self.user)
        self.seen: dict[tuple, int] = {}

    def build(self, values, problems, row_number):
        if problems:
            return None
        attendance = Attendance(attended=values.get("attended") is not False)
        attendance._key = (values["organiser"].pk, values["title"], values["started_on"])
        attendance._person_hash, attendance._name = values["person"], values.get("name", "")
        return attendance

    def check_batch(self, batch, found=None):
        keys = {a._key for _, a, _ in batch}
        sessions = {(s.organiser_id, s.title, s.started_on): s for s in TrainingSession.objects.filter(
            organiser_id__in={k[0] for k in keys}, title__in={k[1] for k in keys},
            started_on__in={k[2] for k in keys}).select_related("organiser__division")}
        people = people_in_scope(self.user, {a._person_hash for _, a, _ in batch}, "pk", "name", "id_number_hash")
        existing = set(Attendance.objects.filter(session__in=sessions.values(), volunteer__in=people.values())
                       .values_list("session_id", "volunteer_id"))
        for number, attendance, problems in batch:
            session = sessions.get(attendance._key)
            person = people.get(attendance._person_hash)
            if session is None:
                _, title, started_on = attendance._key
                problems.add("培训名称", f"没有 {started_on:%Y-%m-%d} 开始的培训「{title}」，请先导入培训。")
            if person is None:
                problems.add("身份证号码", NOT_REGISTERED_IN_SCOPE)
            elif attendance._name and attendance._name != normalise_name(person.name):
                problems.add("姓名", f"与登记的姓名「{person.name}」不一致。")
            if session is None or person is None:
                continue
            attendance.session, attendance.volunteer = session, person
            key = (session.pk, person.pk)
            earlier = self.seen.setdefault(key, number)
            if earlier != number:
                problems.add("身份证号码", f"与第 {earlier} 行重复。")
            elif key in existing:
                problems.add("身份证号码", "该人员已在本次培训名单中。")
