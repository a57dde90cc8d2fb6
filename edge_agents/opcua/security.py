"""Security for OPC-UA links: Basic256Sha256 Sign&Encrypt, plant-CA trust, user and password.

Clients and simulator servers use the same rules, so a simulator is as strict as a machine.
"""

from __future__ import annotations

import hmac
import logging
import os
from pathlib import Path

from asyncua import Client, Server, ua
from asyncua.crypto import security_policies
from asyncua.crypto.permission_rules import User, UserRole
from asyncua.crypto.truststore import TrustStore
from asyncua.crypto.validator import CertificateValidator, CertificateValidatorOptions

from core.config.models import OpcUaEndpoint
from core.errors import ConfigError
from edge_agents.opcua import certs

log = logging.getLogger(__name__)

SECURE = "Basic256Sha256_SignAndEncrypt"


def quiet_asyncua() -> None:
    """asyncua logs every publish payload at INFO, which costs more CPU than the values do:
    keep its loggers at WARNING unless someone set them on purpose."""
    for name in ("asyncua", "asyncua.common.subscription", "asyncua.client", "asyncua.server"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)


def endpoint_password(endpoint: OpcUaEndpoint) -> str | None:
    """The password for `endpoint` from the variable its `password_env` names (never from YAML)."""
    if endpoint.username is None:
        return None
    if endpoint.password_env is None:
        raise ConfigError(f"OPC-UA endpoint {endpoint.url}: username set but no password_env")
    password = os.environ.get(endpoint.password_env)
    if not password:
        raise ConfigError(
            f"OPC-UA endpoint {endpoint.url}: environment variable {endpoint.password_env} "
            "(the user's password) is not set"
        )
    return password


async def _validator(
    folder: Path | None, peer: CertificateValidatorOptions
) -> CertificateValidator:
    store = TrustStore([certs.trusted_dir(folder)], [])
    await store.load()
    return CertificateValidator(CertificateValidatorOptions.TRUSTED_VALIDATION | peer, store)


async def secure_client(
    client: Client, endpoint: OpcUaEndpoint, name: str, folder: Path | None = None
) -> list[str]:
    """Apply the endpoint's security to `client`; returns warnings an operator should see."""
    warnings: list[str] = []
    if endpoint.security == SECURE:
        pair = certs.ensure(name, "client", folder)
        client.application_uri = pair.application_uri
        client.certificate_validator = await _validator(
            folder, CertificateValidatorOptions.PEER_SERVER
        )
        await client.set_security(
            security_policies.SecurityPolicyBasic256Sha256,
            str(pair.cert),
            str(pair.key),
            mode=ua.MessageSecurityMode.SignAndEncrypt,
        )
    else:
        warning = f"OPC-UA link to {endpoint.url} runs without security (configured 'None')"
        log.warning(warning)
        warnings.append(warning)
    if endpoint.username is not None:
        client.set_user(endpoint.username)
        client.set_password(endpoint_password(endpoint) or "")
    return warnings


class _PasswordUsers:
    """Accepts exactly one user name and password (compared in constant time)."""

    def __init__(self, username: str, password: str) -> None:
        self._username = username
        self._password = password

    def get_user(self, iserver, username=None, password=None, certificate=None):  # noqa: ANN001
        if username is None or password is None:
            return None
        same_user = hmac.compare_digest(username.encode(), self._username.encode())
        same_password = hmac.compare_digest(password.encode(), self._password.encode())
        if same_user and same_password:
            return User(role=UserRole.User, name=username)
        log.warning("OPC-UA login refused for user %r", username)
        return None


def password_users(endpoint: OpcUaEndpoint) -> _PasswordUsers | None:
    password = endpoint_password(endpoint)
    if endpoint.username is None or password is None:
        return None
    return _PasswordUsers(endpoint.username, password)


async def secure_server(
    server: Server, endpoint: OpcUaEndpoint, name: str, folder: Path | None = None
) -> None:
    """Apply the endpoint's security to a simulator `server` (call before `server.init()` ends)."""
    if endpoint.security == SECURE:
        pair = certs.ensure(name, "server", folder)
        await server.load_certificate(str(pair.cert))
        await server.load_private_key(str(pair.key))
        await server.set_application_uri(pair.application_uri)
        server.set_security_policy([ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt])
        server.set_certificate_validator(
            await _validator(folder, CertificateValidatorOptions.PEER_CLIENT)
        )
    else:
        log.warning("simulator %s serves without security (configured 'None')", name)
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    if endpoint.username is not None:
        server.set_identity_tokens([ua.UserNameIdentityToken])
    else:
        server.set_identity_tokens([ua.AnonymousIdentityToken])
