"""The SSRF guard: every blocked address class is rejected before any connection.

Literal addresses are checked without a lookup, and names resolve through a
faked ``getaddrinfo``, so nothing here sends traffic; the connection guard
fails a test that tries.
"""

import pytest

from chalicelib.integrations import ssrf
from chalicelib.integrations.outbound import _connect_url, send
from tests.integrations.webhook_receiver import (
    allow_listed_receiver,
    fake_dns,
    install_guard,
)

# (URL, words the rejection names); one case per blocked class.
BLOCKED = [
    ("http://127.0.0.1/hook", "loopback"),
    ("http://127.8.9.10:8080/hook", "loopback"),
    ("http://[::1]/hook", "loopback"),
    ("http://10.1.2.3/hook", "private"),
    ("http://172.16.0.1/hook", "private"),
    ("http://172.31.255.254/hook", "private"),
    ("http://192.168.1.1/hook", "private"),
    ("http://[fc00::1]/hook", "private"),
    ("http://[fd12:3456::1]/hook", "private"),
    ("http://169.254.10.20/hook", "link-local"),
    ("http://[fe80::1]/hook", "link-local"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "metadata"),
    ("http://0.0.0.0/hook", "unspecified"),
    ("http://[::]/hook", "unspecified"),
    ("http://224.0.0.1/hook", "multicast"),
    ("http://[ff02::1]/hook", "multicast"),
    ("http://240.0.0.1/hook", "reserved"),
    ("http://255.255.255.255/hook", "reserved"),
    ("http://100.64.0.1/hook", "carrier-grade NAT"),
    ("http://100.127.255.254/hook", "carrier-grade NAT"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),
    ("http://[::ffff:10.0.0.1]/hook", "private"),
    ("http://[::ffff:169.254.169.254]/hook", "metadata"),
    ("http://[64:ff9b::a00:1]/hook", "private"),
    ("http://[2002:a00:1::]/hook", "private"),
    ("http://192.0.2.10/hook", "address"),
    ("http://localhost/hook", "local host name"),
    ("http://printer.local/hook", "local host name"),
]


@pytest.fixture
def receiver(monkeypatch):
    yield from allow_listed_receiver(monkeypatch)


@pytest.fixture
def guard(monkeypatch):
    return install_guard(monkeypatch)


@pytest.mark.parametrize(("url", "reason"), BLOCKED)
def test_blocked_literal_rejected(guard, url, reason):
    with pytest.raises(ssrf.BlockedAddress) as error:
        ssrf.check_url(url)
    assert reason in str(error.value)
    assert guard.connections == []


@pytest.mark.parametrize(("url", "reason"), BLOCKED)
def test_blocked_literal_never_sent(guard, url, reason):
    outcome = send(url, b"{}", {})
    assert outcome.status_code is None
    assert outcome.error.startswith("blocked:")
    assert reason in outcome.error
    assert guard.connections == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "//example.com/hook",
        "example.com/hook",
        "http:///hook",
        "http://user:secret@example.com/hook",
        "http://example.com:99999/hook",
        "http://" + "a" * 2100 + ".com/",
    ],
)
def test_malformed_or_other_scheme_rejected(guard, url):
    with pytest.raises(ssrf.BlockedAddress):
        ssrf.check_url(url)
    assert guard.connections == []


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (["10.0.0.7"], "private"),
        (["169.254.169.254"], "metadata"),
        (["::1"], "loopback"),
        (["100.64.1.1"], "carrier-grade NAT"),
        # Every address must pass, not just the first.
        (["93.184.216.34", "192.168.0.5"], "private"),
        (["2606:2800:220:1:248:1893:25c8:1946", "fe80::5"], "link-local"),
    ],
)
def test_name_resolving_to_blocked_rejected(monkeypatch, guard, answers, reason):
    fake_dns(monkeypatch, {"hooks.example.test": answers})
    with pytest.raises(ssrf.BlockedAddress) as error:
        ssrf.check_url("https://hooks.example.test/in")
    assert reason in str(error.value)
    assert "hooks.example.test resolves to" in str(error.value)
    assert guard.connections == []


def test_public_name_checked_and_pinned(monkeypatch, guard):
    fake_dns(monkeypatch, {"hooks.example.test": ["93.184.216.34"]})
    target = ssrf.check_url("https://hooks.example.test/in?x=1")
    assert target.address == "93.184.216.34"
    assert target.host_header == "hooks.example.test"
    pinned = _connect_url("https://hooks.example.test/in?x=1", target)
    assert pinned == "https://93.184.216.34:443/in?x=1"
    assert guard.connections == []


