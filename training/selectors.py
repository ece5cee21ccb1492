"""What the 体检 reads of training (G12, N5.1): plain facts, one query."""
from collections import defaultdict
from datetime import date

from associations.rules import TrainingFact

from .models import TrainingSession


def training_facts(association_ids: list[int], as_of: date | None = None) -> dict[int, list[TrainingFact]]:
    """Sessions organised by these associations, by start date; the rules read the years against the as-of date."""
    trainings: dict[int, list[TrainingFact]] = defaultdict(list)
    for organiser_id, kind, started in TrainingSession.objects.filter(organiser_id__in=association_ids).order_by(
        "started_on"
    ).values_list("organiser_id", "kind", "started_on"):
        trainings[organiser_id].append(TrainingFact(kind, started))
    return trainings
