"""OPC-UA application certificates: a plant CA and what it issues to clients and servers.

OPC-UA checks the application URI in the certificate's subjectAltName against the application's
description, so every certificate carries `urn:atelier:<name>` and is used with that URI.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from core.errors import ConfigError
from core.settings import atelier_home

log = logging.getLogger(__name__)

CA_NAME = "plant-ca"
VALID_DAYS = 825


@dataclass(frozen=True)
class CertPair:
    """A certificate and its private key on disk, with the application URI it names."""

    name: str
    cert: Path
    key: Path

    @property
    def application_uri(self) -> str:
        return application_uri(self.name)


def application_uri(name: str) -> str:
    return f"urn:atelier:{name}"


def certs_dir() -> Path:
    folder = atelier_home() / "certs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pair_for(name: str, folder: Path | None = None) -> CertPair:
    folder = folder or certs_dir()
    return CertPair(name=name, cert=folder / f"{name}.pem", key=folder / f"{name}.key.pem")


def trusted_dir(folder: Path | None = None) -> Path:
    """Folder of trusted CA certificates (the plant CA, made if missing)."""
    ca = make_ca(folder)
    trusted = ca.cert.parent / "trusted"
    trusted.mkdir(exist_ok=True)
    copy = trusted / ca.cert.name
    if not copy.exists() or copy.read_bytes() != ca.cert.read_bytes():
        _write_atomic(copy, ca.cert.read_bytes(), private=False)
    return trusted


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write_atomic(path: Path, data: bytes, private: bool) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    if private:
        os.chmod(tmp, 0o600)
    tmp.replace(path)


def _save(pair: CertPair, cert: x509.Certificate, key: rsa.RSAPrivateKey) -> None:
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    # Key first: a certificate on disk always has its key beside it.
    _write_atomic(pair.key, key_pem, private=True)
    _write_atomic(pair.cert, cert.public_bytes(serialization.Encoding.PEM), private=False)


def load_pair(pair: CertPair) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    if not pair.cert.exists() or not pair.key.exists():
        raise ConfigError(
            f"certificate {pair.name!r} not found in {pair.cert.parent}; "
            "create it with `atelier certs`"
        )
    cert = x509.load_pem_x509_certificate(pair.cert.read_bytes())
    key = serialization.load_pem_private_key(pair.key.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError(f"{pair.key} is not an RSA key (Basic256Sha256 needs RSA)")
    return cert, key


def make_ca(folder: Path | None = None, force: bool = False) -> CertPair:
    """Create the plant CA (kept if it exists unless `force`)."""
    pair = pair_for(CA_NAME, folder)
    if pair.cert.exists() and pair.key.exists() and not force:
        log.debug("plant CA kept: %s", pair.cert)
        return pair
    key = _new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Atelier plant CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _save(pair, cert, key)
    log.info("plant CA created: %s", pair.cert)
    return pair


def issue(
    name: str,
    role: str,
    folder: Path | None = None,
    hosts: list[str] | None = None,
    self_signed: bool = False,
) -> CertPair:
    """Issue a certificate for application `name` (`role` client or server) from the plant CA.

    `self_signed` makes a stand-alone certificate, for a machine that cannot hold a CA chain.
    """
    if role not in ("client", "server"):
        raise ConfigError(f"certificate role must be 'client' or 'server', not {role!r}")
    pair = pair_for(name, folder)
    key = _new_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"Atelier {name}"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Atelier"),
        ]
    )
    if self_signed:
        issuer_name, signing_key, issuer_cert = subject, key, None
    else:
        ca = pair_for(CA_NAME, folder)
        if not ca.cert.exists():
            make_ca(folder)
        issuer_cert, signing_key = load_pair(ca)
        issuer_name = issuer_cert.subject
    alt: list[x509.GeneralName] = [x509.UniformResourceIdentifier(application_uri(name))]
    for host in hosts or [socket.gethostname(), "localhost", "127.0.0.1"]:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt.append(x509.DNSName(host))
    usage = ExtendedKeyUsageOID.SERVER_AUTH if role == "server" else ExtendedKeyUsageOID.CLIENT_AUTH
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=True,
                data_encipherment=True,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()),
            critical=False,
        )
    cert = builder.sign(signing_key, hashes.SHA256())
    _save(pair, cert, key)
    log.info("%s certificate for %s written to %s (%s)", role, name, pair.cert, usage._name)
    return pair


def ensure(name: str, role: str, folder: Path | None = None) -> CertPair:
    """The certificate for `name`, issued by the plant CA if it does not exist yet."""
    pair = pair_for(name, folder)
    if pair.cert.exists() and pair.key.exists():
        return pair
    return issue(name, role, folder)
