"""The answers the service computes from published figures, the same for every door (API, dashboard, admin):
ranking, target attainment, region summary and roll-up, availability, the dashboard. Each takes a bounded number
of queries, whatever the number of regions."""
