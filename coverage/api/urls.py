"""The v1 routes: one router for the seven resources, without format suffixes."""

from rest_framework.routers import DefaultRouter

from . import views


class Router(DefaultRouter):
    # No format suffixes: in /regions/64.71 the ".71" is part of the code, not a format.
    include_format_suffixes = False


router = Router()
router.register("regions", views.RegionViewSet)
router.register("indicators", views.IndicatorViewSet)
router.register("sources", views.SourceViewSet)
router.register("targets", views.NationalTargetViewSet)
router.register("measurements", views.MeasurementViewSet)
router.register("availability", views.AvailabilityViewSet, basename="availability")
router.register("partnerships", views.PartnershipViewSet)

urlpatterns = router.urls
