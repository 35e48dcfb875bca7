# The vocabulary of claim words (SearchWord) that corrects misspelt searches, kept by PostgreSQL triggers so
# every write path fills it: statement-level AFTER INSERT / AFTER UPDATE triggers with transition tables (one
# INSERT … SELECT per statement, so a COPY of 200,000 claims costs one pass). Words are inserted in sorted
# order, so two ingests adding overlapping new words take their row locks in the same order (no deadlock).

import django.contrib.postgres.indexes
from django.db import migrations, models

WORDS_OF = """
    SELECT DISTINCT w FROM {rows}, unnest(tsvector_to_array(to_tsvector('simple', {text}))) AS w
    WHERE length(w) BETWEEN 3 AND 100 AND w ~ '^[[:alpha:]]+$'
"""

FORWARD = [
    f"""
    CREATE FUNCTION claims_app_words_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO claims_app_searchword (word)
        {WORDS_OF.format(rows="new_rows", text="new_rows.text")} ORDER BY w
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION claims_app_words_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO claims_app_searchword (word)
        {WORDS_OF.format(rows="new_rows JOIN old_rows ON old_rows.id = new_rows.id AND old_rows.text IS DISTINCT FROM new_rows.text", text="new_rows.text")}
        ORDER BY w
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER claims_app_claim_words_inserted AFTER INSERT ON claims_app_claim
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_app_words_inserted()
    """,
    """
    CREATE TRIGGER claims_app_claim_words_updated AFTER UPDATE ON claims_app_claim
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION claims_app_words_updated()
    """,
    f"""
    INSERT INTO claims_app_searchword (word)
    {WORDS_OF.format(rows="claims_app_claim", text="claims_app_claim.text")} ORDER BY w
    ON CONFLICT DO NOTHING
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS claims_app_claim_words_updated ON claims_app_claim",
    "DROP TRIGGER IF EXISTS claims_app_claim_words_inserted ON claims_app_claim",
    "DROP FUNCTION IF EXISTS claims_app_words_updated()",
    "DROP FUNCTION IF EXISTS claims_app_words_inserted()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("claims_app", "0011_lexeme_statistics"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.CharField(max_length=100, primary_key=True, serialize=False)),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass("word", name="gin_trgm_ops"), name="searchword_trgm"
                    )
                ],
            },
        ),
        migrations.RunSQL(sql=FORWARD, reverse_sql=BACKWARD),
    ]
