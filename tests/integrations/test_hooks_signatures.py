"""sign and verify on their own: the format, the clock window and tampering."""

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from chalicelib.errors import InvalidInput, Unauthenticated
from chalicelib.integrations.signatures import sign, verify

SECRET = "s3cr3t-for-tests"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
STAMP = str(int(NOW.timestamp()))
BODY = '{"sku": "WB-1", "name": "Кружка"}'.encode()


def test_signature_matches_reference_hmac():
    expected = hmac.new(
        SECRET.encode(), STAMP.encode() + b"." + BODY, hashlib.sha256
    ).hexdigest()
    assert sign(SECRET, STAMP, BODY) == f"sha256={expected}"


def test_valid_signature_passes():
    verify(SECRET, STAMP, BODY, sign(SECRET, STAMP, BODY), NOW)


@pytest.mark.parametrize("offset", [-300, 300, 0])
def test_edges_of_window_pass(offset):
    stamp = str(int(NOW.timestamp()) + offset)
    verify(SECRET, stamp, BODY, sign(SECRET, stamp, BODY), NOW)


@pytest.mark.parametrize(
    ("offset", "words"), [(-301, "seconds old"), (301, "seconds in the future")]
)
def test_outside_window_rejected(offset, words):
    # A negative offset means the request was signed before NOW.
    stamp = str(int(NOW.timestamp()) + offset)
    with pytest.raises(Unauthenticated) as raised:
        verify(SECRET, stamp, BODY, sign(SECRET, stamp, BODY), NOW)
    assert words in raised.value.message


def test_custom_tolerance_applies():
    stamp = str(int(NOW.timestamp()) - 30)
    with pytest.raises(Unauthenticated):
        verify(SECRET, stamp, BODY, sign(SECRET, stamp, BODY), NOW, 10)


def test_negative_tolerance_is_invalid_input():
    with pytest.raises(InvalidInput):
        verify(SECRET, STAMP, BODY, sign(SECRET, STAMP, BODY), NOW, -1)


@pytest.mark.parametrize(
    ("timestamp", "signature", "words"),
    [
        (None, "sig", "Missing X-Shtab-Timestamp"),
        ("", "sig", "Missing X-Shtab-Timestamp"),
        ("1.5", "sig", "Invalid X-Shtab-Timestamp"),
        ("-100", "sig", "Invalid X-Shtab-Timestamp"),
        ("9" * 13, "sig", "Invalid X-Shtab-Timestamp"),
        (STAMP, None, "Missing X-Shtab-Signature"),
        (STAMP, "sha1=" + "0" * 40, "Invalid X-Shtab-Signature"),
        (STAMP, "sha256=" + "0" * 63, "Invalid X-Shtab-Signature"),
        (STAMP, "sha256=" + "0" * 64, "does not match"),
    ],
)
def test_bad_headers_rejected(timestamp, signature, words):
    with pytest.raises(Unauthenticated) as raised:
        verify(SECRET, timestamp, BODY, signature, NOW)
    assert words in raised.value.message


def test_each_changed_byte_rejected():
    signature = sign(SECRET, STAMP, BODY)
    for index in range(len(BODY)):
        changed = bytearray(BODY)
        changed[index] ^= 0x01
        with pytest.raises(Unauthenticated):
            verify(SECRET, STAMP, bytes(changed), signature, NOW)


def test_other_timestamp_rejected():
    # The timestamp is signed too, so moving it forward breaks the signature.
    signature = sign(SECRET, STAMP, BODY)
    later = str(int(STAMP) + 60)
    with pytest.raises(Unauthenticated):
        verify(SECRET, later, BODY, signature, NOW)


def test_other_secret_rejected():
    with pytest.raises(Unauthenticated):
        verify(SECRET, STAMP, BODY, sign("another", STAMP, BODY), NOW)
