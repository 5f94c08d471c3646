"""Images stored once by SHA-256, text revisions, owners and report reuse on checks; batches, batch
items and API keys.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "images",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_images"),
    )
    with op.batch_alter_table("checks") as batch:
        batch.add_column(sa.Column("barcode", sa.String(64), nullable=True))
        batch.add_column(sa.Column("owner", sa.String(64), nullable=True))
        batch.add_column(sa.Column("parent_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("root_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("revision", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("image_sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("recipe", sa.String(64), nullable=True))
        batch.create_foreign_key("fk_checks_parent_id_checks", "checks", ["parent_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_foreign_key("fk_checks_image_sha256_images", "images", ["image_sha256"], ["sha256"],
                                 ondelete="SET NULL")
        batch.create_index("ix_checks_barcode", ["barcode"])
        batch.create_index("ix_checks_owner", ["owner"])
        batch.create_index("ix_checks_parent_id", ["parent_id"])
        batch.create_index("ix_checks_root_id", ["root_id"])
        batch.create_index("ix_checks_image_sha256", ["image_sha256"])
        batch.create_index("ix_checks_sha256_recipe", ["sha256", "recipe"])

    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(1024), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_batches"),
    )
    op.create_index("ix_batches_owner", "batches", ["owner"])
    op.create_index("ix_batches_created_at", "batches", ["created_at"])
    op.create_table(
        "batch_items",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("image_sha256", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("check_id", sa.String(64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_batch_items"),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name="fk_batch_items_batch_id_batches",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["image_sha256"], ["images.sha256"],
                                name="fk_batch_items_image_sha256_images"),
        sa.ForeignKeyConstraint(["check_id"], ["checks.id"], name="fk_batch_items_check_id_checks",
                                ondelete="SET NULL"),
        sa.UniqueConstraint("batch_id", "position", name="uq_batch_items_position"),
    )
    op.create_index("ix_batch_items_claim", "batch_items", ["status", "available_at"])
    op.create_index("ix_batch_items_image_sha256", "batch_items", ["image_sha256"])
    op.create_index("ix_batch_items_check_id", "batch_items", ["check_id"])


def downgrade() -> None:
    op.drop_table("batch_items")
    op.drop_table("batches")
    op.drop_table("api_keys")
    with op.batch_alter_table("checks") as batch:
        for name in ("ix_checks_sha256_recipe", "ix_checks_image_sha256", "ix_checks_root_id",
                     "ix_checks_parent_id", "ix_checks_owner", "ix_checks_barcode"):
            batch.drop_index(name)
        batch.drop_constraint("fk_checks_image_sha256_images", type_="foreignkey")
        batch.drop_constraint("fk_checks_parent_id_checks", type_="foreignkey")
        for column in ("recipe", "image_sha256", "text", "revision", "root_id", "parent_id", "owner",
                       "barcode"):
            batch.drop_column(column)
    op.drop_table("images")
