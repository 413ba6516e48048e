"""Checks of presigned S3 requests for the local stack's ``/s3`` proxy.

moto's S3 accepts any request, so the proxy checks presigned URLs and presigned
POST forms the way S3 does before it passes a request on. Signatures are
recomputed with botocore's own SigV4 signer, for the host and path that the
app signed (the public endpoint), and compared in constant time.
"""

import base64
import binascii
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from botocore.auth import S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

ALGORITHM = "AWS4-HMAC-SHA256"
SIGNATURE_PARAMETER = "X-Amz-Signature"
QUERY_PARAMETERS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    SIGNATURE_PARAMETER,
)
POST_FIELDS = (
    "policy",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-signature",
    "key",
)
# Form fields that S3 leaves out of the policy check.
_FIELDS_OUTSIDE_POLICY = {"policy", "x-amz-signature", "file"}
_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_POLICY_EXPIRATION_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ")
# S3 limits presigned URLs to seven days and rejects a date too far ahead.
_MAX_EXPIRES_SECONDS = 7 * 24 * 3600
_ALLOWED_CLOCK_SKEW = timedelta(minutes=15)


class SignatureRejected(Exception):
    """A request that S3 would reject, with S3's error code and message."""

    def __init__(self, code: str, message: str, status: int = 403):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class SigningIdentity:
    """The credentials, region and endpoint that the app presigns with."""

    credentials: ReadOnlyCredentials
    region: str
    public_endpoint: str

    @property
    def public_origin(self) -> str:
        parts = urlsplit(self.public_endpoint)
        return f"{parts.scheme}://{parts.netloc}"


def check_presigned_query(
    identity: SigningIdentity,
    method: str,
    raw_path: str,
    headers: Mapping[str, str],
    header_values: Mapping[str, list[str]],
    now: datetime,
) -> None:
    """Raise SignatureRejected unless the query presigns exactly this request.

    ``raw_path`` is the path and query as the browser sent them. ``headers``
    are the request's headers, and ``header_values`` lists every value of
    each lowercase header name, since a header may be sent more than once.
    """
    path, _, query = raw_path.partition("?")
    parameters = _single_parameters(query)
    missing = [name for name in QUERY_PARAMETERS if name not in parameters]
    if missing:
        raise SignatureRejected(
            "AccessDenied",
            "Request is not presigned: missing query parameters " + ", ".join(missing),
        )
    if parameters["X-Amz-Algorithm"] != ALGORITHM:
        raise SignatureRejected(
            "AuthorizationQueryParametersError",
            f"X-Amz-Algorithm must be {ALGORITHM}.",
            status=400,
        )

    signed_at = _parse_timestamp(parameters["X-Amz-Date"], "X-Amz-Date")
    _check_credential(identity, parameters["X-Amz-Credential"], signed_at)
    expires = _parse_expires(parameters["X-Amz-Expires"])
    if now > signed_at + timedelta(seconds=expires):
        raise SignatureRejected("AccessDenied", "Request has expired.")
    if signed_at > now + _ALLOWED_CLOCK_SKEW:
        raise SignatureRejected("AccessDenied", "Request is not valid yet.")

    signed_names = parameters["X-Amz-SignedHeaders"].lower().split(";")
    if "host" not in signed_names:
        raise SignatureRejected(
            "AuthorizationQueryParametersError",
            "X-Amz-SignedHeaders must contain host.",
            status=400,
        )
    # S3 rejects x-amz-* headers that the signature does not cover. One such
    # header, x-amz-copy-source, would turn a presigned PUT into a copy of
    # another object.
    unsigned = sorted(
        name.lower()
        for name in headers
        if name.lower().startswith("x-amz-") and name.lower() not in signed_names
    )
    if unsigned:
        raise SignatureRejected(
            "AccessDenied",
            "There were headers present in the request which were not signed: "
            + ", ".join(unsigned),
        )

    # The canonical request is built from the public host and the signed
    # headers only, as the app's client saw them when it presigned the URL.
    signed_headers = {}
    for name in signed_names:
        if name == "host" or name not in header_values:
            continue
        signed_headers[name] = ",".join(header_values[name])
    unsigned_query = "&".join(
        pair
        for pair in query.split("&")
        if pair.partition("=")[0] != SIGNATURE_PARAMETER
    )
    aws_request = AWSRequest(
        method=method,
        url=f"{identity.public_origin}{path}?{unsigned_query}",
        headers=signed_headers,
    )
    aws_request.context["timestamp"] = parameters["X-Amz-Date"]
    signer = S3SigV4QueryAuth(
        identity.credentials, "s3", identity.region, expires=expires
    )
    canonical_request = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical_request)
    expected = signer.signature(string_to_sign, aws_request)
    if not hmac.compare_digest(expected, parameters[SIGNATURE_PARAMETER]):
        raise SignatureRejected(
            "SignatureDoesNotMatch",
            "The request signature does not match the method, path, query and "
            "signed headers of this request.",
        )


