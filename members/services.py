from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.scoping import assert_in_scope, code_in_scope

from . import personal_data
from .models import UNMASK_PERMISSION, PersonalDataAccess, Volunteer

DUPLICATE_PERSON_MESSAGE = "该身份证号码已在平台登记为志愿者，不能重复登记；如需转入本地，请联系上级团委。"


def volunteer_find_by_id_number(number: str) -> Volunteer | None:
    from .validators import normalise_id_number

    return Volunteer.objects.filter(id_number_hash=personal_data.keyed_hash(normalise_id_number(number))).first()


def id_number_unregistered(value: str, *, exclude_pk=None) -> str:
    """The normalised number if it is valid and no other volunteer holds it (admin form, API and service)."""
    from .validators import validate_id_number

    number = validate_id_number(value)
    duplicate = Volunteer.objects.filter(id_number_hash=personal_data.keyed_hash(number))
    if exclude_pk is not None:
        duplicate = duplicate.exclude(pk=exclude_pk)
    if duplicate.exists():
        raise ValidationError(DUPLICATE_PERSON_MESSAGE)
    return number


@transaction.atomic
def volunteer_register(*, user, volunteer: Volunteer, id_number: str, phone: str = "") -> Volunteer:
    """Register a person once: validated ID, unique by its keyed hash, inside the user's scope."""
    try:
        volunteer.set_id_number(id_number_unregistered(id_number, exclude_pk=volunteer.pk), validated=True)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None
    try:
        volunteer.set_phone(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    assert_in_scope(user, volunteer, field="division")
    volunteer.full_clean()
    volunteer.save()
    return volunteer


def personal_data_reveal(*, user, volunteer: Volunteer, purpose: str = "", ip_address: str | None = None) -> dict:
    """The plain ID number and phone, for a user holding the permission and the volunteer in scope; logged."""
    if not user.has_perm(UNMASK_PERMISSION):
        raise PermissionDenied("您没有查看完整个人信息的权限。")
    if not code_in_scope(user, volunteer.division.code):
        raise PermissionDenied("该志愿者不在您的管辖范围内。")
    PersonalDataAccess.objects.create(
        user=user,
        volunteer=volunteer,
        subject=str(volunteer),
        fields="身份证号码、手机号码",
        purpose=purpose[:200],
        ip_address=ip_address,
    )
    return {
        "id_number": personal_data.decrypt(volunteer.id_number_encrypted),
        "phone": personal_data.decrypt(volunteer.phone_encrypted),
    }


# --- star volunteers -----------------------------------------------------------------------------------------
LEVEL_RANK = {"county": 3, "league": 2, "region": 1}


def star_level_for(hours, thresholds=None) -> int:
    """The star level (0–5) that ``hours`` of confirmed service reach."""
    from django.conf import settings

    thresholds = thresholds or settings.STAR_THRESHOLDS
    return sum(1 for threshold in thresholds if hours >= threshold)


@transaction.atomic
def star_levels_recompute() -> dict:
    """Add a pending star for every level a volunteer's cumulative confirmed hours have reached, dated the day
    the running total crossed the threshold; drop pending stars that corrections took back below it.

    Set-based in SQL whatever the number of volunteers: one ordered pass of a window sum over the confirmed
    records dates every crossing, and one INSERT … ON CONFLICT adds the levels not yet recorded (and their
    history rows). The cost follows the number of records, the same every night (a join to "only the volunteers
    with a level missing" was tried: the planner's estimates for it are poor and it degrades to a nested loop)."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from projects.models import ServiceRecord

    from .models import VolunteerStar

    thresholds = list(settings.STAR_THRESHOLDS)
    levels = ", ".join(f"({n}, {float(t)})" for n, t in enumerate(thresholds, start=1))
    records = ServiceRecord._meta.db_table
    stars = VolunteerStar._meta.db_table
    confirmed = ServiceRecord.Status.CONFIRMED.value
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # two runs at once take turns (the nightly one and "重新计算")
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('members.star_levels_recompute'))")
        cursor.execute(
            f"DELETE FROM {stars} WHERE status = %s AND threshold_hours > COALESCE("
            f"(SELECT SUM(r.hours) FROM {records} r WHERE r.volunteer_id = {stars}.volunteer_id AND r.status = %s), 0)",
            [VolunteerStar.Status.PENDING.value, confirmed],
        )
        removed = cursor.rowcount
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {stars}")
        before = cursor.fetchone()[0]
        cursor.execute(
            f"""
            WITH levels(level, threshold) AS (VALUES {levels}),
            running AS (
                SELECT volunteer_id, served_on,
                       SUM(hours) OVER (PARTITION BY volunteer_id ORDER BY served_on, id
                                        ROWS UNBOUNDED PRECEDING) AS total
                FROM {records} WHERE status = %s
            ),
            crossings AS (
                SELECT running.volunteer_id, l.level, l.threshold, MIN(running.served_on) AS reached_on
                FROM running JOIN levels l ON running.total >= l.threshold
                GROUP BY running.volunteer_id, l.level, l.threshold
            )
            INSERT INTO {stars} (volunteer_id, level, threshold_hours, reached_on, status)
            SELECT c.volunteer_id, c.level, c.threshold, c.reached_on, %s FROM crossings c
            WHERE NOT EXISTS (SELECT 1 FROM {stars} s WHERE s.volunteer_id = c.volunteer_id AND s.level = c.level)
            ON CONFLICT (volunteer_id, level) DO NOTHING
            """,
            [confirmed, VolunteerStar.Status.PENDING.value],
        )
        cursor.execute(f"SELECT COUNT(*) FROM {stars} WHERE id > %s", [before])  # rowcount: -1 on SQLite
        added = cursor.fetchone()[0]
        history = VolunteerStar.history.model._meta
        tracked = [f.column for f in history.concrete_fields if not f.name.startswith("history_")]
        columns = ", ".join(tracked)
        cursor.execute(
            f"INSERT INTO {history.db_table} ({columns}, history_date, history_change_reason, history_type) "
            f"SELECT {columns}, %s, %s, '+' FROM {stars} WHERE id > %s",
            [timezone.now(), "累计服务时长达到星级", before],
        )
    return {"added": added, "removed": removed}


def _approver_ok(user, star) -> bool:
    from accounts.scoping import user_scope_code

    scope = user_scope_code(user)
    if scope == "":
        return True
    if scope is None or not user.scope_division:
        return False
    return LEVEL_RANK.get(user.scope_division.level, 9) <= LEVEL_RANK[star.approver_level]


APPROVER_LABELS = {"county": "旗县团委", "league": "盟市团委", "region": "自治区团委"}


def star_notice_start(stars, *, user) -> int:
    """Publish pending stars for the public notice period (by staff of the approving level or above)."""
    from django.utils import timezone

    from .models import VolunteerStar

    started = 0
    for star in stars:
        if star.status != VolunteerStar.Status.PENDING:
            continue
        if not _approver_ok(user, star):
            raise PermissionDenied(f"{star.level} 星级志愿者由{APPROVER_LABELS[star.approver_level]}认定。")
        star.status, star.notice_from = VolunteerStar.Status.NOTICE, timezone.localdate()
        star._change_reason = "开始公示"
        star.save(update_fields=["status", "notice_from"])
        started += 1
    return started


def star_confirm(stars, *, user) -> int:
    """Confirm stars whose public notice has run its full period."""
    from django.utils import timezone

    from .models import VolunteerStar

    today = timezone.localdate()
    confirmed = 0
    for star in stars:
        if star.status != VolunteerStar.Status.NOTICE:
            raise ValidationError(f"{star}尚未公示，不能认定。")
        if not _approver_ok(user, star):
            raise PermissionDenied(f"{star.level} 星级志愿者由{APPROVER_LABELS[star.approver_level]}认定。")
        if today < star.notice_ends_on:
            raise ValidationError(f"{star}公示期至{star.notice_ends_on:%Y年%m月%d日}，公示期满后才能认定。")
        star.status, star.confirmed_on, star.confirmed_by = VolunteerStar.Status.CONFIRMED, today, user
        star._change_reason = "认定"
        star.save(update_fields=["status", "confirmed_on", "confirmed_by"])
        confirmed += 1
    return confirmed
