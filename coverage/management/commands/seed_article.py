"""``manage.py seed_article``: the article's figures (fixtures/article.json), loaded once: never over a later edit."""

import json

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from coverage.models import Source


class Command(BaseCommand):
    help = (
        "Load fixtures/article.json unless its source is already in the database. Unlike loaddata, which "
        "restores the published figures over any later correction, this never overwrites an edit: it is what "
        "a deploy runs before the replicas start (docker compose: the migrate service)."
    )

    def handle(self, *args, **options):
        fixture = json.loads((settings.FIXTURE_DIRS[0] / "article.json").read_text(encoding="utf-8"))
        source = next(obj["fields"] for obj in fixture if obj["model"] == "coverage.source")
        if Source.objects.filter(
            title=source["title"], publisher=source["publisher"], published_on=source["published_on"]
        ).exists():
            self.stdout.write("The article's data is already loaded; nothing changed.")
            return
        call_command("loaddata", "article", stdout=self.stdout)
