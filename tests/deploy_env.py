"""Readers for the deployment files (docker-compose.yml, .env.example, Dockerfile) shared by the tests."""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
# The settings module and the modules it takes settings from.
SETTINGS_FILES = [ROOT / "config" / name for name in ("settings.py", "hardening.py", "mailers.py")]

_ENV_CALL = re.compile(r"\b(?:env_[a-z]+|database_from_url)\(\s*\"([A-Z0-9_]+)\"")


def settings_variables() -> set[str]:
    """Every environment variable the settings read through config.env's helpers."""
    return {name for path in SETTINGS_FILES for name in _ENV_CALL.findall(path.read_text())}


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def env_example(include_commented: bool = False) -> dict[str, str]:
    """NAME=value lines of .env.example (quotes removed); commented-out `# NAME=` lines on request."""
    values: dict[str, str] = {}
    for raw in ENV_EXAMPLE.read_text().splitlines():
        line = raw.strip()
        if include_commented:
            line = line.lstrip("#").strip()
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line)
        if match:
            name, value = match.groups()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values.setdefault(name, value)
    return values


def _closing_brace(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced ${{ in {text!r}")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, nested."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("${", i):
            end = _closing_brace(text, i + 1)
            out.append(_substitute(text[i + 2 : end], env))
            i = end + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _substitute(expr: str, env: dict[str, str]) -> str:
    match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?(.*)", expr, re.DOTALL)
    if match is None:
        raise ValueError(f"bad substitution ${{{expr}}}")
    name, op, rest = match.groups()
    value = env.get(name)
    if op is None:
        return value or ""
    unset = value is None or (op.startswith(":") and value == "")
    if op.endswith("-"):
        return interpolate(rest, env) if unset else str(value)
    if unset:
        raise ValueError(f"{name} is required: {rest}")
    return str(value)


def referenced_variables(text: str) -> set[str]:
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))


def service_environment(service: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """A service's environment as the container would see it, given the host's (or .env's) variables."""
    raw = compose()["services"][service].get("environment", {})
    return {name: interpolate(str(value), env or {}) for name, value in raw.items()}


def command_words(service: str, env: dict[str, str] | None = None) -> list[str]:
    """A service's command as words, with `sh -c "a && b"` split into the words of a and b."""
    command = compose()["services"][service].get("command", [])
    raw = shlex.split(command) if isinstance(command, str) else command
    words = [interpolate(str(word), env or {}) for word in raw]
    if words[:2] == ["sh", "-c"]:
        return shlex.split(words[2])
    return words


def subprocess_env(extra: dict[str, str]) -> dict[str, str]:
    """A clean environment for running manage.py: only PATH/HOME from the test process, plus `extra`."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "SYSTEMROOT") if key in os.environ}
    base["PYTHONPATH"] = str(ROOT)
    return {**base, **extra}


PYTHON = sys.executable
