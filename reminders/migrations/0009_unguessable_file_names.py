# Stored files get random names in an organization-agnostic folder (outstanding.files, issue 8).
# Files stored before keep their names; nothing serves them at a URL any more.

from django.db import migrations, models

import outstanding.files


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0008_plan_changes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="letterbatch",
            name="pdf",
            field=models.FileField(
                blank=True, upload_to=outstanding.files.UnguessableName("private/letter-batches"), verbose_name="PDF"
            ),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="pdf",
            field=models.FileField(
                blank=True, upload_to=outstanding.files.UnguessableName("private/letters"), verbose_name="PDF"
            ),
        ),
    ]
