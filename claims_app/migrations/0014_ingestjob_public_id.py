import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):  # type: ignore[no-untyped-def]
    IngestJob = apps.get_model("claims_app", "IngestJob")
    for job in IngestJob.objects.filter(public_id__isnull=True).only("pk").iterator():
        IngestJob.objects.filter(pk=job.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    """A UUID per ingest job for its URLs; filled row by row so existing jobs get distinct values."""

    dependencies = [("claims_app", "0013_rename_claim_origin_filed_by")]

    operations = [
        migrations.AddField(model_name="ingestjob", name="public_id", field=models.UUIDField(null=True, editable=False)),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
    ]
