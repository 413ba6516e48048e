"""The frontend's Content-Security-Policy: the local stack's header, the
CloudFront response headers policy and the meta tag of index.html agree."""

import json
import re

from shtab_local.stack import content_security_policy, frontend_headers
from tests.support.live import ROOT

# Only these directives list hosts, which differ between the loopback stack
# and AWS; every other directive must be the same in both places.
HOST_DIRECTIVES = {"connect-src", "img-src"}


def directives(policy: str) -> dict[str, str]:
    parsed = {}
    for part in policy.split(";"):
        name, _, sources = part.strip().partition(" ")
        parsed[name] = sources.strip()
    return parsed


def distribution_policy() -> tuple[dict, dict]:
    resources = json.loads((ROOT / "infra" / "resources.json").read_text())
    resources = resources["Resources"]
    distribution = resources["FrontendDistribution"]["Properties"]
    behavior = distribution["DistributionConfig"]["DefaultCacheBehavior"]
    policy = resources["FrontendResponseHeadersPolicy"]["Properties"]
    headers = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    return behavior, headers


def test_local_and_cloudfront_policies_match():
    _, headers = distribution_policy()
    cloud = directives(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    local = directives(content_security_policy(8000))

    assert set(cloud) == set(local)
    for name in set(local) - HOST_DIRECTIVES:
        assert cloud[name] == local[name], name


def test_policies_allow_no_inline_script():
    _, headers = distribution_policy()
    cloud = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]

    for policy in (cloud, content_security_policy(8000)):
        parsed = directives(policy)
        assert parsed["script-src"] == "'self'"
        assert parsed["object-src"] == "'none'"
        assert parsed["frame-ancestors"] == "'none'"


def test_distribution_sends_security_headers():
    behavior, headers = distribution_policy()
    local = frontend_headers(8000)

    assert behavior["ResponseHeadersPolicyId"] == {
        "Ref": "FrontendResponseHeadersPolicy"
    }
    assert headers["ContentSecurityPolicy"]["Override"] is True
    assert headers["ContentTypeOptions"]["Override"] is True
    assert local["X-Content-Type-Options"] == "nosniff"
    referrer = headers["ReferrerPolicy"]["ReferrerPolicy"]
    assert referrer == local["Referrer-Policy"]


def test_index_meta_policy_allows_no_inline_script():
    index = (ROOT / "frontend" / "index.html").read_text()
    meta = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]+)"', index)

    assert meta is not None
    assert directives(meta.group(1))["script-src"] == "'self'"
