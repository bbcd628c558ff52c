"""Storage for the PostgreSQL search backend: one row per indexed object, with its text as tsvectors.

The table exists on every database (so migrations are the same everywhere), but only the PostgreSQL backend
(``settings.DOCKET_SEARCH_BACKEND = "postgres"``) reads or writes it; its GIN indexes are created only on
PostgreSQL (migration 0002). The vectors hold text already analysed by ``search.text`` (Snowball ru/en by
script, ``ё``→``е``), under the ``simple`` configuration, so both backends match words identically.
"""
from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    key = models.CharField(_("key"), max_length=40, unique=True)
    type = models.CharField(_("type"), max_length=16, db_index=True)
    obj_id = models.BigIntegerField(_("object id"))
    alive = models.BooleanField(_("not in the trash"), default=True)
    gate_open = models.BooleanField(_("gated text open to all viewers"), default=True)
    acl = models.TextField(_("access tokens"), blank=True)
    category = models.CharField(_("category"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=16, blank=True)
    date = models.DateTimeField(_("date"), null=True, blank=True)
    # title (weight A) and public text (B) / the same plus gated text (C).
    public_vector = SearchVectorField(null=True)
    full_vector = SearchVectorField(null=True)
    indexed_at = models.DateTimeField(_("indexed at"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return self.key


class SearchAccess(models.Model):
    """One access token of a document (see ``search.documents``): a plain indexed column, so that "documents
    with any of the caller's tokens" is an index lookup (a tsquery of a thousand tokens is evaluated row by row).
    ``gated`` is the token prefixed with what it opens: "o:" (gate open) or "g<type>:" (gate closed)."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="access")
    token = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["token", "document"], name="search_access_token_doc")]

    def __str__(self) -> str:
        return f"{self.document_id}:{self.token}"


class IndexQueue(models.Model):
    """A document to bring in line with the database ("type:id"), written in the same transaction as the change
    that made it stale (``search.indexing``), and deleted once an index write has covered it. One drainer at a time
    (the index's write lock) takes every pending row into one write, so concurrent saves are batched and none is
    lost, even if a process dies between its commit and the index write."""

    key = models.CharField(_("key"), max_length=40)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("search index queue entry")
        verbose_name_plural = _("search index queue")

    def __str__(self) -> str:
        return self.key
