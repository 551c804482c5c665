"""Shell scripts and Dockerfiles, read as text: ``pip install`` lines, images used without a
digest, remote files added without a checksum, and scripts piped from the network into a shell."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from labwarden.checks.code.interface import Dependency, Hit
from labwarden.checks.code.requirements import Manifest, logical_lines, pip_installs
from labwarden.core.values import Severity

_PIPE_TO_SHELL = re.compile(
    r"\b(?:curl|wget)\b[^|;&]*(?:https?|ftp)://[^|;&]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b"
)


@dataclass(slots=True)
class ScriptResult:
    """What one script or Dockerfile holds."""

    hits: list[Hit] = field(default_factory=list)
    manifests: list[Manifest] = field(default_factory=list)
    images: list[Dependency] = field(default_factory=list)


def scan_shell_line(
    text: str, path: str, line: int, result: ScriptResult, member: str | None = None
) -> None:
    """Add what one logical shell line holds to ``result``."""
    result.manifests.extend(pip_installs(text, path, line, member))
    if _PIPE_TO_SHELL.search(text):
        result.hits.append(
            Hit(
                rule="pipe-to-shell",
                severity=Severity.HIGH,
                line=line,
                message="a script downloaded from the network is piped straight into a shell",
                fix="Download the script, verify its checksum or signature, then run it.",
                member=member,
            )
        )


def scan_shell(path: str, text: str, member: str | None = None) -> ScriptResult:
    """A shell script (or a notebook's shell lines)."""
    result = ScriptResult()
    for line in logical_lines(text):
        scan_shell_line(line.text, path, line.number, result, member)
    return result


_FROM = re.compile(
    r"^FROM\s+(?:--platform=\S+\s+)?(?P<image>\S+)(?:\s+AS\s+(?P<stage>\S+))?\s*$", re.IGNORECASE
)
_ARG = re.compile(r"^ARG\s+(?P<name>\w+)(?:=(?P<value>\S*))?", re.IGNORECASE)
_VAR = re.compile(r"\$\{?(\w+)(?::?-([^}]*))?\}?")
_ADD = re.compile(r"^ADD\s+(?P<options>(?:--\S+\s+)*)(?P<rest>.*)$", re.IGNORECASE)
_HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?")


@dataclass(slots=True)
class _Instruction:
    line: int
    keyword: str
    text: str


def _instructions(text: str) -> Iterator[_Instruction]:
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        start = index
        parts: list[str] = []
        while index < len(lines):
            raw = lines[index]
            index += 1
            if raw.lstrip().startswith("#") and parts:
                continue  # comment lines inside a continued instruction
            if raw.rstrip().endswith("\\"):
                parts.append(raw.rstrip()[:-1])
                continue
            parts.append(raw)
            break
        joined = " ".join(p.strip() for p in parts).strip()
        if not joined or joined.startswith("#"):
            continue
        keyword = joined.split(None, 1)[0].upper()
        heredoc = _HEREDOC.search(joined) if keyword == "RUN" else None
        if heredoc:
            body: list[str] = []
            while index < len(lines) and lines[index].strip() != heredoc.group(1):
                body.append(lines[index])
                index += 1
            index += 1
            joined = joined + "\n" + "\n".join(body)
        yield _Instruction(start + 1, keyword, joined)


def _substitute(text: str, args: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        return args.get(match.group(1)) or match.group(2) or match.group(0)

    return _VAR.sub(value, text)


def scan_dockerfile(path: str, text: str) -> ScriptResult:
    """A Dockerfile or Containerfile."""
    result = ScriptResult()
    args: dict[str, str] = {}
    stages: set[str] = set()
    for ins in _instructions(text):
        if ins.keyword == "ARG":
            found = _ARG.match(ins.text)
            if found and found["value"]:
                args.setdefault(found["name"], found["value"].strip("\"'"))
        elif ins.keyword == "FROM":
            _from(ins, path, args, stages, result)
        elif ins.keyword == "RUN":
            for number, shell in enumerate(ins.text[3:].split("\n")):
                scan_shell_line(shell, path, ins.line + number, result, "RUN")
        elif ins.keyword == "ADD":
            _add(ins, path, result)
    return result


def _from(
    ins: _Instruction, path: str, args: dict[str, str], stages: set[str], result: ScriptResult
) -> None:
    found = _FROM.match(ins.text)
    if not found:
        return
    image = _substitute(found["image"], args)
    if found["stage"]:
        stages.add(found["stage"].lower())
    if image.lower() == "scratch" or image.lower() in stages:
        return
    name, tag, digest = split_image(image)
    result.images.append(
        Dependency(
            name=name,
            ecosystem="docker",
            source=path,
            line=ins.line,
            specifier=tag or "",
            version=digest or tag,
            origin="image",
        )
    )
    if digest:
        return
    if "$" in image:
        message = f"base image {image!r} comes from a build argument without a default"
        severity = Severity.LOW
    else:
        moving = "no tag (latest)" if not tag or tag == "latest" else f"tag {tag!r}"
        message = f"base image {name} by {moving}, not by digest: a tag can be repointed"
        severity = Severity.MEDIUM
    result.hits.append(
        Hit(
            rule="image-unpinned",
            severity=severity,
            line=ins.line,
            message=message,
            fix=f"Pin the digest: FROM {name}:{tag or 'TAG'}@sha256:<digest> (docker buildx "
            "imagetools inspect shows it).",
            evidence={"image": image},
        )
    )


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """``(name, tag, digest)`` of an image reference (``repo/x:1.2@sha256:...``)."""
    digest = None
    if "@" in image:
        image, digest = image.split("@", 1)
    tag = None
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        image, tag = image.rsplit(":", 1)
    return image, tag, digest


def _add(ins: _Instruction, path: str, result: ScriptResult) -> None:
    found = _ADD.match(ins.text)
    if not found or "--checksum" in found["options"]:
        return
    sources = found["rest"].split()[:-1]
    for source in sources:
        if re.match(r"^(?:https?|ftp)://", source) or source.startswith("git@"):
            result.hits.append(
                Hit(
                    rule="remote-add",
                    severity=Severity.MEDIUM,
                    line=ins.line,
                    message=f"ADD {source} fetches at build time without a checksum",
                    fix="Use ADD --checksum=sha256:<digest> (or a pinned git commit).",
                )
            )
