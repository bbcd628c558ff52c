"""Evidence files and templates in an S3-compatible bucket (django-storages + boto3), selected by
``DOCKET_STORAGE=s3``; the same interface as ``evidence.blobstores.LocalBlobStorage`` (see that module).

Write-once: a HEAD first (the caller holds the per-digest lock, so uploads on this machine never race), then a
conditional PUT (``If-None-Match: *``), so that even another machine storing the same key at the same moment
cannot overwrite it (S3 answers 412 to the loser; content addressing means it held the same bytes). A file up to
``single_put_limit`` goes in one PUT that carries its SHA-256 (``x-amz-checksum-sha256``: the server refuses
bytes that do not match the digest taken while they streamed in); a larger one in a multipart upload completed
with the same condition. Reads stream the object's body.

A server that does not implement conditional writes (older MinIO or Ceph) can be told so with
``DOCKET_S3_CONDITIONAL_WRITES=0``: then the HEAD under the lock is the only guard, which is enough on one machine.
"""
from __future__ import annotations

import base64
import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from botocore.exceptions import ClientError
from django.utils.deconstruct import deconstructible
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from evidence.blobstores import CHUNK, upload_tmp_dir


def _error(exc: ClientError) -> tuple[str, int]:
    response = exc.response or {}
    return str(response.get("Error", {}).get("Code", "")), int(
        response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0
    )


@deconstructible
class S3BlobStorage(S3Storage):
    is_local = False
    single_put_limit = 64 * 1024 * 1024
    part_size = 16 * 1024 * 1024

    def __init__(self, *, conditional_writes: bool = True, **kwargs) -> None:
        kwargs.setdefault("file_overwrite", False)
        kwargs.setdefault("default_acl", None)
        super().__init__(**kwargs)
        self.conditional_writes = conditional_writes

    @property
    def client(self):
        return self.connection.meta.client

    def _key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    def put_once(self, name: str, path: os.PathLike | str, *, sha256: str = "", size: int | None = None) -> bool:
        if self.exists(name):
            return False
        key = self._key(name)
        size = os.path.getsize(path) if size is None else size
        condition = {"IfNoneMatch": "*"} if self.conditional_writes else {}
        try:
            if size <= self.single_put_limit:
                checksum = {}
                if sha256:
                    checksum["ChecksumSHA256"] = base64.b64encode(bytes.fromhex(sha256)).decode("ascii")
                with open(path, "rb") as body:
                    self.client.put_object(Bucket=self.bucket_name, Key=key, Body=body, ContentLength=size,
                                           ContentType="application/octet-stream", **checksum, **condition)
            else:
                self._multipart(key, path, condition)
        except ClientError as exc:
            code, status = _error(exc)
            if status == 412 or code in ("PreconditionFailed", "ConditionalRequestConflict"):
                return False  # another writer stored this key first: the same bytes, by construction
            raise
        return True

    def _multipart(self, key: str, path, condition: dict) -> None:
        upload_id = self.client.create_multipart_upload(
            Bucket=self.bucket_name, Key=key, ContentType="application/octet-stream")["UploadId"]
        parts = []
        try:
            with open(path, "rb") as src:
                while chunk := src.read(self.part_size):
                    number = len(parts) + 1
                    answer = self.client.upload_part(Bucket=self.bucket_name, Key=key, UploadId=upload_id,
                                                     PartNumber=number, Body=chunk)
                    parts.append({"ETag": answer["ETag"], "PartNumber": number})
            self.client.complete_multipart_upload(Bucket=self.bucket_name, Key=key, UploadId=upload_id,
                                                  MultipartUpload={"Parts": parts}, **condition)
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.abort_multipart_upload(Bucket=self.bucket_name, Key=key, UploadId=upload_id)
            raise

    def open_stream(self, name: str) -> BinaryIO:
        try:
            answer = self.client.get_object(Bucket=self.bucket_name, Key=self._key(name))
        except ClientError as exc:
            code, status = _error(exc)
            if status == 404 or code in ("NoSuchKey", "404"):
                raise FileNotFoundError(name) from None
            raise
        return answer["Body"]  # botocore's StreamingBody: read(n), close(); never read whole

    def iter_names(self) -> Iterator[str]:
        prefix = self._key("")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket_name, Prefix=prefix):
            for entry in page.get("Contents", ()):
                name = entry["Key"][len(prefix):]
                if name and not name.endswith("/"):
                    yield name

    @contextlib.contextmanager
    def local_file(self, name: str) -> Iterator[Path]:
        """A temporary local copy (streamed down), removed afterwards: for tools that need a path."""
        fd, tmp = tempfile.mkstemp(prefix="blob-", suffix=".part", dir=upload_tmp_dir())
        try:
            with os.fdopen(fd, "wb") as out, contextlib.closing(self.open_stream(name)) as body:
                while chunk := body.read(CHUNK):
                    out.write(chunk)
            yield Path(tmp)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
