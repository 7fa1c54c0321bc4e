# Bank statements in: CAMT.053 files, their incoming payments and the review list (issue 9, item 8).
# Written by hand, after 0010_online_payments.

import uuid

import django.db.models.deletion
import django.db.models.manager
from django.conf import settings
from django.db import migrations, models

from outstanding.db import same_organization_foreign_key

MANAGERS = [("unscoped", django.db.models.manager.Manager())]


def organization_field() -> models.ForeignKey:
    return models.ForeignKey(
        editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="outstanding.organization"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0010_online_payments"),
        ("outstanding", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="source",
            field=models.CharField(
                choices=[
                    ("manual", "Entered by hand"),
                    ("import", "Import"),
                    ("api", "API"),
                    ("connector", "Accounting package"),
                    ("mollie", "Online payment"),
                    ("credit", "Credit note"),
                    ("bank", "Bank statement"),
                ],
                default="manual",
                max_length=10,
                verbose_name="source",
            ),
        ),
        migrations.CreateModel(
            name="BankStatement",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("filename", models.CharField(max_length=255, verbose_name="file name")),
                ("account", models.CharField(blank=True, max_length=70, verbose_name="account")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded at")),
                ("line_count", models.PositiveIntegerField(default=0, verbose_name="incoming payments")),
                ("booked_count", models.PositiveIntegerField(default=0, verbose_name="booked")),
                ("review_count", models.PositiveIntegerField(default=0, verbose_name="to review")),
                ("known_count", models.PositiveIntegerField(default=0, verbose_name="already imported")),
                ("organization", organization_field()),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "bank statement",
                "verbose_name_plural": "bank statements",
                "ordering": ["-uploaded_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(fields=("organization", "id"), name="bankstatement_org_id_unique")
                ],
            },
            managers=MANAGERS,
        ),
        migrations.CreateModel(
            name="BankLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("entry_key", models.CharField(max_length=100, verbose_name="bank reference")),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="amount")),
                ("currency", models.CharField(default="EUR", max_length=3, verbose_name="currency")),
                ("date", models.DateField(verbose_name="booking date")),
                ("name", models.CharField(blank=True, max_length=140, verbose_name="name")),
                ("iban", models.CharField(blank=True, max_length=34, verbose_name="IBAN")),
                ("remittance", models.TextField(blank=True, verbose_name="description")),
                (
                    "structured_reference",
                    models.CharField(blank=True, max_length=140, verbose_name="payment reference"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("booked", "Booked"), ("to_review", "To review"), ("dismissed", "Dismissed")],
                        default="to_review",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=30, verbose_name="reason")),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("organization", organization_field()),
                (
                    "statement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="lines", to="invoices.bankstatement"
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "bank statement line",
                "verbose_name_plural": "bank statement lines",
                "ordering": ["-date", "-id"],
                "indexes": [models.Index(fields=["organization", "status", "date"], name="bankline_status_date_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("organization", "entry_key"), name="bankline_entry_key_unique"),
                    models.UniqueConstraint(fields=("organization", "id"), name="bankline_org_id_unique"),
                    models.CheckConstraint(condition=models.Q(("amount__gt", 0)), name="bankline_amount_positive"),
                ],
            },
            managers=MANAGERS,
        ),
        migrations.CreateModel(
            name="BankLineInvoice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("organization", organization_field()),
                (
                    "line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="links", to="invoices.bankline"
                    ),
                ),
                (
                    "invoice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="invoices.invoice"
                    ),
                ),
                (
                    "payment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="invoices.payment",
                    ),
                ),
            ],
            options={
                "verbose_name": "bank line invoice",
                "verbose_name_plural": "bank line invoices",
                "constraints": [models.UniqueConstraint(fields=("line", "invoice"), name="banklineinvoice_unique")],
            },
            managers=MANAGERS,
        ),
        migrations.AddField(
            model_name="bankline",
            name="invoices",
            field=models.ManyToManyField(
                related_name="bank_lines", through="invoices.BankLineInvoice", to="invoices.invoice"
            ),
        ),
        # A line, its statement and its invoices stay in one organization, enforced by PostgreSQL.
        same_organization_foreign_key(
            "invoices_bankline", "statement_id", "invoices_bankstatement", "bankline_statement_same_organization"
        ),
        same_organization_foreign_key(
            "invoices_banklineinvoice", "line_id", "invoices_bankline", "banklineinvoice_line_same_organization"
        ),
        same_organization_foreign_key(
            "invoices_banklineinvoice", "invoice_id", "invoices_invoice", "banklineinvoice_invoice_same_organization"
        ),
    ]
