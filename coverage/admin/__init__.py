"""The Django admin, in Bahasa Indonesia: figures and their import, reference data, users and API keys."""

from . import figures  # noqa: F401  (registers the model admins)
