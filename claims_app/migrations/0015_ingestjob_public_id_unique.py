import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    """Separate from 0014 so PostgreSQL does not alter the table in the transaction that updated its rows."""

    dependencies = [("claims_app", "0014_ingestjob_public_id")]

    operations = [
        migrations.AlterField(
            model_name="ingestjob",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
