from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built CONCURRENTLY, as 0010 did, so a desk's claim table stays writable while it builds.
    atomic = False

    dependencies = [
        ("claims_app", "0024_article_outlet_lower"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="claim",
            index=models.Index(
                condition=models.Q(("is_rejected", False)),
                fields=["assignee", "-created_at", "-id"],
                name="claim_live_assignee",
            ),
        ),
    ]
