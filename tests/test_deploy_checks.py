"""`manage.py check --deploy --fail-level WARNING` with the production environment documented in .env.example."""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

from tests.deploy_env import PYTHON, ROOT, env_example, subprocess_env

HTTPS_WARNINGS = ("security.W004", "security.W008", "security.W012", "security.W016")


def check_deploy(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = env_example() | {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        # Paths of the image; here, a scratch folder.
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    env |= overrides
    return subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=subprocess_env(env),
        capture_output=True,
        text=True,
        check=False,
    )


def test_documented_production_env_passes_the_deploy_checks(tmp_path: Path) -> None:
    assert env_example()["DJANGO_DEBUG"] == "0"
    result = check_deploy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_generated_secret_key_passes_too(tmp_path: Path) -> None:
    # .env.example leaves the key empty: the generated one must be strong enough for check --deploy.
    result = check_deploy(tmp_path, DJANGO_SECRET_KEY="")
    assert result.returncode == 0, result.stdout + result.stderr
    assert len((tmp_path / "var" / "secret_key").read_text().strip()) >= 50


def test_https_switched_off_fails_the_deploy_checks(tmp_path: Path) -> None:
    result = check_deploy(
        tmp_path,
        DJANGO_HTTPS="0",
        DJANGO_SECURE_SSL_REDIRECT="",
        DJANGO_HSTS_SECONDS="",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="",
        DJANGO_HSTS_PRELOAD="",
    )
    assert result.returncode != 0
    for warning in HTTPS_WARNINGS:
        assert warning in result.stderr


def test_a_weak_secret_key_fails_the_deploy_checks(tmp_path: Path) -> None:
    result = check_deploy(tmp_path, DJANGO_SECRET_KEY="change-me")
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_debug_on_fails_the_deploy_checks(tmp_path: Path) -> None:
    result = check_deploy(tmp_path, DJANGO_DEBUG="1")
    assert result.returncode != 0
    assert "security.W018" in result.stderr


def test_compose_with_only_https_switched_on_passes_the_deploy_checks(tmp_path: Path) -> None:
    # A deployment that sets just DJANGO_HTTPS=1 in .env gets every https-only setting from it.
    from tests.deploy_env import service_environment

    env = service_environment("web", {"DJANGO_HTTPS": "1"})
    env |= {"DJANGO_VAR_DIR": str(tmp_path / "var"), "DJANGO_STATIC_ROOT": str(tmp_path / "static")}
    result = subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=subprocess_env(env),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_defaults_serve_plain_http_for_a_local_try_out(tmp_path: Path) -> None:
    from tests.deploy_env import service_environment

    env = service_environment("web")
    assert env["DJANGO_HTTPS"] == env["DJANGO_SECURE_SSL_REDIRECT"] == "0"
    assert env["SITE_URL"] == "http://localhost:8000"
