"""Demo logs: training runs, the model registry's HTTP access log, a GPU node's auth and audit
logs, and an inference service log that (wrongly) records patient data."""

from __future__ import annotations

import gzip
from datetime import timedelta

from labwarden.demo.writer import EPOCH, Lab

PATIENTS = [
    ("Maria Jensen", "1961-04-12", "MRN-4481923"),
    ("Lars Nielsen", "1957-11-03", "MRN-3310448"),
    ("Sofia Andersson", "1972-02-28", "MRN-5520917"),
]
RESEARCHERS = ["akumar", "mlarsen", "jchen", "sbauer"]


def build(lab: Lab) -> None:
    """Write the demo's logs."""
    rng = lab.rng
    for run in ("docking-run-7", "tox-run-12", "plm-pretrain-3"):
        for day in range(30):
            when = EPOCH + timedelta(days=day)
            lines = []
            loss = 2.0 - day * 0.05
            for step in range(0, 4000, 500):
                stamp = (when + timedelta(minutes=step // 50)).strftime("%Y-%m-%dT%H:%M:%SZ")
                loss *= 0.995
                lines.append(f"{stamp} INFO {run} epoch={day} step={step} loss={loss:.4f} lr=3e-4")
            lab.write(
                f"logs/training/{run}/train-{when:%Y-%m-%d}.log", "\n".join(lines) + "\n", day=day
            )

    def access_lines(day: int) -> str:
        out = []
        for _ in range(40):
            user = rng.choice(RESEARCHERS)
            when = EPOCH + timedelta(days=day, seconds=rng.randrange(36000))
            path = rng.choice(
                [
                    "/api/models/protein-lm-v3",
                    "/api/models/tox-classifier/files/pytorch_model.bin",
                    "/api/datasets/hts-screen-2026q3",
                    "/api/models/docking-v7/versions",
                ]
            )
            size = rng.randrange(200, 5_000_000)
            out.append(
                f"10.20.{rng.randrange(1, 8)}.{rng.randrange(2, 250)} - {user} "
                f'[{when:%d/%b/%Y:%H:%M:%S +0000}] "GET {path} HTTP/1.1" 200 {size} "-" '
                f'"python-requests/2.32.3"'
            )
        return "\n".join(out) + "\n"

    lab.write("logs/registry/access.log", access_lines(29), day=29)
    for n in range(1, 4):
        data = gzip.compress(access_lines(29 - n).encode(), mtime=0)
        lab.write(f"logs/registry/access.log.{n}.gz", data, day=29 - n)

    auth = []
    audit = []
    for day in range(0, 30, 3):
        when = EPOCH + timedelta(days=day, hours=9)
        user = rng.choice(RESEARCHERS)
        auth.append(
            f"{when:%b %d %H:%M:%S} gpu-node-3 sshd[{rng.randrange(1000, 60000)}]: "
            "Accepted publickey "
            f"for {user} from 10.20.1.{rng.randrange(2, 250)} port {rng.randrange(30000, 60000)} "
            "ssh2: ED25519 SHA256:q9v7demo"
        )
        auth.append(
            f"{when:%b %d %H:%M:%S} gpu-node-3 sudo:   {user} : TTY=pts/0 ; PWD=/home/{user} ; "
            "USER=root ; COMMAND=/usr/bin/nvidia-smi"
        )
        seconds = int(when.timestamp())
        audit.append(
            f"type=SYSCALL msg=audit({seconds}.123:{4000 + day}): arch=c000003e syscall=257 "
            "success=yes "
            f'exit=3 a0=ffffff9c items=1 ppid=1 pid={2000 + day} auid=1001 uid=1001 comm="python" '
            f'exe="/usr/bin/python3.11" key="model-read"'
        )
    lab.write("logs/hosts/gpu-node-3/auth.log", "\n".join(auth) + "\n", day=29)
    lab.write("logs/hosts/gpu-node-3/audit.log", "\n".join(audit) + "\n", day=29)

    service = []
    for day in range(10, 20):
        name, dob, mrn = PATIENTS[day % len(PATIENTS)]
        when = EPOCH + timedelta(days=day, hours=14)
        service.append(
            f"{when:%Y-%m-%dT%H:%M:%SZ} INFO scoring request id=r{day:04d} model=tox-classifier"
        )
        service.append(
            f'{when:%Y-%m-%dT%H:%M:%SZ} DEBUG payload patient_name="{name}" dob={dob} mrn={mrn} '
            f"site=DK-101 result=0.{rng.randrange(100, 999)}"
        )
    lab.write("logs/services/inference-api.log", "\n".join(service) + "\n", day=20)
    lab.write(
        "logs/services/batch-scoring.log",
        f"{EPOCH:%Y-%m-%dT%H:%M:%SZ} INFO batch scoring finished rows=4800\n",
        day=20,
    )
    lab.facts["phi_log"] = "logs/services/inference-api.log"