def check_presigned_post(
    identity: SigningIdentity,
    bucket: str,
    fields: Mapping[str, str],
    file_size: int,
    now: datetime,
) -> None:
    """Raise SignatureRejected unless a POST form matches its signed policy.

    ``fields`` maps lowercase form field names to values, without the file.
    """
    missing = [name for name in POST_FIELDS if name not in fields]
    if missing:
        raise SignatureRejected(
            "AccessDenied",
            "Form is not presigned: missing fields " + ", ".join(missing),
        )
    if fields["x-amz-algorithm"] != ALGORITHM:
        raise SignatureRejected(
            "InvalidRequest", f"x-amz-algorithm must be {ALGORITHM}.", status=400
        )
    signed_at = _parse_timestamp(fields["x-amz-date"], "x-amz-date")
    _check_credential(identity, fields["x-amz-credential"], signed_at)

    # The signature of a POST covers the base64 policy document itself.
    aws_request = AWSRequest(method="POST", url=identity.public_endpoint)
    aws_request.context["timestamp"] = fields["x-amz-date"]
    signer = SigV4Auth(identity.credentials, "s3", identity.region)
    expected = signer.signature(fields["policy"], aws_request)
    if not hmac.compare_digest(expected, fields["x-amz-signature"]):
        raise SignatureRejected(
            "SignatureDoesNotMatch",
            "The form signature does not match its policy.",
        )

    policy = _decode_policy(fields["policy"])
    if now > _parse_policy_expiration(policy.get("expiration")):
        raise SignatureRejected(
            "AccessDenied", "Invalid according to Policy: Policy expired."
        )
    covered = _check_conditions(policy.get("conditions"), bucket, fields, file_size)
    extra = sorted(
        name
        for name in fields
        if name not in _FIELDS_OUTSIDE_POLICY
        and not name.startswith("x-ignore-")
        and name not in covered
    )
    if extra:
        raise SignatureRejected(
            "AccessDenied",
            "Invalid according to Policy: Extra input fields: " + ", ".join(extra),
        )


def _single_parameters(query: str) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in QUERY_PARAMETERS and name in parameters:
            raise SignatureRejected(
                "AuthorizationQueryParametersError",
                f"Query parameter {name} is given more than once.",
                status=400,
            )
        parameters[name] = value
    return parameters


