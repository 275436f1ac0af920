"""The WSGI application: Django's, behind coverage.middleware.cache.ReplayAnswers (answers already given, replayed)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adminduk.settings")

application = get_wsgi_application()

from coverage.middleware.cache import ReplayAnswers  # noqa: E402  (needs the settings configured above)

application = ReplayAnswers(application)
