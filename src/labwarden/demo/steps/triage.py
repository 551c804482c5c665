"""The triage demo step: the image of the lab's compromised GPU server, triaged.

The server (triage's sample host, :mod:`labwarden.respond.triage.sample_host`) had the lab's
storage mounted where the lab is, so its histories name the lab's own model and trial files and
the catalog weighs their upload; it was broken into from the network that later used the stolen
cloud key (the watch step).
The image and the evidence archive live in the demo workspace (``images/gpu-01`` and
``triage/gpu-01.tar.gz``), which the demo owns and rebuilds on every run.
"""

from __future__ import annotations

import shutil
from datetime import timedelta

from labwarden.demo.access_logs import ATTACKER_NET, INTRUSION_DAY
from labwarden.demo.context import DemoContext, Section, shell
from labwarden.demo.steps.seals import DEMO_KEY, DEMO_PASSPHRASE
from labwarden.demo.writer import EPOCH
from labwarden.respond.triage import TriageOptions, run_triage
from labwarden.respond.triage.sample_host import Intrusion, compromised

SERVER_NOW = EPOCH + timedelta(days=INTRUSION_DAY + 1)
"""The server's clock when it was imaged: the day after the stolen key was used in the cloud,
two days after the server itself was broken into (from the same network)."""
WINDOW = timedelta(days=7)


def triage_step(context: DemoContext) -> None:
    """Build the server's image, triage it into a sealed archive, show what it found."""
    lab = context.lab.root
    image = context.workspace.root / "images" / "gpu-01"
    archive = context.workspace.root / "triage" / "gpu-01.tar.gz"
    shutil.rmtree(image, ignore_errors=True)
    for old in archive.parent.glob(f"{archive.name}*"):
        old.unlink()
    archive.parent.mkdir(parents=True, exist_ok=True)
    models = lab / "models" / "protein-lm-v3"
    trial = lab / str(context.lab.facts.get("trial_table", "data/trials/CTX-104"))
    intrusion = Intrusion(
        attacker=f"{ATTACKER_NET}.77",
        models=str(models),
        model_file=str(models / "model-00001-of-00002.safetensors"),
        trial_table=str(trial),
    )
    compromised(image, SERVER_NOW, intrusion)
    since = SERVER_NOW - WINDOW
    result = run_triage(
        TriageOptions(
            root=image,
            output=archive,
            since=since,
            case="DEMO-1",
            examiner="labwarden demo",
        ),
        workspace=context.workspace,
        key=DEMO_KEY,
        passphrase=lambda: DEMO_PASSPHRASE,
    )
    rows = [
        {
            "severity": f.severity.value,
            "rule": f.rule.removeprefix("triage."),
            "where": str(f.location),
            "what": f.message,
        }
        for f in result.findings
    ]
    context.sections.append(
        Section(
            f"Triage of the gpu-01 server image: {len(rows)} findings "
            f"(evidence {archive.name}, {result.sealed.split(' (')[0]})",
            ["severity", "rule", "where", "what"],
            rows,
        )
    )
    ws = context.workspace_option
    context.next_commands.extend(
        [
            f"labwarden {ws} triage --root {shell(image)} --since {since.date().isoformat()} "
            "--case DEMO-1 --output gpu-01-again.tar.gz",
            f"labwarden {ws} verify {shell(archive)} --seal {shell(f'{archive}.sigstore.json')}",
            f"labwarden {ws} events --source triage --principal root",
        ]
    )
