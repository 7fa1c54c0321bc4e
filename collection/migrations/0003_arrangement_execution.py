# Payment arrangements that run (issue 10): how an approved arrangement ended (completed or broken,
# with the breach e-mails' claims), and per term what is paid and when its reminder went out.

from decimal import Decimal

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0002_dossiers"),
    ]

    operations = [
        migrations.AddField(
            model_name="arrangement",
            name="broken_debtor_notified_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="arrangement",
            name="broken_members_notified_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="arrangement",
            name="broken_term_number",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="broken at term"),
        ),
        migrations.AddField(
            model_name="arrangement",
            name="ended_on",
            field=models.DateField(blank=True, null=True, verbose_name="ended on"),
        ),
        migrations.AddField(
            model_name="arrangementterm",
            name="paid_amount",
            field=models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=14, verbose_name="paid"),
        ),
        migrations.AddField(
            model_name="arrangementterm",
            name="paid_on",
            field=models.DateField(blank=True, null=True, verbose_name="paid on"),
        ),
        migrations.AddField(
            model_name="arrangementterm",
            name="reminder_sent_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="reminder sent"),
        ),
        migrations.AlterField(
            model_name="arrangement",
            name="status",
            field=models.CharField(
                choices=[
                    ("proposed", "Proposed"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("withdrawn", "Withdrawn"),
                    ("completed", "Completed"),
                    ("broken", "Broken"),
                ],
                default="proposed",
                max_length=12,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="arrangement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("ended_on__isnull", False), ("status__in", ["completed", "broken"])),
                    models.Q(
                        models.Q(("status__in", ["completed", "broken"]), _negated=True), ("ended_on__isnull", True)
                    ),
                    _connector="OR",
                ),
                name="arrangement_ended_when_ended",
            ),
        ),
        migrations.AddConstraint(
            model_name="arrangementterm",
            constraint=models.CheckConstraint(
                condition=models.Q(("paid_amount__gte", 0), ("paid_amount__lte", models.F("amount"))),
                name="arrangement_term_paid_within",
            ),
        ),
    ]
