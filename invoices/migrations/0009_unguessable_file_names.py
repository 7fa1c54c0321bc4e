# Stored files get random names in an organization-agnostic folder (outstanding.files, issue 8).
# Files stored before keep their names; nothing serves them at a URL any more.

from django.db import migrations, models

import outstanding.files


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0008_flow_variant_reason_as_code"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importjob",
            name="file",
            field=models.FileField(upload_to=outstanding.files.UnguessableName("private/imports"), verbose_name="file"),
        ),
        migrations.AlterField(
            model_name="invoice",
            name="pdf",
            field=models.FileField(
                blank=True, upload_to=outstanding.files.UnguessableName("private/invoices"), verbose_name="PDF"
            ),
        ),
    ]
