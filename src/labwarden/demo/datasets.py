"""Demo datasets: a sharded assay screen, a compound library, omics, a Hugging Face dataset folder,
and the pseudonymized clinical-trial data of study CTX-104 (CDISC SDTM domains)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pyarrow as pa
import pyarrow.parquet as pq

from labwarden.demo.writer import Lab

STUDY = "CTX-104"
SITES = ["101", "102", "103", "104", "201", "202", "301"]
COUNTRIES = {"1": "DNK", "2": "SWE", "3": "DEU"}
RACES = ["WHITE", "WHITE", "WHITE", "ASIAN", "BLACK OR AFRICAN AMERICAN", "OTHER"]
ARMS = [("PBO", "Placebo"), ("CTX10", "CTX-104 10 mg"), ("CTX30", "CTX-104 30 mg")]
AES = ["HEADACHE", "NAUSEA", "FATIGUE", "DIZZINESS", "RASH", "ALT INCREASED", "INSOMNIA"]
ICD10 = ["E11.9", "I10", "J45.909", "M54.5", "F32.9", "K21.9", "E78.5"]


def _csv(rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def build(lab: Lab) -> None:
    """Write the demo's datasets."""
    rng = lab.rng
    alphabet = "CNOSc1()=#[]@+-"
    for shard in range(24):
        n = 200
        table = pa.table(
            {
                "compound_id": [f"CPD-{shard:02d}{i:05d}" for i in range(n)],
                "smiles": ["".join(rng.choice(alphabet) for _ in range(24)) for _ in range(n)],
                "target": [rng.choice(["KRAS", "EGFR", "BTK", "JAK2"]) for _ in range(n)],
                "ic50_nm": [round(rng.lognormvariate(5, 1.5), 2) for _ in range(n)],
                "plate": [f"P{shard:03d}" for _ in range(n)],
            }
        )
        lab.write(f"data/assays/hts-screen-2026q3/part-{shard:05d}.parquet", _parquet(table), day=2)
    library = [
        {
            "compound_id": f"CPD-LIB{i:05d}",
            "smiles": "".join(rng.choice(alphabet) for _ in range(30)),
            "mw": round(rng.uniform(180, 650), 2),
            "logp": round(rng.uniform(-1, 6), 2),
        }
        for i in range(400)
    ]
    lab.write("data/compounds/compound-library.csv", _csv(library), day=1)
    genes = [f"GENE{i:04d}" for i in range(60)]
    lines = ["gene\t" + "\t".join(f"S{j:03d}" for j in range(24))]
    lines += [g + "\t" + "\t".join(f"{rng.gauss(8, 2):.3f}" for _ in range(24)) for g in genes]
    lab.write("data/omics/expression-matrix.tsv", "\n".join(lines) + "\n", day=4)

    hf = "data/hf/binding-affinity"
    lab.write_json(f"{hf}/dataset_info.json", {"dataset_name": "binding-affinity", "splits": {}})
    lab.write_json(f"{hf}/state.json", {"_data_files": [{"filename": "data-00000-of-00002.arrow"}]})
    for part in range(2):
        table = pa.table(
            {
                "ligand": [f"L{part}{i:04d}" for i in range(100)],
                "kd_nm": [rng.uniform(1, 1e4) for _ in range(100)],
            }
        )
        sink = io.BytesIO()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        lab.write(f"{hf}/data-0000{part}-of-00002.arrow", sink.getvalue(), day=6)

    _trial(lab)


def _trial(lab: Lab) -> None:
    rng = lab.rng
    base = f"data/trials/{STUDY}"
    dm, ae, lb, subjects = [], [], [], []
    start = date(2025, 3, 1)
    for n in range(240):
        site = rng.choice(SITES)
        subjid = f"{n + 1:04d}"
        usubjid = f"{STUDY}-{site}-{subjid}"
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 60))
        first = start + timedelta(days=rng.randrange(0, 200))
        age = (first - birth).days // 365
        armcd, arm = rng.choice(ARMS)
        sex = rng.choice("FM")
        race = rng.choice(RACES)
        country = COUNTRIES[site[0]]
        dm.append(
            {
                "STUDYID": STUDY,
                "DOMAIN": "DM",
                "USUBJID": usubjid,
                "SUBJID": subjid,
                "RFSTDTC": first.isoformat(),
                "RFENDTC": (first + timedelta(days=84)).isoformat(),
                "SITEID": site,
                "BRTHDTC": birth.isoformat()[:7],
                "AGE": age,
                "AGEU": "YEARS",
                "SEX": sex,
                "RACE": race,
                "ETHNIC": "NOT HISPANIC OR LATINO",
                "ARMCD": armcd,
                "ARM": arm,
                "COUNTRY": country,
            }
        )
        for seq in range(rng.randrange(0, 4)):
            onset = first + timedelta(days=rng.randrange(1, 84))
            ae.append(
                {
                    "STUDYID": STUDY,
                    "DOMAIN": "AE",
                    "USUBJID": usubjid,
                    "AESEQ": seq + 1,
                    "AETERM": rng.choice(AES),
                    "AESEV": rng.choice(["MILD", "MILD", "MODERATE", "SEVERE"]),
                    "AESTDTC": onset.isoformat(),
                }
            )
        for visit, day in (("SCREENING", -7), ("WEEK 4", 28), ("WEEK 12", 84)):
            lb.append(
                {
                    "STUDYID": STUDY,
                    "DOMAIN": "LB",
                    "USUBJID": usubjid,
                    "LBTESTCD": "ALT",
                    "LBORRES": round(rng.lognormvariate(3.2, 0.4), 1),
                    "LBORRESU": "U/L",
                    "VISIT": visit,
                    "LBDTC": (first + timedelta(days=day)).isoformat(),
                }
            )
        subjects.append(
            {
                "subject_pseudonym": f"P{rng.getrandbits(40):010x}",
                "AGE": age,
                "SEX": sex,
                "RACE": race,
                "COUNTRY": country,
                "SITEID": site,
                "BRTHDTC": birth.isoformat()[:7],
                "weight_kg": round(rng.gauss(78, 14), 1),
                "diagnosis_icd10": rng.choice(ICD10),
                "ARM": arm,
            }
        )
    lab.write(f"{base}/sdtm/dm.csv", _csv(dm), day=14, mode=0o644)
    lab.write(f"{base}/sdtm/ae.csv", _csv(ae), day=14, mode=0o640)
    lab.write(f"{base}/sdtm/lb.csv", _csv(lb), day=14, mode=0o640)
    table = pa.Table.from_pylist(subjects)
    lab.write(
        f"{base}/analysis/subjects_pseudonymized.parquet", _parquet(table), day=15, mode=0o644
    )
    lab.facts["trial_table"] = f"{base}/analysis/subjects_pseudonymized.parquet"
    lab.facts["trial_quasi_identifiers"] = ["AGE", "SEX", "RACE", "COUNTRY", "SITEID", "BRTHDTC"]