def _parse_timestamp(value: str, name: str) -> datetime:
    try:
        return datetime.strptime(value, _TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureRejected(
            "AuthorizationQueryParametersError",
            f"{name} must be a timestamp like 20260101T120000Z, got {value!r}.",
            status=400,
        ) from None


def _parse_expires(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= _MAX_EXPIRES_SECONDS:
        raise SignatureRejected(
            "AuthorizationQueryParametersError",
            f"X-Amz-Expires must be whole seconds from 1 to {_MAX_EXPIRES_SECONDS}.",
            status=400,
        )
    return int(value)


def _check_credential(
    identity: SigningIdentity, credential: str, signed_at: datetime
) -> None:
    parts = credential.split("/")
    if len(parts) != 5:
        raise SignatureRejected(
            "AuthorizationQueryParametersError",
            "The credential must be <access key>/<date>/<region>/s3/aws4_request.",
            status=400,
        )
    access_key, date, region, service, terminator = parts
    if access_key != identity.credentials.access_key:
        raise SignatureRejected(
            "InvalidAccessKeyId",
            "The access key in the credential is not the local stack's.",
        )
    expected_scope = (signed_at.strftime("%Y%m%d"), identity.region, "s3")
    if (date, region, service) != expected_scope or terminator != "aws4_request":
        raise SignatureRejected(
            "AuthorizationQueryParametersError",
            "The credential scope must be "
            + "/".join((*expected_scope, "aws4_request"))
            + f", got {'/'.join(parts[1:])}.",
            status=400,
        )


def _decode_policy(encoded: str) -> dict:
    try:
        policy = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise SignatureRejected(
            "InvalidPolicyDocument", "The policy is not base64 JSON.", status=400
        ) from None
    if not isinstance(policy, dict):
        raise SignatureRejected(
            "InvalidPolicyDocument", "The policy is not a JSON object.", status=400
        )
    return policy


def _parse_policy_expiration(value: object) -> datetime:
    for pattern in _POLICY_EXPIRATION_FORMATS:
        try:
            return datetime.strptime(str(value), pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise SignatureRejected(
        "InvalidPolicyDocument",
        f"The policy expiration must be an ISO 8601 UTC time, got {value!r}.",
        status=400,
    )


def _check_conditions(
    conditions: object, bucket: str, fields: Mapping[str, str], file_size: int
) -> set[str]:
    """Check each policy condition and return the field names they cover."""
    if not isinstance(conditions, list):
        raise SignatureRejected(
            "InvalidPolicyDocument", "The policy has no conditions list.", status=400
        )
    values = {**fields, "bucket": bucket}
    covered = set()
    for condition in conditions:
        if isinstance(condition, dict) and len(condition) == 1:
            ((name, expected),) = condition.items()
            operator, name = "eq", name.lower()
        elif (
            isinstance(condition, list)
            and len(condition) == 3
            and condition[0] == "content-length-range"
        ):
            _check_length(condition[1], condition[2], file_size)
            continue
        elif (
            isinstance(condition, list)
            and len(condition) == 3
            and condition[0] in ("eq", "starts-with")
            and str(condition[1]).startswith("$")
        ):
            operator, name, expected = condition
            name = name[1:].lower()
        else:
            raise SignatureRejected(
                "InvalidPolicyDocument",
                f"Unsupported policy condition {condition!r}.",
                status=400,
            )

        actual = values.get(name)
        if actual is None:
            failed = True
        elif operator == "eq":
            failed = actual != str(expected)
        else:
            failed = not actual.startswith(str(expected))
        if failed:
            raise SignatureRejected(
                "AccessDenied",
                f"Invalid according to Policy: Policy Condition failed: {condition!r}",
            )
        covered.add(name)
    return covered


def _check_length(minimum: object, maximum: object, file_size: int) -> None:
    if not isinstance(minimum, int) or not isinstance(maximum, int):
        raise SignatureRejected(
            "InvalidPolicyDocument",
            "content-length-range needs whole numbers of bytes.",
            status=400,
        )
    if file_size < minimum:
        raise SignatureRejected(
            "EntityTooSmall",
            f"The file has {file_size} bytes, fewer than the policy's {minimum}.",
            status=400,
        )
    if file_size > maximum:
        raise SignatureRejected(
            "EntityTooLarge",
            f"The file has {file_size} bytes, more than the policy's {maximum}.",
            status=400,
        )
