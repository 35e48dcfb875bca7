# Claim embeddings for link suggestions: pgvector (shipped by embedded PostgreSQL; a DATABASE_URL server needs
# the extension installed, see README), a nullable 384-dimensional column filled after ingest by a background
# task (or `manage.py embed_claims`), and an HNSW index for cosine nearest neighbours.

import pgvector.django
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('claims_app', '0007_claim_search_vector'),
    ]

    operations = [
        pgvector.django.VectorExtension(),
        migrations.AddField(
            model_name='claim',
            name='embedding',
            field=pgvector.django.VectorField(blank=True, dimensions=384, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=pgvector.django.HnswIndex(
                fields=['embedding'], name='claim_embedding_hnsw', opclasses=['vector_cosine_ops']
            ),
        ),
    ]
