"""/api/v1/: one router over every ledger's viewset (each app keeps its own in ``api.py``)."""
from rest_framework.routers import DefaultRouter

from associations.api import AssociationViewSet, CommendationViewSet
from divisions.api import DivisionViewSet
from members.api import IndividualMemberViewSet, UnitMemberViewSet, VolunteerStarViewSet, VolunteerViewSet
from projects.api import ActivityViewSet, CertificateViewSet, ProjectViewSet, ServiceRecordViewSet
from reports.api import MetricSnapshotViewSet, TargetViewSet
from teams.api import OrganisationViewSet, ServiceBaseViewSet, TeamMembershipViewSet, TeamViewSet
from training.api import AttendanceViewSet, TrainingSessionViewSet

router = DefaultRouter()
router.register("divisions", DivisionViewSet)
router.register("associations", AssociationViewSet)
router.register("commendations", CommendationViewSet)
router.register("volunteers", VolunteerViewSet)
router.register("individual-members", IndividualMemberViewSet)
router.register("unit-members", UnitMemberViewSet)
router.register("star-volunteers", VolunteerStarViewSet)
router.register("teams", TeamViewSet)
router.register("team-memberships", TeamMembershipViewSet)
router.register("organisations", OrganisationViewSet)
router.register("service-bases", ServiceBaseViewSet)
router.register("projects", ProjectViewSet)
router.register("activities", ActivityViewSet)
router.register("service-records", ServiceRecordViewSet)
router.register("certificates", CertificateViewSet)
router.register("training-sessions", TrainingSessionViewSet)
router.register("attendance", AttendanceViewSet)
router.register("targets", TargetViewSet)
router.register("snapshots", MetricSnapshotViewSet)
