from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built CONCURRENTLY, as 0010 and 0025 are, so a desk's claim table stays writable while it builds.
    atomic = False

    dependencies = [
        ("claims_app", "0025_claim_live_assignee"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="claim",
            index=models.Index(
                condition=models.Q(("is_rejected", False)),
                fields=["article", "status"],
                name="claim_live_article_status",
            ),
        ),
    ]
