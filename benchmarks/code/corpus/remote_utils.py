"""Helpers that fetch configuration and code for distributed jobs (written for the benchmark)."""

import ast
import json
import urllib.request

import requests
from huggingface_hub import hf_hub_download

CONFIG_URL = "https://config.acme-ai.example/train/defaults.py"
HUB_REVISION = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"


def remote_defaults():
    text = requests.get(CONFIG_URL, timeout=10).text
    namespace = {}
    exec(text, namespace)  # label: eval
    return namespace


def remote_expression(url):
    with urllib.request.urlopen(url) as response:
        body = response.read().decode()
    return eval(body)  # label: eval


def hub_setup_script():
    path = hf_hub_download("acme-ai/trainer-setup", "setup_env.py", revision=HUB_REVISION)
    exec(open(path).read())  # label: eval


def local_schedule(expr):
    return eval(expr, {"__builtins__": {}}, {"step": 10})


def run_local_patch():
    with open("patches/local_patch.py") as handle:
        exec(handle.read())


def parse_literal(text):
    return ast.literal_eval(text)


def parse_json(url):
    return json.loads(requests.get(url, timeout=10).text)


def compute(model):
    model.eval()
    return model
