from django.db import migrations


def create(apps, schema_editor):
    # Row 1 stays the public data version; row 2, the version of all data (drafts included), starts where it is.
    DataVersion = apps.get_model("coverage", "DataVersion")
    public = DataVersion.objects.filter(pk=1).first()
    DataVersion.objects.get_or_create(
        pk=2, defaults={"version": public.version, "changed_at": public.changed_at} if public else {}
    )


class Migration(migrations.Migration):
    dependencies = [("coverage", "0006_unpublished_index")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
