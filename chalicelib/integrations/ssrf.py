"""The guard that keeps outbound webhooks away from internal addresses.

A subscription URL is checked when it is saved, and every hop is checked
again right before a delivery connects: the host is resolved with
``socket.getaddrinfo`` and every address it resolves to must be public. The
delivery then connects to the checked address itself (see ``outbound``), so a
DNS answer that changes between the check and the connection cannot reach an
internal service.

Blocked: loopback, private (RFC 1918, fc00::/7), link-local (169.254.0.0/16,
fe80::/10, which contain the cloud metadata addresses 169.254.169.254 and
fd00:ec2::254), unspecified, multicast, reserved and documentation ranges,
carrier-grade NAT (100.64.0.0/10), and IPv4-mapped or NAT64 IPv6 forms of
any of these.

``SHTAB_WEBHOOK_ALLOWED_HOSTS`` is a comma-separated allow-list for local
development and tests, such as ``127.0.0.1:9999``. An entry ``host:port``
allows that host on that port only; an entry without a port allows the host
on any port. Allowed hosts skip the address checks, never the scheme checks.
"""

import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

ALLOWED_HOSTS_VARIABLE = "SHTAB_WEBHOOK_ALLOWED_HOSTS"
SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 2048

# Ranges that ``ipaddress`` does not flag by itself: carrier-grade NAT is not
# "private" to it, and the AWS IPv6 metadata address sits in fc00::/7 but is
# named here so the error message can name it.
CGNAT = ipaddress.ip_network("100.64.0.0/10")
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
}
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddress(ValueError):
    """A webhook URL that must not be contacted; the message gives the reason."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect and which name to present."""

    scheme: str
    host: str
    port: int
    # The address to connect to: the first checked address, or None for an
    # allow-listed host, which is connected to by name.
    address: str | None

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port == DEFAULT_PORTS[self.scheme]:
            return host
        return f"{host}:{self.port}"


def blocked_reason(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> str | None:
    """Return why ``address`` is not public, or None if it may be contacted."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            reason = blocked_reason(embedded)
            return f"{reason} (embedded in {address})" if reason else None
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (
            isinstance(address, ipaddress.IPv4Address) and address in CGNAT,
            "a carrier-grade NAT address",
        ),
        # Before is_private, which also covers 240.0.0.0/4 in Python 3.11.
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (not address.is_global, "not a public address"),
    )
    for matched, reason in checks:
        if matched:
            return reason
    return None


def allowed_hosts() -> set[str]:
    raw = os.environ.get(ALLOWED_HOSTS_VARIABLE, "")
    return {entry.strip().lower() for entry in raw.split(",") if entry.strip()}


def is_allow_listed(host: str, port: int) -> bool:
    entries = allowed_hosts()
    name = f"[{host}]" if ":" in host else host
    return name in entries or f"{name}:{port}" in entries


def split_url(url: str) -> tuple[str, str, int]:
    """Return the scheme, host and port of ``url``, or raise BlockedAddress."""
    if len(url) > MAX_URL_LENGTH:
        raise BlockedAddress(f"the URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise BlockedAddress(f"the URL is not valid: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise BlockedAddress("only http and https URLs are allowed")
    if parts.username is not None or parts.password is not None:
        raise BlockedAddress(
            "the URL must not contain a user name or password; "
            "receivers check the X-Shtab-Signature header instead"
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise BlockedAddress("the URL has no host")
    if port == 0:
        raise BlockedAddress("the URL's port must be from 1 to 65535")
    return scheme, host, port if port is not None else DEFAULT_PORTS[scheme]


def _literal_address(host: str):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def resolve(host: str, port: int) -> list[str]:
    """Resolve ``host`` to every address it has, or raise BlockedAddress."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise BlockedAddress(
            f"the host {host} could not be resolved: {error}"
        ) from None
    addresses = []
    for _family, _type, _protocol, _name, socket_address in infos:
        # An IPv6 scope id ("fe80::1%eth0") is not part of the address.
        address = str(socket_address[0]).split("%", 1)[0]
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise BlockedAddress(f"the host {host} has no addresses")
    return addresses


def check_url(url: str, resolve_names: bool = True) -> Target:
    """Check ``url`` and return where to connect, or raise BlockedAddress.

    A literal IP address is checked without any lookup. A name is resolved
    when ``resolve_names`` is true; a name that does not resolve is rejected,
    because it cannot be checked.
    """
    scheme, host, port = split_url(url)
    if is_allow_listed(host, port):
        return Target(scheme, host, port, None)

    literal = _literal_address(host)
    if literal is not None:
        reason = blocked_reason(literal)
        if reason:
            raise BlockedAddress(f"{host} is {reason}")
        return Target(scheme, host, port, str(literal))

    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise BlockedAddress(f"{host} is a local host name")
    if not resolve_names:
        return Target(scheme, host, port, None)

    addresses = resolve(host, port)
    for address in addresses:
        parsed = ipaddress.ip_address(address)
        reason = blocked_reason(parsed)
        if reason:
            raise BlockedAddress(f"{host} resolves to {address}, which is {reason}")
    return Target(scheme, host, port, addresses[0])
