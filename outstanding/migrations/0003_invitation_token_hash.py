"""Invitation tokens are stored hashed: the plain tokens of existing invitations become their sha256.

Also the organization logo's new storage and names (outstanding.files; no database change).
"""

import hashlib

import django.core.validators
from django.db import migrations, models

import outstanding.files
import outstanding.models


def hash_stored_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    Invitation = apps.get_model("outstanding", "Invitation")
    for invitation in Invitation.objects.only("pk", "token").iterator():
        token_hash = hashlib.sha256(invitation.token.encode()).hexdigest()
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash)


class Migration(migrations.Migration):
    dependencies = [
        ("outstanding", "0002_apikey"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        # Backwards the plain tokens cannot come back: the old column gets fresh ones (links stop working).
        migrations.RunPython(hash_stored_tokens, migrations.RunPython.noop),
        migrations.RemoveField(model_name="invitation", name="token"),
        migrations.AlterField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(
                default=outstanding.models._unissued_token_hash, editable=False, max_length=64, unique=True
            ),
        ),
        migrations.AlterField(
            model_name="organization",
            name="logo",
            field=models.ImageField(
                blank=True,
                storage=outstanding.files.public_storage,
                upload_to=outstanding.files.UnguessableName("public/logos", dated=False),
                validators=[django.core.validators.FileExtensionValidator(["png", "jpg", "jpeg", "gif", "webp"])],
                verbose_name="logo",
            ),
        ),
        migrations.RunPython(outstanding.files.logo_files_rename, migrations.RunPython.noop),
    ]
