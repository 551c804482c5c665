"""Token literals from trufflehog's detector pattern tests (AGPL-3.0, quoted as test data).

Each case names the test file it comes from and the label trufflehog gives it. Two of its
"valid" tokens are left out on purpose: the 1Password case ``ops_abcdefghijklmnopqrstuvwxyzABCDEF``
and the Fly.io case ``FlyV1 fm2_AD1shwGb...abcdefghijklmnopqrstuvwxyz...`` are alphabet runs
without the documented structure (a base64 JSON body, a random macaroon), so neither side of a
label would be honest; they are listed in RESULTS.md.
"""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    """A token, the variable it is kept under, its family, label and source test file."""

    value: str
    name: str
    family: str
    label: int
    source: str


TH = "trufflesecurity/trufflehog pkg/detectors/"

CASES: tuple[Case, ...] = (
    Case(
        "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",
        "WANDB_API_KEY",
        "wandb",
        1,
        TH + "weightsandbiases/v2/weightsandbiases_test.go",
    ),
    Case(
        "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",
        "WANDB_API_KEY",
        "wandb",
        1,
        TH + "weightsandbiases/v2/weightsandbiases_test.go",
    ),
    Case(
        "wandb_v1_CNskTdKUs0f1uHZ4eOECFLof6aC_4IlqrKmMuTTfwXd5n6hf8VvcOX67MNii",
        "WANDB_API_KEY",
        "wandb",
        0,
        TH + "weightsandbiases/v2/weightsandbiases_test.go (wrong length)",
    ),
    Case(
        "eedf1c984f6b995ec40ecc6658356044847ffb31",
        "WANDB_API_KEY",
        "wandb",
        1,
        TH + "weightsandbiases/v2/weightsandbiases_test.go (a v1 key)",
    ),
    Case(
        "pcsk_T5Afk6_5qU9s3iLVFmaSaJtMat7gTHaT9fXa7ykiBk7iz4uUMuLGLemkdutTgwJevYhqtn",
        "PINECONE_API_KEY",
        "pinecone",
        1,
        TH + "pinecone/pinecone_test.go",
    ),
    Case(
        "pcsk_wtQV4_J9qqVGjiMW81LJ9H59iajZMWMedenyLnGVR3vbCWq6V3oaEvcQYwPFQpupFUth1",
        "PINECONE_API_KEY",
        "pinecone",
        1,
        TH + "pinecone/pinecone_test.go",
    ),
    Case(
        "pcsk__5qU9s3iLVFmaSaJtMat7gTHaT9fXa7ykiBk7iz4uUMuLGLemkdutTgwJevYhqtn",
        "PINECONE_API_KEY",
        "pinecone",
        0,
        TH + "pinecone/pinecone_test.go (no key id)",
    ),
    Case(
        "pcsk_abcd_5qU9s3iLVFmaSaJtMat7gTHaT9fXa7ykiBk7iz4uUMuLGLemkdutTgwJevYhqtn",
        "PINECONE_API_KEY",
        "pinecone",
        0,
        TH + "pinecone/pinecone_test.go (key id too short)",
    ),
    Case(
        "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",
        "GROQ_API_KEY",
        "model-api",
        1,
        TH + "groq/groq_test.go",
    ),
    Case(
        "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",
        "LANGCHAIN_API_KEY",
        "model-api",
        1,
        TH + "langsmith/langsmith_test.go",
    ),
    Case(
        "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",
        "LANGSMITH_API_KEY",
        "model-api",
        1,
        TH + "langsmith/langsmith_test.go",
    ),
    Case(
        "lsv2_pt_1e0430d40fc14d3fj03397b9e6z46289_2b9036edd2",
        "LANGCHAIN_API_KEY",
        "model-api",
        0,
        TH + "langsmith/langsmith_test.go (not hex)",
    ),
    Case(
        "HRKU-AAlQ1aVoHDujJ9QsDHdHlHO0hbzhoERRSO45ZQusSYHg_____w4_hLrAym_u",
        "HEROKU_API_KEY",
        "heroku",
        1,
        TH + "heroku/v2/heroku_test.go",
    ),
    Case(
        "HRKU-AAy9Ppr_HD2pPuTyIiTYInO0hbzhoERRSO93ZQusSYHgaD7_WQ07FnF7L9FX",
        "HEROKU_API_KEY",
        "heroku",
        1,
        TH + "heroku/v2/heroku_test.go",
    ),
    Case(
        "HRKU-AAlQ1aVoHDujJ9QsDHdHlHO0hbzoERRSO45ZQusSYHg_____w4_hLrAym_u",
        "HEROKU_API_KEY",
        "heroku",
        0,
        TH + "heroku/v2/heroku_test.go (one character short)",
    ),
    Case(
        "suDkVYKjXZAwsz", "SUMO_ACCESS_ID", "sumologic", 1, TH + "sumologickey/sumologickey_test.go"
    ),
    Case(
        "Khk3i2ugMxMgkb8bIA2auj4I8juZ3HiimDNssjzYdGqfizPZcxHK70a0LckgRSCL",
        "SUMO_ACCESS_KEY",
        "sumologic",
        1,
        TH + "sumologickey/sumologickey_test.go",
    ),
    Case(
        "CzrMhR8zzy1eH1F0XlY1tu5ywqa2yaSFoWGg2cqE43XkfnUVCytnPQfv1enUYrzv",
        "sumoKey",
        "sumologic",
        1,
        TH + "sumologickey/sumologickey_test.go",
    ),
    Case(
        "doDkVYKjXZAwsz",
        "SUMO_ACCESS_ID",
        "sumologic",
        0,
        TH + "sumologickey/sumologickey_test.go (not an access id)",
    ),
)
