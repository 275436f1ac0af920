from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("regions", views.RegionViewSet)
router.register("indicators", views.IndicatorViewSet)
router.register("sources", views.SourceViewSet)
router.register("targets", views.NationalTargetViewSet)
router.register("measurements", views.MeasurementViewSet)

urlpatterns = router.urls
