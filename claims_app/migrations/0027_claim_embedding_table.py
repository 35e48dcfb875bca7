# Claims' embeddings move to a table of their own (ClaimEmbedding): with the HNSW index on the claims table, every
# claim UPDATE that is not HOT (status, assignment, origin: 98% of them) wrote a new entry into it, 2.8 ms of a
# 3.37 ms UPDATE, and left dead entries for vacuum to clear. The vectors are copied across before the column goes,
# and the index is built once, after the copy.

import django.db.models.deletion
import pgvector.django.indexes
import pgvector.django.vector
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims_app", "0026_claim_live_article_status"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClaimEmbedding",
            fields=[
                (
                    "claim",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="embedding_row",
                        serialize=False,
                        to="claims_app.claim",
                    ),
                ),
                ("embedding", pgvector.django.vector.VectorField(dimensions=384)),
            ],
        ),
        migrations.RunSQL(
            sql=(
                "INSERT INTO claims_app_claimembedding (claim_id, embedding) "
                "SELECT id, embedding FROM claims_app_claim WHERE embedding IS NOT NULL"
            ),
            reverse_sql=(
                "UPDATE claims_app_claim AS c SET embedding = e.embedding "
                "FROM claims_app_claimembedding AS e WHERE e.claim_id = c.id"
            ),
        ),
        migrations.RemoveIndex(
            model_name="claim",
            name="claim_embedding_hnsw",
        ),
        migrations.RemoveIndex(
            model_name="claim",
            name="claim_embedded_newest",
        ),
        migrations.RemoveField(
            model_name="claim",
            name="embedding",
        ),
        migrations.AddIndex(
            model_name="claimembedding",
            index=pgvector.django.indexes.HnswIndex(
                fields=["embedding"], name="claim_embedding_hnsw", opclasses=["vector_cosine_ops"]
            ),
        ),
    ]
