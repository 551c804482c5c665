# ruff: noqa: E501  (templates read best one per line)
"""The held-out set: templates and names written apart from the development set, never tuned on.

Names come from lists labwarden does not ship: the US census given names and surnames of the
``names`` package and the European given names of ``gender-guesser`` (both installed into the
peers venv, read as data; the figures say how many of these names labwarden's lexicon holds).
"""

from __future__ import annotations

import random
from pathlib import Path

from benchmarks.pii.corpus import Sample
from benchmarks.pii.templates import Names, Template, build

HELDOUT_TEMPLATES = (
    Template(
        "chat",
        "en",
        "sorry for the delay! this is {FIRST} btw. i'm {AGE} and live in {CITY}, reach me at {PHONE_UK}",
    ),
    Template(
        "chat",
        "en",
        "can you forward the results to {PERSON}? her mail is {EMAIL} and her number {PHONE_US}",
    ),
    Template(
        "chat",
        "en",
        "{PERSON}, {PERSON2} and me are flying out tomorrow, my passport number is {PASSPORT}",
    ),
    Template(
        "chat",
        "da",
        "hej, det er {FIRST} {LAST} - jeg er {AGE} år og bor i {CITY}. mit nummer er {PHONE_DK}",
    ),
    Template("chat", "sv", "hej! jag heter {FIRST}, ring mig på {PHONE_SE} eller maila {EMAIL}"),
    Template(
        "chat", "de", "Hallo, hier ist {PERSON}. Ich bin {AGE} Jahre alt, meine IBAN ist {IBAN}"
    ),
    Template(
        "chat",
        "en",
        "lol the eval finished in {MS} ms on node {N}, loss {LOSS}, pushing v{VER} now",
    ),
    Template(
        "clinical",
        "en",
        "{AGE}-year-old woman presented with chest pain. Name: {PERSON}. MRN: {MRN}. DOB: {DOB}. Started {MED}.",
    ),
    Template(
        "clinical",
        "en",
        "Participant {SUBJECT} (site {SITE}) withdrew consent on {TS}; contact person {PERSON}, {PHONE_INTL}.",
    ),
    Template("clinical", "en", "Seen by Dr {LAST} at {ORG}. Patient's SSN {SSN}, NHS no {NHS}."),
    Template(
        "clinical", "da", "Forsøgsperson {SUBJECT}: {PERSON}, cpr {CPR}, adresse {ADDRESS_DK}"
    ),
    Template(
        "clinical", "no", "Journalnotat: {PERSON} (fnr {FNR}) kontaktet på telefon {PHONE_INTL}."
    ),
    Template(
        "clinical", "de", "Patient {PERSON}, geb. {DOB}, Steuer-ID {STEUER}, Adresse {ADDRESS_DE}"
    ),
    Template("clinical", "nl", "Patiënt {PERSON}, BSN {BSN}, adres {ADDRESS_NL}, geboren op {DOB}"),
    Template("clinical", "fi", "Tutkittava {PERSON}, hetu {HETU}, ikä {AGE}"),
    Template(
        "clinical",
        "en",
        "Reimbursement to IBAN {IBAN} for {PERSON}; receipt paid with card {CARD}.",
    ),
    Template("log", "en", '{TS} level=info msg="user signed up" email={EMAIL} ip={IP_PUBLIC}'),
    Template(
        "log",
        "en",
        '{TS} level=debug msg="create patient" name="{PERSON}" phone="{PHONE_INTL}" ssn={SSN}',
    ),
    Template(
        "log",
        "en",
        "{TS} level=info component=trainer step={N} loss={LOSS} grad_norm={LOSS} eta={N}s",
    ),
    Template(
        "log",
        "en",
        '{TS} level=warn msg="retry" upstream={IP_PRIVATE}:{N} attempt={N} request={HEX}',
    ),
    Template(
        "log",
        "en",
        '{TS} level=info msg="order placed" order_id={ORDER} amount={N}.00 currency=DKK',
    ),
    Template("log", "en", "{TS} audit user={EMAIL} exported cohort CTX-{N} to {IP_PUBLIC}"),
    Template("log", "en", "{TS} INFO uploaded driver licence {DL} for applicant {PERSON}"),
    Template(
        "signature",
        "en",
        "Kind regards\n\n{PERSON}\nSenior Data Manager\n{ORG}\n{ADDRESS_UK}\nM: {PHONE_UK}",
    ),
    Template(
        "signature",
        "sv",
        "Med vänliga hälsningar\n{PERSON}\n{ORG}\n{ADDRESS_SE}\nTel {PHONE_SE}",
    ),
    Template(
        "signature",
        "nl",
        "Met vriendelijke groet,\n{PERSON}\nOnderzoeksverpleegkundige\n{ADDRESS_NL}",
    ),
    Template("signature", "en", "Thanks,\n{FIRST}\n\nSent from my phone"),
    Template(
        "signature",
        "en",
        "{PERSON}\nPrincipal Investigator | {ORG}\n{ADDRESS_US}\nOffice {PHONE_US} | {EMAIL}",
    ),
    Template(
        "chat",
        "en",
        "Model Card: Tox Classifier v{VER}, trained on {N} compounds by the Discovery Team; questions to ml-ops@acme.example",
    ),
    Template(
        "log",
        "en",
        "{TS} WARN Checkpoint {HEX} restored from s3://acme-models/run-{N}/ (Python {VER}, CUDA {VER})",
    ),
)

WORK = Path(__file__).resolve().parents[1] / ".work" / "peers-pii"


def _site_packages() -> Path:
    found = sorted(WORK.glob("lib/python*/site-packages"))
    if not found:
        raise FileNotFoundError(f"{WORK}: install the peers venv (see RESULTS.md)")
    return found[0]


def heldout_names(limit: int = 400, seed: int = 5) -> Names:
    """Given names and surnames from the census lists and gender-guesser's European names."""
    site = _site_packages()
    census_first: list[str] = []
    for name in ("dist.male.first", "dist.female.first"):
        text = (site / "names" / name).read_text(encoding="utf-8")
        census_first += [line.split()[0].title() for line in text.splitlines()[:1500] if line]
    census_last = [
        line.split()[0].title()
        for line in (site / "names" / "dist.all.last")
        .read_text(encoding="utf-8")
        .splitlines()[:5000]
        if line
    ]
    europe = []
    raw = (site / "gender_guesser" / "data" / "nam_dict.txt").read_bytes().decode("iso-8859-1")
    for line in raw.splitlines():
        if line[:1] in "MF?" and not line.startswith("#") and len(line) > 30:
            name = line[3:29].strip()
            if name.isalpha() and name[:1].isupper():
                europe.append(name)
    rng = random.Random(seed)
    first = rng.sample(census_first, limit // 2) + rng.sample(europe, limit // 2)
    return Names(first, rng.sample(census_last, limit))


def heldout_set(seed: int = 101, n: int = 600) -> list[Sample]:
    """The held-out set."""
    return build(HELDOUT_TEMPLATES, heldout_names(), seed, n)
