"""Database helpers that Django's ORM does not offer."""

from __future__ import annotations

from django.db import migrations


def same_organization_foreign_key(table: str, column: str, target_table: str, name: str) -> migrations.RunSQL:
    """A composite foreign key (organization_id, column) → target (organization_id, id).

    Django cannot declare a foreign key over two columns, so PostgreSQL gets it directly: even a bug
    that bypasses the services cannot point one tenant's row at another tenant's. The target needs a
    unique constraint on (organization, id). A NULL ``column`` is not checked (MATCH SIMPLE).
    """
    return migrations.RunSQL(
        sql=(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (organization_id, {column}) "
            f"REFERENCES {target_table} (organization_id, id) DEFERRABLE INITIALLY DEFERRED"
        ),
        reverse_sql=f"ALTER TABLE {table} DROP CONSTRAINT {name}",
    )
