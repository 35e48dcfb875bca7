# Claim.origin said who filed the span (the extractor or an editor); it was easy to confuse with the
# statement origin (Claim.statement_origin). Renamed, same column contents and choices.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("claims_app", "0012_search_words"),
    ]

    operations = [
        migrations.RenameField(model_name="claim", old_name="origin", new_name="filed_by"),
    ]
