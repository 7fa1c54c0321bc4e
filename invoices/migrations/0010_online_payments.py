# Online payments through Mollie (issue 9, item 6). Written by hand: another migration follows as 0011.

import uuid
from decimal import Decimal

import django.db.models.deletion
import django.db.models.manager
from django.db import migrations, models

from outstanding.db import same_organization_foreign_key


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0009_unguessable_file_names"),
        ("outstanding", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="OnlinePayment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "mollie_id",
                    models.CharField(
                        blank=True, max_length=35, null=True, unique=True, verbose_name="Mollie payment id"
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="amount")),
                ("currency", models.CharField(default="EUR", max_length=3, verbose_name="currency")),
                ("description", models.CharField(max_length=255, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Waiting for payment"),
                            ("pending", "Being processed"),
                            ("authorized", "Authorized"),
                            ("paid", "Paid"),
                            ("failed", "Failed"),
                            ("canceled", "Cancelled"),
                            ("expired", "Expired"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("checkout_url", models.URLField(blank=True, max_length=500, verbose_name="checkout page")),
                (
                    "amount_refunded",
                    models.DecimalField(
                        decimal_places=2, default=Decimal("0.00"), max_digits=14, verbose_name="refunded"
                    ),
                ),
                (
                    "amount_charged_back",
                    models.DecimalField(
                        decimal_places=2, default=Decimal("0.00"), max_digits=14, verbose_name="charged back"
                    ),
                ),
                ("problem", models.CharField(blank=True, max_length=30, verbose_name="problem")),
                ("booked_at", models.DateTimeField(blank=True, null=True, verbose_name="booked")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "organization",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="outstanding.organization",
                    ),
                ),
                (
                    "debtor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="online_payments",
                        to="invoices.debtor",
                        verbose_name="debtor",
                    ),
                ),
                (
                    "invoices",
                    models.ManyToManyField(
                        related_name="online_payments", to="invoices.invoice", verbose_name="invoices"
                    ),
                ),
            ],
            options={
                "verbose_name": "online payment",
                "verbose_name_plural": "online payments",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["organization", "debtor", "created_at"], name="online_payment_debtor_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="online_payment_amount_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("booked_at__isnull", True), ("status", "paid"), _connector="OR"),
                        name="online_payment_booked_only_when_paid",
                    ),
                ],
            },
            managers=[
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
        # The debtor is in the payment's organization, enforced by PostgreSQL (outstanding.db).
        same_organization_foreign_key(
            "invoices_onlinepayment", "debtor_id", "invoices_debtor", "online_payment_debtor_same_organization"
        ),
    ]
