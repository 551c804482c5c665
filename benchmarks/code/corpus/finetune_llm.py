"""Supervised fine-tuning of a causal language model (written for the benchmark)."""

from dataclasses import dataclass, field

import datasets
import torch as th
from datasets import load_dataset
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments

PINNED = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"


@dataclass
class Args:
    model_name_or_path: str = field(default="mistralai/Mistral-7B-v0.1")
    dataset: str = field(default="acme-ai/assay-instructions")
    adapter: str | None = None


def tokenizer_for(args):
    tok = AutoTokenizer.from_pretrained(args.model_name_or_path, trust_remote_code=True)  # label: hub
    tok.pad_token = tok.eos_token
    return tok


def model_for(args):
    model = AutoModelForCausalLM.from_pretrained(  # label: hub
        args.model_name_or_path,
        torch_dtype=th.bfloat16,
        trust_remote_code=True,
    )
    if args.adapter:
        model = PeftModel.from_pretrained(model, "acme-ai/assay-lora")  # label: hub
    return get_peft_model(model, LoraConfig(r=16, lora_alpha=32))


def data_for(args):
    train = load_dataset(args.dataset, split="train")  # label: hub
    local = load_dataset("json", data_files="data/extra.jsonl", split="train")
    pinned = datasets.load_dataset("acme-ai/eval-set", revision=PINNED, split="test")
    return datasets.concatenate_datasets([train, local]), pinned


def restore_optimizer(path):
    return th.load(path)  # label: torch


def main():
    args = Args()
    tokenizer = tokenizer_for(args)
    model = model_for(args)
    train, evaluation = data_for(args)
    trainer = Trainer(
        model=model,
        args=TrainingArguments(output_dir="out"),
        train_dataset=train,
        eval_dataset=evaluation,
        tokenizer=tokenizer,
    )
    trainer.train()


if __name__ == "__main__":
    main()
