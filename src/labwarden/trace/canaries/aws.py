"""AWS key canaries: a dedicated IAM user with no permissions and an access key.

The user is tagged ``labwarden-canary`` and gets no policy, so the key can do nothing but fail;
every use of it (CloudTrail records failed calls too, with ``userIdentity.accessKeyId``) is a
touch. boto3 comes with ``pip install 'labwarden[cloud]'``; the endpoint may be moved with
``AWS_ENDPOINT_URL`` (moto's server in the tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from labwarden.core.errors import InputError

KEY_ID = re.compile(r"^(AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{12,124}$")


@dataclass(frozen=True, slots=True)
class AwsKey:
    """A created canary key."""

    user: str
    access_key_id: str
    secret_access_key: str
    account: str | None


def check_key_id(key_id: str) -> str:
    """``key_id`` if it looks like an AWS access key id, else an :class:`InputError`."""
    value = key_id.strip()
    if not KEY_ID.match(value):
        raise InputError(f"--access-key-id {key_id!r}: not an AWS access key id (AKIA...)")
    return value


def _client(service: str) -> Any:
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        raise InputError(
            "creating an AWS key canary needs boto3: pip install 'labwarden[cloud]' "
            "(or register an existing key with --access-key-id)"
        ) from None
    try:
        return boto3.client(service), (BotoCoreError, ClientError)
    except BotoCoreError as exc:
        raise InputError(f"AWS: {exc}") from exc


def create_key(user: str) -> AwsKey:
    """Create IAM user ``user`` (no policy, tagged as a canary) and an access key for it."""
    iam, errors = _client("iam")
    try:
        iam.create_user(
            UserName=user,
            Tags=[{"Key": "labwarden-canary", "Value": "true"}],
        )
        key = iam.create_access_key(UserName=user)["AccessKey"]
        account: str | None = None
        arn = iam.get_user(UserName=user)["User"].get("Arn", "")
        if arn.count(":") >= 4:
            account = arn.split(":")[4] or None
    except errors as exc:
        raise InputError(f"AWS: cannot create the canary user {user!r}: {exc}") from exc
    return AwsKey(user, str(key["AccessKeyId"]), str(key["SecretAccessKey"]), account)


def delete_key(user: str, key_id: str) -> None:
    """Delete the canary's key and user (when retiring a canary that labwarden created)."""
    iam, errors = _client("iam")
    try:
        iam.delete_access_key(UserName=user, AccessKeyId=key_id)
        iam.delete_user(UserName=user)
    except errors as exc:
        raise InputError(f"AWS: cannot delete the canary user {user!r}: {exc}") from exc
