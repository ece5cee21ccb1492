from django.db import transaction

from accounts.scoping import assert_in_scope
from divisions.models import Division

from .models import Association, SerialNumberSequence


@transaction.atomic
def serial_number_issue(*, division: Division) -> str:
    """Issue the next uniform serial number (统一编制序列号) for a division: ``<GB code>-<nn>``.

    The counter row is locked, so two concurrent registrations never get the same number, and it survives
    deletions, so a number is never issued twice.
    """
    sequence, _ = SerialNumberSequence.objects.get_or_create(division=division)
    sequence = SerialNumberSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last_issued += 1
    sequence.save(update_fields=["last_issued"])
    return f"{division.gb_code}-{sequence.last_issued:02d}"


@transaction.atomic
def association_register(*, association: Association, user) -> Association:
    """Validate a new association against the user's scope and the ledger's rules, number it and save it."""
    assert_in_scope(user, association, field="division")
    association.full_clean(exclude=["serial_number"])
    association.serial_number = serial_number_issue(division=association.division)
    association.save()
    return association


@transaction.atomic
def serial_numbers_issue(associations: list[Association]) -> None:
    """Number many new associations at once: the counters are locked and advanced in a fixed number of queries."""
    pending = [a for a in associations if not a.serial_number]
    if not pending:
        return
    division_ids = {a.division_id for a in pending}
    existing = set(SerialNumberSequence.objects.filter(division_id__in=division_ids).values_list("division_id", flat=True))
    SerialNumberSequence.objects.bulk_create(
        [SerialNumberSequence(division_id=pk) for pk in division_ids - existing], ignore_conflicts=True
    )
    sequences = {s.division_id: s for s in SerialNumberSequence.objects.select_for_update().filter(division_id__in=division_ids)}
    for association in pending:
        sequence = sequences[association.division_id]
        sequence.last_issued += 1
        association.serial_number = f"{association.division.gb_code}-{sequence.last_issued:02d}"
    SerialNumberSequence.objects.bulk_update(list(sequences.values()), ["last_issued"])
