"""docker-compose.yml, Dockerfile and .env.example, checked without a Docker engine.

The compose file is parsed with PyYAML; every command, module and fixture it names must exist in the
project, every setting must be named in .env.example, and the Dockerfile's steps that can run here
(collectstatic with production settings, the frozen lock file) are run.
"""

from __future__ import annotations

import json
import re
import shlex
import socket
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands

from tests.conftest import need
from tests.deploy_env import (
    COMPOSE,
    DOCKERFILE,
    PYTHON,
    ROOT,
    command_words,
    compose,
    env_example,
    interpolate,
    referenced_variables,
    service_environment,
    settings_variables,
    subprocess_env,
)

APP_SERVICES = ("web", "worker", "beat")
# Settings the image or compose fix on purpose, so compose does not pass them through from .env.
FIXED_IN_IMAGE = {"DJANGO_DEBUG", "DJANGO_VAR_DIR", "DJANGO_STATIC_ROOT", "DJANGO_MANIFEST_STATIC", "EMAIL_BACKEND"}


def services() -> dict[str, dict]:
    return compose()["services"]


# --- services ---------------------------------------------------------------------------------------------


def test_it_runs_every_part_of_the_system() -> None:
    assert {"postgres", "redis", "web", "worker", "beat", "mailpit"} <= set(services())


def test_every_long_running_service_has_a_healthcheck() -> None:
    for name, service in services().items():
        if service.get("restart") == "no":  # the one-shot migrate service exits when done
            continue
        test = service.get("healthcheck", {}).get("test")
        assert test, f"{name} has no healthcheck"
        assert test[0] in ("CMD", "CMD-SHELL"), name


