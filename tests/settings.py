"""Settings for the test suite: the service's own settings, with a throwaway key.

DATABASE_URL chooses the database exactly as in production (unset: SQLite, in memory for tests).
"""

import os

# The suite never reads a developer's .env (the quick start leaves DEBUG=true there); nor do the servers and commands
# it starts, which inherit this environment.
os.environ["ENV_FILE"] = os.devnull
os.environ.setdefault("SECRET_KEY", "tests-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz")

from adminduk.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files from the apps' folders (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Hashed names need collectstatic; tests render templates without it.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

# The test client speaks plain HTTP; tests of the production transport settings override this.
SECURE_SSL_REDIRECT = False

# Throttling counts every request in the shared cache (extra queries on the database cache); tests of other
# behaviour run without it, and tests/api/test_throttling.py switches it on with the production rates' shape.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    # The API's writes are JSON (imports send their files as multipart explicitly).
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {"anon": None, "client": None, "write": None, "failed_auth": None},
}
