# Link suggestions read lexeme frequencies from PostgreSQL's statistics (pg_stats.most_common_elems of
# claims_app_claim.lexemes) instead of counting every claim's lexemes. The default statistics target lists
# 1,000 elements; 1,000 lists 10,000, enough to tell every common word. ANALYZE keeps it up to date (autovacuum
# runs it as claims arrive); the one here fills it at once.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("claims_app", "0010_live_counts_and_activity_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                "ALTER TABLE claims_app_claim ALTER COLUMN lexemes SET STATISTICS 1000",
                "ANALYZE claims_app_claim (lexemes)",
            ],
            reverse_sql=["ALTER TABLE claims_app_claim ALTER COLUMN lexemes SET STATISTICS -1"],
        ),
    ]
