"""Property tests: untrusted bytes never crash the scanner or the content readers."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.checks.secrets.content import units
from labwarden.checks.secrets.scanner import scan_text
from labwarden.core.errors import InputError

FORMATS = ["python", "dotenv", "yaml", "json", "log-text", "kubeconfig", "netrc", "pgpass", ""]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=600), st.sampled_from(FORMATS))
def test_scan_text_never_raises_and_lines_are_in_range(text: str, fmt: str) -> None:
    for hit in scan_text(text, fmt):
        assert 1 <= hit.line <= text.count("\n") + 1
        assert 0 <= hit.start < hit.end <= len(text)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "token=",
                "AKIA",
                "://u:p@h",
                "-----BEGIN ",
                "PRIVATE KEY-----",
                "eyJ",
                ".",
                "\n",
                "password: ",
                "hf_",
                "ghp_",
                "x" * 20,
                '"',
                "Q~",
                "AccountKey=",
                "sig=",
                "wandb ",
                "Bearer ",
                "kind: Secret\n",
                "data:\n",
                "stringData:\n",
                "  password: ",
                "aHVudGVyMjpzM2NyM3Q=",
                "- name: HF_TOKEN\n",
                "  value: ",
                '{"name": "DB_PASSWORD", "value": "',
                'os.environ.setdefault("WANDB_API_KEY", "',
                ": Final[str] = ",
                "Field(default=",
                "gh secret set X --body ",
                "ENC[AES256_GCM,data:",
                "-----BEGIN PGP PRIVATE KEY BLOCK-----\n",
                "=Ab1c\n",
                "machine a.b login c password ",
                "AGE-SECRET-KEY-1",
                "ops_eyJ",
            ]
        ),
        max_size=40,
    )
)
def test_rule_fragments_never_raise(parts: list[str]) -> None:
    scan_text("".join(parts), "python")
    scan_text("".join(parts), "dotenv")


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["notebook", "parquet", "log-text+gzip", "text"]))
def test_readers_raise_only_input_errors(data: bytes, fmt: str) -> None:
    try:
        for unit in units(fmt, io.BytesIO(data)):
            scan_text(unit.text, unit.fmt)
    except InputError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_hits_point_inside_the_text(text: str) -> None:
    manifest = "kind: Secret\ndata:\n  password: " + text + "\n- name: TOKEN\n  value: " + text
    for hit in scan_text(manifest, "yaml"):
        assert 0 <= hit.start < hit.end <= len(manifest)
        assert 1 <= hit.line <= manifest.count("\n") + 1
