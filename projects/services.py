from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from accounts.scoping import assert_in_scope

from .models import (
    Certificate,
    CertificateSequence,
    ServiceRecord,
    ServiceRecordCorrection,
    service_hours,
)


@transaction.atomic
def service_record_correct(*, record: ServiceRecord, hours, served_on: date | None = None, reason: str,
                           user) -> ServiceRecordCorrection:
    """Change a record's hours (and date): the old values and the reason are kept, the record goes back to
    "recorded" until it is confirmed again."""
    assert_in_scope(user, record)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "更正服务记录须填写更正原因。"})
    record = ServiceRecord.objects.select_for_update().get(pk=record.pk)
    try:
        new_hours = service_hours(hours)
    except ValueError as error:
        raise ValidationError({"hours": str(error)}) from None
    new_served_on = served_on or record.served_on
    if new_hours == record.hours and new_served_on == record.served_on:
        raise ValidationError({"hours": "更正后的服务时长和日期与原记录相同。"})
    correction = ServiceRecordCorrection.objects.create(
        record=record, old_hours=record.hours, new_hours=new_hours, old_served_on=record.served_on,
        new_served_on=new_served_on, reason=reason, corrected_by=user,
    )
    record.hours, record.served_on = new_hours, new_served_on
    record.status, record.confirmed_by, record.confirmed_at = ServiceRecord.Status.RECORDED, None, None
    record.full_clean(exclude=["volunteer", "activity"], validate_unique=False, validate_constraints=False)
    record._change_reason = f"更正：{reason}"
    record.save()
    return correction


def service_records_confirm(queryset, *, user) -> int:
    """Confirm recorded hours (only those still "recorded"); history keeps who and when."""
    from simple_history.utils import bulk_update_with_history

    now = timezone.now()
    records = list(queryset.filter(status=ServiceRecord.Status.RECORDED))
    for record in records:
        record.status, record.confirmed_by, record.confirmed_at = ServiceRecord.Status.CONFIRMED, user, now
    bulk_update_with_history(records, ServiceRecord, ["status", "confirmed_by", "confirmed_at"], batch_size=2000,
                             default_user=user, default_change_reason="确认服务记录")
    return len(records)


def certificate_records(*, volunteer, association, period_start: date, period_end: date):
    """The confirmed records a certificate may cover: only activities the association itself organised."""
    return (
        ServiceRecord.objects.filter(
            volunteer=volunteer, association=association, status=ServiceRecord.Status.CONFIRMED,
            served_on__gte=period_start, served_on__lte=period_end,
        )
        .select_related("activity__project")
        .order_by("served_on", "pk")
    )


def no_records_message(volunteer, association, period_start: date, period_end: date) -> str:
    return (f"{volunteer.name}在{period_start:%Y年%m月%d日}至{period_end:%Y年%m月%d日}没有参加{association.name}"
            f"组织并已确认的志愿服务活动，不能出具证明（协会只能证明本协会组织的活动）。")


@transaction.atomic
def certificate_principal(association, day: date) -> str:
    """The issuer's 负责人 on the day: the president in office, or else the legal representative."""
    from associations.models import Officer

    officers = {role: name for role, name in Officer.objects.filter(
        Q(term_start__isnull=True) | Q(term_start__lte=day), Q(term_end__isnull=True) | Q(term_end__gte=day),
        association=association, role__in=("president", "legal_representative"),
    ).order_by("term_start").values_list("role", "name")}
    return officers.get("president") or officers.get("legal_representative") or ""


@transaction.atomic
def certificate_issue(*, volunteer, association, period_start: date, period_end: date, user, principal: str = "",
                      handler: str = "", contact: str = "") -> Certificate:
    """Issue a 志愿服务记录证明 with the next number of the association's yearly sequence (locked, never reused).
    It names its 负责人, 经办人 and 联系方式 (民发〔2015〕149号): the first two default to the president in office and
    the issuing account's name; the contact must be given."""
    assert_in_scope(user, association)
    if period_end < period_start:
        raise ValidationError({"period_end": "截止日期不能早于起始日期。"})
    contact = (contact or "").strip()
    if not contact:
        raise ValidationError({"contact": "请填写出具单位的联系方式（如办公电话），证明上须载明，供查验使用。"})
    principal = (principal or "").strip() or certificate_principal(association, timezone.localdate())
    if not principal:
        raise ValidationError({"principal": f"{association.name}没有在任的会长或法定代表人，请填写负责人。"})
    handler = (handler or "").strip() or user.get_full_name() or user.get_username()
    records = list(certificate_records(volunteer=volunteer, association=association, period_start=period_start,
                                       period_end=period_end))
    if not records:
        raise ValidationError(no_records_message(volunteer, association, period_start, period_end))
    today = timezone.localdate()
    sequence, _ = CertificateSequence.objects.get_or_create(association=association, year=today.year)
    CertificateSequence.objects.filter(pk=sequence.pk).update(last_issued=F("last_issued") + 1)
    sequence.refresh_from_db(fields=["last_issued"])
    serial = f"{association.serial_number}-{today.year}-{sequence.last_issued:05d}"
    total = sum((r.hours for r in records), Decimal("0"))
    return Certificate.objects.create(
        serial_number=serial, volunteer=volunteer, association=association, period_start=period_start,
        period_end=period_end, total_hours=total, issued_on=today, issued_by=user, principal=principal,
        handler=handler, contact=contact,
        activities=[
            {"date": r.served_on.isoformat(), "project": r.activity.project.name, "activity": r.activity.name,
             "hours": str(r.hours)}
            for r in records
        ],
    )


def confirmed_hours(volunteer) -> Decimal:
    total = ServiceRecord.objects.filter(volunteer=volunteer, status=ServiceRecord.Status.CONFIRMED).aggregate(
        total=Sum("hours"))["total"]
    return total or Decimal("0")


def key_dates_ensure(*, using: str = "default") -> int:
    """Create the notice's three key dates once (never overwriting what region staff changed since)."""
    from divisions.models import Division

    from .keydates import DEFAULT_WINDOWS
    from .models import KeyDate, activity_key_dates_refresh

    region = Division.objects.using(using).filter(level="region").first()
    if region is None or KeyDate.objects.using(using).exists():
        return 0
    KeyDate.objects.using(using).bulk_create([
        KeyDate(code=w.code, name=w.name, whole_month=w.whole_month, days_before=w.days_before,
                days_after=w.days_after, division=region) for w in DEFAULT_WINDOWS])
    if using == "default":
        activity_key_dates_refresh()  # activities stored before the windows existed
    return len(DEFAULT_WINDOWS)
