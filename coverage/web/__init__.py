"""The public web pages outside the API and the admin: the dashboard at ``/``."""
