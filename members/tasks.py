from celery import shared_task

from .services import star_levels_recompute


@shared_task(name="members.star_levels_recompute", acks_late=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def star_levels_recompute_task() -> dict:
    """Nightly (and on demand): add the star levels that confirmed hours have reached."""
    return star_levels_recompute()


@shared_task(name="members.access_log_prune")
def access_log_prune_task() -> None:
    """Weekly: the personal-data access log is kept for its retention period, then removed."""
    from django.core.management import call_command

    call_command("prune_access_log")
