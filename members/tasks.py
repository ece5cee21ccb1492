from celery import shared_task

from .services import star_levels_recompute


@shared_task(name="members.star_levels_recompute", acks_late=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def star_levels_recompute_task() -> dict:
    """Nightly (and on demand): add the star levels that confirmed hours have reached."""
    return star_levels_recompute()
