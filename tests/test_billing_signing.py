"""Standard Webhooks signing: the reference receiver detects wrong secrets and tampering."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

from billing_hook import signing
from billing_hook.receiver import ReferenceReceiver
from billing_hook.signing import WebhookVerificationError


def test_signature_is_hmac_sha256_of_id_timestamp_body() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    body = b'{"a":1}'
    value = signing.sign(secret, "msg_1", 1700000000, body)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, b"msg_1.1700000000." + body,
                                         hashlib.sha256).digest()).decode()
    assert value == "v1," + expected


def test_verify_accepts_the_right_secret_and_rotation_lists() -> None:
    secret, old = signing.new_secret(), signing.new_secret()
    body = json.dumps({"state": "completed"}).encode()
    now = int(time.time())
    h = signing.headers(secret, "msg_ok", now, body)
    assert signing.verify(secret, body, h) == "msg_ok"
    rotated = dict(h, **{"webhook-signature": signing.sign(old, "msg_ok", now, body) + " "
                         + h["webhook-signature"]})
    assert signing.verify(secret, body, rotated) == "msg_ok"


def test_wrong_secret_tampered_body_and_stale_timestamp_fail() -> None:
    secret = signing.new_secret()
    body = b'{"externalId":"BILL-1","state":"completed"}'
    now = int(time.time())
    h = signing.headers(secret, "msg_x", now, body)
    with pytest.raises(WebhookVerificationError):
        signing.verify(signing.new_secret(), body, h)
    with pytest.raises(WebhookVerificationError):
        signing.verify(secret, body.replace(b"BILL-1", b"BILL-2"), h)
    with pytest.raises(WebhookVerificationError):
        signing.verify(secret, body, dict(h, **{"webhook-id": "msg_y"}))
    old = signing.headers(secret, "msg_x", now - 3600, body)
    with pytest.raises(WebhookVerificationError):
        signing.verify(secret, body, old)
    with pytest.raises(WebhookVerificationError):
        signing.verify(secret, body, {"webhook-id": "msg_x"})


def test_reference_receiver_refuses_bad_signatures_over_http() -> None:
    import httpx

    secret = signing.new_secret()
    receiver = ReferenceReceiver(secret).start()
    try:
        body = b'{"state":"completed"}'
        now = int(time.time())
        good = httpx.post(receiver.url, content=body,
                          headers=signing.headers(secret, "msg_a", now, body))
        again = httpx.post(receiver.url, content=body,
                           headers=signing.headers(secret, "msg_a", now, body))
        wrong = httpx.post(receiver.url, content=body,
                           headers=signing.headers(signing.new_secret(), "msg_b", now, body))
        tampered = httpx.post(receiver.url, content=b'{"state":"cancelled"}',
                              headers=signing.headers(secret, "msg_c", now, body))
    finally:
        receiver.stop()
    assert (good.status_code, again.status_code) == (204, 204)
    assert (wrong.status_code, tampered.status_code) == (401, 401)
    assert list(receiver.events) == ["msg_a"] and receiver.duplicates == 1
    assert len(receiver.rejected) == 2
