from django.db import migrations, models

# Frozen copies of nlp.attribution.attribution_kinds' cue lists at the time of this migration (a migration must not
# change when the app's word lists do later).
_KINDS = {
    "data": ["show", "find", "indicate", "reveal", "suggest", "estimate", "poll", "survey", "count", "measure", "record"],
    "belief": [
        "think", "believe", "feel", "fear", "hope", "expect", "seem", "appear", "know", "see", "view", "consider",
        "doubt", "suspect", "worry", "assume", "guess", "imagine", "agree", "question", "wonder", "trust",
        "understand", "regard", "suppose",
    ],
    "intention": [
        "want", "plan", "intend", "seek", "aim", "try", "vow", "pledge", "promise", "threaten", "push", "urge",
        "call", "propose", "demand", "refuse", "decline", "vote", "endorse", "support", "back", "oppose", "offer",
        "ask", "order", "pressure", "lobby", "campaign", "wish", "prepare",
    ],
}  # fmt: skip


def backfill(apps, schema_editor):
    """Claims filed before the field existed get the kind their cue says (one UPDATE per kind, data first)."""
    with schema_editor.connection.cursor() as cursor:
        for kind, cues in _KINDS.items():
            cursor.execute(
                "UPDATE claims_app_claim SET attribution = %s"
                " WHERE attribution = 'statement' AND split_part(lower(btrim(cue)), ' ', 1) = ANY(%s)",
                [kind, cues],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("claims_app", "0022_comments_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="attribution",
            field=models.CharField(
                choices=[("statement", "Statement"), ("belief", "Belief"), ("intention", "Intention"), ("data", "Data")],
                db_index=True,
                default="statement",
                max_length=12,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
