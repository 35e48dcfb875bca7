# Partial indexes for counts of live claims (by status, by speaker) and an index for the newest links, so the
# home page, the speaker list and the recent-activity feed stay fast at hundreds of thousands of claims.
# Built CONCURRENTLY (outside a transaction) so a running site keeps accepting ingests and reviews meanwhile.

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("claims_app", "0009_claim_embedded_newest"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="claim",
            index=models.Index(condition=models.Q(("is_rejected", False)), fields=["status"], name="claim_live_status"),
        ),
        AddIndexConcurrently(
            model_name="claim",
            index=models.Index(
                condition=models.Q(("is_rejected", False)), fields=["speaker"], name="claim_live_speaker"
            ),
        ),
        AddIndexConcurrently(
            model_name="claimlink",
            index=models.Index(fields=["-created_at", "-id"], name="claimlink_newest"),
        ),
    ]