def test_ipv6_target_pinned_with_brackets(guard):
    target = ssrf.check_url("http://[2606:2800:220:1:248:1893:25c8:1946]:8080/a")
    assert target.host_header == "[2606:2800:220:1:248:1893:25c8:1946]:8080"
    assert (
        _connect_url("http://[2606:2800:220:1:248:1893:25c8:1946]:8080/a", target)
        == "http://[2606:2800:220:1:248:1893:25c8:1946]:8080/a"
    )


def test_unresolvable_name_rejected(monkeypatch, guard):
    fake_dns(monkeypatch, {"nowhere.example.test": []})
    with pytest.raises(ssrf.BlockedAddress) as error:
        ssrf.check_url("https://nowhere.example.test/")
    assert "no addresses" in str(error.value)


def test_allow_list_is_exact(monkeypatch, guard):
    monkeypatch.setenv(ssrf.ALLOWED_HOSTS_VARIABLE, "127.0.0.1:9999, [::1]")
    assert ssrf.check_url("http://127.0.0.1:9999/hook").address is None
    assert ssrf.check_url("http://[::1]:4000/hook").address is None
    with pytest.raises(ssrf.BlockedAddress):
        ssrf.check_url("http://127.0.0.1:9998/hook")
    with pytest.raises(ssrf.BlockedAddress):
        ssrf.check_url("ftp://127.0.0.1:9999/hook")
    assert guard.connections == []


def test_redirect_to_metadata_not_followed(receiver, guard):
    receiver.default_answer = (
        302,
        {"Location": "http://169.254.169.254/latest/meta-data/"},
    )
    outcome = send(receiver.url(), b"{}", {})
    assert outcome.status_code is None
    assert "metadata" in outcome.error
    assert outcome.url == "http://169.254.169.254/latest/meta-data/"
    assert len(receiver.received) == 1
    assert "169.254.169.254" not in guard.targets()


def test_redirect_to_private_name_not_followed(monkeypatch, receiver, guard):
    fake_dns(monkeypatch, {"internal.example.test": ["10.20.30.40"]})
    receiver.default_answer = (307, {"Location": "http://internal.example.test/x"})
    outcome = send(receiver.url(), b"{}", {})
    assert "resolves to 10.20.30.40" in outcome.error
    assert "10.20.30.40" not in guard.targets()


def test_redirects_followed_up_to_three(receiver, guard):
    receiver.answers = [(301, {"Location": f"/hop{n}"}) for n in range(1, 4)]
    outcome = send(receiver.url("/start"), b'{"a":1}', {"X-Test": "1"})
    assert outcome.delivered
    assert outcome.url == receiver.url("/hop3")
    assert [item.path for item in receiver.received] == [
        "/start",
        "/hop1",
        "/hop2",
        "/hop3",
    ]
    assert {item.body for item in receiver.received} == {b'{"a":1}'}


def test_fourth_redirect_fails(receiver, guard):
    receiver.default_answer = (308, {"Location": "/again"})
    outcome = send(receiver.url(), b"{}", {})
    assert not outcome.delivered
    assert "more than 3 redirects" in outcome.error
    assert len(receiver.received) == 4


def test_unlisted_loopback_port_not_contacted(receiver, guard):
    outcome = send(f"http://127.0.0.1:{receiver.port + 1}/hook", b"{}", {})
    assert "loopback" in outcome.error
    assert ("127.0.0.1", receiver.port + 1) not in guard.connections


def _self_signed(tmp_path, name: str):
    """Write a self-signed certificate for ``name`` and return its file paths."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), False)
        .sign(key, hashes.SHA256())
    )
    certificate_path = tmp_path / "server.pem"
    key_path = tmp_path / "server.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificate_path, key_path


def test_https_pinned_address_sends_host_as_sni(monkeypatch, tmp_path, guard):
    """The connection goes to the checked address and TLS still names the host."""
    import socket
    import ssl
    import threading

    certificate, key = _self_signed(tmp_path, "hooks.example.test")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server_names = []
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def accept_once() -> None:
        connection, _ = listener.accept()
        try:
            context.wrap_socket(connection, server_side=True).close()
        except (ssl.SSLError, OSError):
            # The client rejects the self-signed certificate mid-handshake.
            pass
        finally:
            connection.close()

    thread = threading.Thread(target=accept_once, daemon=True)
    thread.start()
    # The name is checked as public, then pinned to the loopback server, which
    # stands in for the checked address; no lookup or connection goes out.
    monkeypatch.setattr(
        "chalicelib.integrations.outbound.ssrf.check_url",
        lambda url: ssrf.Target("https", "hooks.example.test", port, "127.0.0.1"),
    )
    outcome = send(f"https://hooks.example.test:{port}/in", b"{}", {})
    thread.join(timeout=10)
    listener.close()

    assert server_names == ["hooks.example.test"]
    assert ("127.0.0.1", port) in guard.connections
    # The certificate is not trusted, so the request fails after the check.
    assert outcome.error == "request failed: SSLError"
