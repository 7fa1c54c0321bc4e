"""Debtor.flow_variant_reason becomes a code with its numbers (JSON) instead of a sentence in one language.

A sentence stored before is kept as ``{"text": ...}`` and shown as it was written until the next nightly
scoring (reminders.tasks.flow_variants_update_all) replaces it with a code; an empty one becomes ``{}``.
Going back turns codes into an empty text (the nightly scoring of that version writes the sentences again).
"""

from django.db import migrations, models

FORWARD = """
ALTER TABLE invoices_debtor ALTER COLUMN flow_variant_reason TYPE jsonb USING (
    CASE WHEN flow_variant_reason = '' THEN '{}'::jsonb
         ELSE jsonb_build_object('text', flow_variant_reason) END
)
"""
BACKWARD = """
ALTER TABLE invoices_debtor ALTER COLUMN flow_variant_reason TYPE varchar(300) USING (
    COALESCE(LEFT(flow_variant_reason ->> 'text', 300), '')
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0007_encrypt_connection_tokens"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.AlterField(
                    model_name="debtor",
                    name="flow_variant_reason",
                    field=models.JSONField(blank=True, default=dict, verbose_name="why"),
                ),
            ],
        ),
    ]
