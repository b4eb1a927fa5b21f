# Providers' legal documents are stored encrypted under the personal-data keys (a deed names
# founders and directors with their NIKs): the column is renamed and any document stored
# before is encrypted in place.

from django.db import migrations


def encrypt_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    from prakerja.identity.crypto import PersonalDataKeyError, decrypt_bytes, encrypt_bytes

    document_model = apps.get_model("training", "ProviderDocument")
    for document in document_model.objects.only("pk", "content_encrypted").iterator():
        content = bytes(document.content_encrypted)
        try:
            decrypt_bytes(content)
        except (PersonalDataKeyError, ValueError):
            document_model.objects.filter(pk=document.pk).update(
                content_encrypted=encrypt_bytes(content)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0003_provider_figures"),
    ]

    operations = [
        migrations.RenameField(
            model_name="providerdocument", old_name="content", new_name="content_encrypted"
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