def test_app_services_wait_for_healthy_services_and_finished_migrations() -> None:
    for name in APP_SERVICES:
        depends = services()[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    assert services()["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_migrations_and_plan_seeding_run_once_before_the_app() -> None:
    words = command_words("migrate")
    assert words[:4] == ["python", "manage.py", "migrate", "--noinput"]
    assert words[4] == "&&"
    assert words[5:] == ["python", "manage.py", "ensure_plan", "multimodal_90_days"]
    assert services()["migrate"]["restart"] == "no"


def test_beat_runs_exactly_once() -> None:
    beat = services()["beat"]
    assert beat["deploy"]["replicas"] == 1
    assert "scale" not in beat
    runs_beat = [name for name in services() if "beat" in command_words(name) and name in services()]
    assert runs_beat == ["beat"]
    # A worker with an embedded beat (-B) would be a second scheduler once workers are scaled.
    assert not {"-B", "--beat"} & set(command_words("worker"))


def test_postgres_keeps_its_data_in_a_named_volume() -> None:
    volumes = services()["postgres"]["volumes"]
    named = [v.split(":")[0] for v in volumes if v.endswith(":/var/lib/postgresql/data")]
    assert named and named[0] in compose()["volumes"]
    assert "pg_isready" in " ".join(services()["postgres"]["healthcheck"]["test"])


def test_redis_refuses_writes_rather_than_evicting_queued_tasks() -> None:
    words = command_words("redis")
    assert words[words.index("--maxmemory-policy") + 1] == "noeviction"
    assert "ping" in services()["redis"]["healthcheck"]["test"]


def test_mail_goes_to_mailpit_and_its_inbox_is_published() -> None:
    env = service_environment("web")
    assert (env["EMAIL_HOST"], env["EMAIL_PORT"]) == ("mailpit", "1025")
    assert "127.0.0.1:8025:8025" in [interpolate(p, {}) for p in services()["mailpit"]["ports"]]
    assert "127.0.0.1:8000:8000" in [interpolate(p, {}) for p in services()["web"]["ports"]]
    for name in ("web", "worker"):
        assert services()[name]["depends_on"]["mailpit"]["condition"] == "service_healthy"


@pytest.mark.parametrize(("service", "variable"), [("web", "WEB_BIND_ADDRESS"), ("mailpit", "MAILPIT_BIND_ADDRESS")])
def test_ports_are_published_on_the_loopback_unless_told_otherwise(service: str, variable: str) -> None:
    # Published on every interface, gunicorn could be reached around the TLS proxy, and the inbox read by anyone.
    [default] = [interpolate(p, {}) for p in services()[service]["ports"]]
    assert default.startswith("127.0.0.1:")
    [chosen] = [interpolate(p, {variable: "0.0.0.0"}) for p in services()[service]["ports"]]
    assert chosen.startswith("0.0.0.0:")


def test_no_proxy_is_trusted_unless_configured() -> None:
    assert service_environment("web")["DJANGO_TRUSTED_PROXIES"] == ""


def test_app_containers_share_the_var_volume() -> None:
    # The generated secret key lives there: web, worker and beat must sign and check links with one key.
    for name in (*APP_SERVICES, "migrate"):
        assert "appvar:/app/var" in services()[name]["volumes"], name
        assert service_environment(name)["DJANGO_VAR_DIR"] == "/app/var"


# --- everything named exists --------------------------------------------------------------------------------


def manage_py_commands() -> set[str]:
    found: set[str] = set()
    text = COMPOSE.read_text() + DOCKERFILE.read_text()
    for match in re.finditer(r"manage\.py\"?,?\s*\"?([a-z_]+)", text):
        found.add(match.group(1))
    return found


def test_every_manage_py_command_named_exists() -> None:
    named = manage_py_commands()
    assert {"migrate", "ensure_plan", "collectstatic"} <= named
    assert named <= set(get_commands())


def test_the_plan_fixture_named_exists() -> None:
    from curriculum.management.commands.ensure_plan import find_fixture

    words = command_words("migrate")
    fixture = words[words.index("ensure_plan") + 1]
    path = ROOT / "curriculum" / "fixtures" / f"{fixture}.json"
    if not path.exists():
        need(f"{path.relative_to(ROOT)} is not in this checkout yet (the importer builds it)")
    assert find_fixture(fixture) == path
    assert any(obj["model"] == "curriculum.plan" for obj in json.loads(path.read_text()))


def test_gunicorn_serves_the_wsgi_application() -> None:
    import importlib

    words = command_words("web")
    assert words[0] == "gunicorn"
    module = importlib.import_module(words[1])
    assert callable(module.application)


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_commands_name_the_project_app(service: str) -> None:
    from celery.app.utils import find_app

    import config

    words = command_words(service)
    assert words[:3] == ["celery", "-A", "config"]
    assert find_app(words[2]) is config.celery_app


def test_healthcheck_commands_name_existing_modules() -> None:
    assert services()["web"]["healthcheck"]["test"] == ["CMD", "python", "-m", "config.healthcheck"]
    assert (ROOT / "config" / "healthcheck.py").is_file()


# --- settings and variables ----------------------------------------------------------------------------------


def test_env_example_names_every_setting() -> None:
    named = set(env_example(include_commented=True))
    missing = settings_variables() - named
    assert not missing, f".env.example does not name {sorted(missing)}"


def test_compose_passes_every_setting_through_from_env() -> None:
    app_env = compose()["x-app"]["environment"]
    for name in settings_variables() - FIXED_IN_IMAGE:
        assert name in app_env, f"{name} is not passed to the app containers"
        assert name in referenced_variables(str(app_env[name])), f"{name} cannot be set from .env"


def test_every_compose_variable_is_documented() -> None:
    named = set(env_example(include_commented=True))
    missing = referenced_variables(COMPOSE.read_text()) - named
    assert not missing, f".env.example does not name {sorted(missing)}"


def test_compose_uses_only_braced_variables_and_escaped_dollars() -> None:
    # Compose would also substitute a bare $NAME; shell variables meant for the container are written $$NAME.
    text = COMPOSE.read_text().replace("$$", "")
    assert not re.findall(r"\$(?!\{)", text)


def test_required_settings_are_set_without_any_env_file() -> None:
    for name in (*APP_SERVICES, "migrate"):
        env = service_environment(name)
        assert env["DJANGO_DEBUG"] == "0"
        for required in ("DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "DJANGO_ALLOWED_HOSTS", "SITE_URL"):
            assert env[required], f"{required} is empty in {name}"
        assert env["DATABASE_URL"] == "postgres://studyplan:studyplan@postgres:5432/studyplan"
        assert env["REDIS_URL"] == "redis://redis:6379/0"


def test_env_file_values_reach_the_containers() -> None:
    dotenv = env_example()
    env = service_environment("web", dotenv)
    assert env["DJANGO_HTTPS"] == "1"
    assert env["SITE_URL"] == dotenv["SITE_URL"]
    assert env["DATABASE_URL"] == (
        f"postgres://{dotenv['POSTGRES_USER']}:{dotenv['POSTGRES_PASSWORD']}@postgres:5432/{dotenv['POSTGRES_DB']}"
    )


def test_settings_load_with_the_compose_environment(tmp_path: Path) -> None:
    env = service_environment("web") | {"DJANGO_VAR_DIR": str(tmp_path / "var"), "DJANGO_MANIFEST_STATIC": "0"}
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'], "
        "s.CELERY_BROKER_URL, s.MAILERS['default']['BACKEND'], s.MAILERS['default']['OPTIONS']['host'], "
        "len(s.SECRET_KEY)]))"
    )
    result = subprocess.run(
        [PYTHON, "-c", script],
        cwd=ROOT,
        env=subprocess_env(env | {"DJANGO_SETTINGS_MODULE": "config.settings"}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    debug, engine, host, broker, backend, email_host, key_length = json.loads(result.stdout.strip().splitlines()[-1])
    assert debug is False
    assert (engine, host) == ("config.postgresql", "postgres")
    assert broker == "redis://redis:6379/0"
    assert (backend, email_host) == ("django.core.mail.backends.smtp.EmailBackend", "mailpit")
    # No key given: one was generated into the var volume.
    assert key_length >= 50
    assert (tmp_path / "var" / "secret_key").read_text().strip()


# --- Dockerfile ----------------------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            rows.append((keyword.upper(), rest.strip()))
    return rows


def test_image_is_python_312_slim_with_uv_and_locked_dependencies() -> None:
    steps = dockerfile_instructions()
    assert steps[0] == ("FROM", "python:3.12-slim")
    runs = [rest for keyword, rest in steps if keyword == "RUN"]
    assert any(re.search(r"pip install .*\buv\b", run) for run in runs)
    assert any("uv sync --frozen --no-dev" in run for run in runs)
    assert (ROOT / ".python-version").read_text().strip() == "3.12"


def test_uv_lock_matches_pyproject_so_frozen_sync_installs_it() -> None:
    result = subprocess.run(["uv", "lock", "--check", "--offline"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_image_runs_as_an_unprivileged_user() -> None:
    steps = dockerfile_instructions()
    users = [rest for keyword, rest in steps if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    last_user = max(i for i, (keyword, _) in enumerate(steps) if keyword == "USER")
    assert last_user < [keyword for keyword, _ in steps].index("CMD")


def test_image_copies_only_files_that_exist() -> None:
    for keyword, rest in dockerfile_instructions():
        if keyword == "COPY" and not rest.startswith("--"):
            *sources, _dest = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), source


def test_image_default_command_serves_the_app() -> None:
    cmd = dict(dockerfile_instructions())["CMD"]
    assert json.loads(cmd)[:2] == ["gunicorn", "config.wsgi"]


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", "var", ".git", "staticfiles"} <= ignored


def collectstatic_step() -> dict[str, str]:
    """The environment of the Dockerfile's collectstatic RUN step."""
    for keyword, rest in dockerfile_instructions():
        if keyword == "RUN" and "collectstatic" in rest:
            words = shlex.split(rest.split("&&")[0])
            return dict(word.split("=", 1) for word in words if re.fullmatch(r"[A-Z_]+=.*", word))
    raise AssertionError("the Dockerfile does not run collectstatic")


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the Dockerfile's collectstatic step here, into a temporary folder."""
    root = tmp_path_factory.mktemp("static")
    env = collectstatic_step() | {"DJANGO_VAR_DIR": str(root / "var"), "DJANGO_STATIC_ROOT": str(root / "out")}
    assert env["DJANGO_MANIFEST_STATIC"] == "1"
    result = subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=subprocess_env(env),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return root / "out"


def test_collectstatic_writes_hashed_and_compressed_files(collected: Path) -> None:
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    site_css = manifest["css/site.css"]
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", site_css)
    assert (collected / site_css).is_file()
    assert (collected / f"{site_css}.gz").is_file()
    # htmx comes from django-htmx's static files, served by us: no CDN.
    assert any(path.startswith("django_htmx/htmx") for path in manifest)
    assert "admin/css/base.css" in manifest


def test_production_pages_use_hashed_urls_that_whitenoise_serves_forever(collected: Path, tmp_path: Path) -> None:
    script = """
import django, json
django.setup()
from django.templatetags.static import static
from django.test import Client
url = static("css/site.css")
response = Client().get(url)
print(json.dumps([url, response.status_code, response.headers.get("Cache-Control", "")]))
"""
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_MANIFEST_STATIC": "1",
        "DJANGO_STATIC_ROOT": str(collected),
        "DJANGO_VAR_DIR": str(tmp_path),
        "DJANGO_SECRET_KEY": "x" * 60,
    }
    result = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=subprocess_env(env), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    url, status, cache_control = json.loads(result.stdout.strip().splitlines()[-1])
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url)
    assert status == 200
    assert "immutable" in cache_control


# --- container health probes, run for real -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_probe(url: str, allowed_hosts: str = "localhost") -> subprocess.CompletedProcess[str]:
    env = {"HEALTHCHECK_URL": url, "DJANGO_ALLOWED_HOSTS": allowed_hosts}
    return subprocess.run(
        [PYTHON, "-m", "config.healthcheck"], cwd=ROOT, env=subprocess_env(env), capture_output=True, text=True
    )


@pytest.mark.django_db(transaction=True)
def test_web_probe_passes_when_healthz_answers_200(live_server, settings) -> None:
    settings.REDIS_URL = ""
    result = run_probe(f"{live_server.url}/healthz")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "status=200" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_web_probe_fails_when_healthz_answers_503(live_server, settings) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    result = run_probe(f"{live_server.url}/healthz")
    assert result.returncode == 1
    assert "status=503" in result.stdout


def test_web_probe_fails_when_nothing_listens() -> None:
    result = run_probe(f"http://127.0.0.1:{free_port()}/healthz")
    assert result.returncode == 1
    assert "status=0" in result.stdout


def test_web_probe_uses_an_allowed_host_name() -> None:
    from config.healthcheck import probe_host

    assert probe_host("lms.example.org,www.example.org") == "lms.example.org"
    assert probe_host(".example.org") == "example.org"
    assert probe_host("*") == "localhost"


def healthcheck_command(service: str, hostname: str) -> list[str]:
    test = services()[service]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL"
    return shlex.split(interpolate(test[1], {}).replace("$HOSTNAME", hostname))


@pytest.mark.services
@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_probe_gets_a_pong_from_the_running_process(service: str, redis_url: str, tmp_path: Path) -> None:
    hostname = f"probe-{service}-{free_port()}"
    words = command_words(service)
    words = [w for w in words if w not in ("--schedule", "/app/var/celerybeat-schedule")]
    if service == "beat":
        words += ["--schedule", str(tmp_path / "schedule")]
    words += ["--hostname", hostname]
    env = subprocess_env({"REDIS_URL": redis_url, "DJANGO_VAR_DIR": str(tmp_path), "DJANGO_SECRET_KEY": "x" * 60})
    celery = str(Path(PYTHON).parent / "celery")
    log = (tmp_path / "celery.log").open("w")
    process = subprocess.Popen([celery, *words[1:]], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        probe = healthcheck_command(service, hostname)
        assert probe[-2] == "--timeout"
        # Wait for start-up with short pings, then run the compose healthcheck command exactly.
        for _attempt in range(30):
            quick = subprocess.run([celery, *probe[1:-1], "1"], cwd=ROOT, env=env, capture_output=True, text=True)
            if quick.returncode == 0:
                break
        result = subprocess.run([celery, *probe[1:]], cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + (tmp_path / "celery.log").read_text()
        assert "pong" in result.stdout
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    # Once the process is gone, the same probe fails: the healthcheck can tell.
    gone = subprocess.run([celery, *probe[1:-1], "1"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert gone.returncode != 0
    # Its own log lines come out in the project's key=value format.
    assert re.search(r"^ts=\S+ level=INFO logger=celery\S* ", (tmp_path / "celery.log").read_text(), re.MULTILINE)


def test_containers_starting_together_agree_on_one_generated_secret_key(tmp_path: Path) -> None:
    # web, worker and beat share the appvar volume and may start at the same moment.
    script = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    env = subprocess_env({"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_VAR_DIR": str(tmp_path)})
    processes = [
        subprocess.Popen([PYTHON, "-W", "ignore", "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert len(keys) == 1
    [key] = keys
    assert len(key) >= 50
    assert (tmp_path / "secret_key").read_text().strip() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".secret_key")]


# --- the web container's command, run here -------------------------------------------------------------------


def wait_for_port(port: int, process: subprocess.Popen[bytes], attempts: int = 100) -> None:
    import time

    for _ in range(attempts):
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


WEB_ENVIRONMENTS = {
    "local-defaults": {},
    "production-env-example": env_example(),
    "https-without-proxy": {"DJANGO_HTTPS": "1", "DJANGO_ALLOWED_HOSTS": "lms.example.org"},
}


@pytest.mark.services
@pytest.mark.parametrize("dotenv", WEB_ENVIRONMENTS.values(), ids=WEB_ENVIRONMENTS.keys())
def test_gunicorn_serves_the_site_and_passes_its_healthcheck(
    dotenv: dict[str, str], redis_url: str, collected: Path, tmp_path: Path
) -> None:
    """The web service's command and environment (services swapped for local ones) pass the web healthcheck."""
    env = service_environment("web", dotenv) | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": redis_url,
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_STATIC_ROOT": str(collected),
    }
    migrate = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=subprocess_env(env), capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    port = free_port()
    words = command_words("web")
    words[words.index("--bind") + 1] = f"127.0.0.1:{port}"
    words[words.index("--workers") + 1] = "1"
    gunicorn = str(Path(PYTHON).parent / "gunicorn")
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen([gunicorn, *words[1:]], cwd=ROOT, env=subprocess_env(env), stdout=log, stderr=log)
    try:
        wait_for_port(port, process)
        probe = run_probe(f"http://127.0.0.1:{port}/healthz", env["DJANGO_ALLOWED_HOSTS"])
        assert probe.returncode == 0, probe.stdout + (tmp_path / "gunicorn.log").read_text()
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        host = env["DJANGO_ALLOWED_HOSTS"].split(",")[0]
        conn.request("GET", "/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        assert (response.status, json.loads(response.read())) == (200, {"database": "ok", "redis": "ok"})
        assert "script-src" in (response.getheader("Content-Security-Policy") or "")
        conn.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    # One key=value line per request on standard output.
    assert "event=request method=GET path=/healthz status=200" in (tmp_path / "gunicorn.log").read_text()


def test_the_migrate_service_seeds_the_plan_once(tmp_path: Path) -> None:
    words = command_words("migrate")
    fixture = words[words.index("ensure_plan") + 1]
    if not (ROOT / "curriculum" / "fixtures" / f"{fixture}.json").exists():
        need(f"curriculum/fixtures/{fixture}.json is not in this checkout yet (the importer builds it)")
    env = subprocess_env(
        service_environment("migrate")
        | {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DJANGO_VAR_DIR": str(tmp_path / "var")}
    )
    command = compose()["services"]["migrate"]["command"]
    assert command[:2] == ["sh", "-c"]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "Loaded plan" in first.stdout
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "already loaded" in again.stdout


def test_the_cache_is_a_redis_apart_from_the_broker_that_may_evict() -> None:
    words = command_words("cache")
    assert words[words.index("--maxmemory-policy") + 1] == "allkeys-lru"
    for name in ("web", "worker"):
        assert services()[name]["depends_on"]["cache"]["condition"] == "service_healthy", name
    assert "redis://cache:6379/0" in interpolate(services()["web"]["environment"]["CACHE_URL"], {})
