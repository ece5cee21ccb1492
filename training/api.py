from common.api import ScopedViewSet, filterset_for, model_serializer

from .models import Attendance, TrainingSession


class TrainingSessionViewSet(ScopedViewSet):
    """培训（层级由主办协会决定）。"""

    queryset = TrainingSession.objects.all()
    serializer_class = model_serializer(TrainingSession)
    select_related = ("organiser",)
    filterset_class = filterset_for(TrainingSession, {"kind": ["exact"], "mode": ["exact"],
                                                      "started_on": ["gte", "lte"], "organiser": ["exact"]})
    ordering_fields = ("started_on",)


class AttendanceViewSet(ScopedViewSet):
    """参训人员及出勤。"""

    queryset = Attendance.objects.all()
    serializer_class = model_serializer(Attendance)
    select_related = ("session", "volunteer")
    filterset_class = filterset_for(Attendance, {"session": ["exact"], "attended": ["exact"]})
