"""Real servers for the tests of the way up: an S3-compatible server (moto's standalone server) and Redis.

Each is a separate process on a free port of 127.0.0.1, started once per test session (per xdist worker) unless
``.ci/run`` already started one and said where (``DOCKET_TEST_S3_ENDPOINT``, ``DOCKET_TEST_REDIS_URL``). Tests
talk to them over HTTP / the Redis protocol exactly as a site would.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid

import pytest

S3_KEY = "docket-test-key"
S3_SECRET = "docket-test-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{what} did not start listening on port {port}")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of an S3-compatible server: moto's standalone server (``moto[server]``) in its own process."""
    given = os.environ.get("DOCKET_TEST_S3_ENDPOINT")
    if given:
        yield given
        return
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, proc, "moto_server")
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)


def s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=S3_KEY, aws_secret_access_key=S3_SECRET,
                        region_name="us-east-1")


@pytest.fixture
def s3(settings, s3_endpoint):
    """Evidence and templates on S3 for this test: a fresh bucket on the server, ``STORAGES`` pointed at it as
    ``DOCKET_STORAGE=s3`` would. Yields ``(client, bucket)``."""
    bucket = f"docket-test-{uuid.uuid4().hex[:12]}"
    client = s3_client(s3_endpoint)
    client.create_bucket(Bucket=bucket)
    options = {
        "bucket_name": bucket, "endpoint_url": s3_endpoint, "region_name": "us-east-1",
        "access_key": S3_KEY, "secret_key": S3_SECRET, "conditional_writes": True,
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "evidence.s3storage.S3BlobStorage", "OPTIONS": {**options, "location": "evidence"}},
        "templates": {"BACKEND": "evidence.s3storage.S3BlobStorage", "OPTIONS": {**options, "location": "templates"}},
    }
    settings.DOCKET_STORAGE = "s3"
    yield client, bucket


def bucket_keys(client, bucket: str, prefix: str = "") -> list[str]:
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [entry["Key"] for entry in page.get("Contents", ())]
    return sorted(keys)


@pytest.fixture(scope="session")
def redis_url():
    """A Redis server of the tests' own (never the machine's): ``redis-server`` on a free port, no persistence."""
    given = os.environ.get("DOCKET_TEST_REDIS_URL")
    if given:
        # One server for the whole run: each xdist worker takes a database of its own (1, 2, …).
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", … under xdist
        index = int(worker[2:]) + 1 if worker.startswith("gw") and worker[2:].isdigit() else 0
        base = given.rsplit("/", 1)[0] if given.count("/") > 2 else given
        yield f"{base}/{index}"
        return
    from tests.conftest import system_tool

    binary = system_tool("redis-server")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, proc, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(proc)
