"""adminduk-coverage: population-administration coverage figures as data.

The app, by layer (each imports only from the layers below it; the contracts in pyproject.toml hold it):

- the doors: ``api`` (the v1 REST API), ``admin`` (the Django admin), ``web`` (the public dashboard),
  ``management`` (the commands) and ``middleware`` (what wraps every request);
- ``imports`` (bulk import) and ``answers`` (ranking, attainment, summary, availability, the dashboard);
- ``figures`` (the rules about figures: access, fields, values, latest, history, quality);
- ``regions`` (region codes, the official list, scopes);
- ``models``.
"""
