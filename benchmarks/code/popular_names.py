"""Regenerate the popular-package list the typosquat rule compares names against.

Reads the package list of this workplace (``name, version, month, rank, summary`` with the rank
among the 15,000 most downloaded PyPI packages) and keeps the 1,000 most downloaded packages
plus every other ranked package whose summary is about machine learning or data science.
Run once when the list should be refreshed; the output is committed as data.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

KEYWORDS = re.compile(
    r"machine learning|deep learning|neural|pytorch|torch|tensorflow|keras|transformer|"
    r"hugging ?face|dataset|model|llm|language model|diffusion|\bjax\b|scikit|embedding|tokeniz|"
    r"onnx|cuda|gpu|numpy|dataframe|computer vision|reinforcement|\bnlp\b|langchain|openai|"
    r"anthropic|vllm|inference|training",
    re.IGNORECASE,
)
TARGET = Path(__file__).resolve().parents[2] / "src/labwarden/checks/code/data/popular.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tsv", type=Path, help="pypi.tsv (name, version, month, rank, summary)")
    parser.add_argument("--output", type=Path, default=TARGET)
    args = parser.parse_args()
    keep: dict[str, int] = {}
    with args.tsv.open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5 or not parts[3].isdigit():
                continue
            rank = int(parts[3])
            if rank <= 1000 or KEYWORDS.search(parts[4]):
                name = re.sub(r"[-_.]+", "-", parts[0]).lower()
                keep[name] = min(rank, keep.get(name, rank))
    lines = [
        "# Popular PyPI packages (the 1,000 most downloaded, and ML/data packages among the",
        "# 15,000 most downloaded), one normalized name a line, most downloaded first.",
        "# Names one edit away from these are reported as possible typosquats.",
        "# Regenerate with: python -m benchmarks.code.popular_names pypi.tsv",
    ]
    lines += [name for name, _ in sorted(keep.items(), key=lambda item: item[1])]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(keep)} names written to {args.output}")


if __name__ == "__main__":
    main()
