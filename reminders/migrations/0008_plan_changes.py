"""PlanChange and the triggers that fill it: one row per (organization, transaction) that changed a
table the dunning engine reads. See reminders.models.PlanChange."""

import django.db.models.functions.datetime
from django.db import migrations, models

# Tables the engine reads, each with the column naming its organization.
WATCHED = (
    "invoices_invoice",
    "invoices_debtor",
    "reminders_reminder",
    "reminders_reminderitem",
    "reminders_flow",
    "reminders_flowstep",
    "reminders_dunningsettings",
)

FUNCTION = """
CREATE OR REPLACE FUNCTION reminders_plan_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reminders_planchange (organization_id, xid, at)
    SELECT DISTINCT changed_rows.organization_id, pg_current_xact_id()::text::bigint, now() FROM changed_rows
    ON CONFLICT (organization_id, xid) DO NOTHING;
    RETURN NULL;
END
$$;
"""

# A transition table serves one event per trigger: three triggers per table.
EVENTS = (("insert", "INSERT", "NEW"), ("update", "UPDATE", "NEW"), ("delete", "DELETE", "OLD"))


def _triggers() -> str:
    return "\n".join(
        f"CREATE TRIGGER plan_changed_{name} AFTER {event} ON {table} "
        f"REFERENCING {side} TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION reminders_plan_changed();"
        for table in WATCHED
        for name, event, side in EVENTS
    )


def _drop_triggers() -> str:
    return "\n".join(
        f"DROP TRIGGER IF EXISTS plan_changed_{name} ON {table};" for table in WATCHED for name, _e, _s in EVENTS
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0007_go_live_gate_and_posted_letters"),
        ("invoices", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="PlanChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("organization_id", models.BigIntegerField()),
                ("xid", models.BigIntegerField()),
                ("at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
            ],
            options={
                "indexes": [models.Index(fields=["at"], name="plan_change_at")],
                "constraints": [models.UniqueConstraint(fields=("organization_id", "xid"), name="plan_change_once")],
            },
        ),
        migrations.RunSQL(
            FUNCTION + _triggers(),
            _drop_triggers() + "\nDROP FUNCTION IF EXISTS reminders_plan_changed();",
        ),
    ]
