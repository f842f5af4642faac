"""The deployment files: every Kubernetes manifest in deploy/k8s is valid against the
Kubernetes schemas (kubernetes-validate, offline: it ships them) and names only what the bot
serves and reads (probe paths, ports, environment variables, the Secret's keys);
deploy/compose.yaml mounts the content into both replicas; deploy/alerts.yaml is a rule file
whose expressions use only metrics the bot exports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from bot.app import PLATFORMS, Settings
from bot.app.metrics import Metrics
from bot.config import Secrets
from tests.conftest import ROOT

K8S = ROOT / "deploy" / "k8s"
VERSION = "1.30"  # a Kubernetes release with native PodDisruptionBudget v1 and the probes used


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def manifests() -> list[dict[str, Any]]:
    return [doc for path in sorted(K8S.glob("*.yaml")) if path.name != "kustomization.yaml"
            for doc in documents(path)]  # fmt: skip


def by_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in manifests() if doc["kind"] == kind]


@pytest.mark.parametrize("path", sorted(K8S.glob("*.yaml")), ids=lambda p: p.name)
def test_every_manifest_is_valid_against_the_kubernetes_schemas(path: Path) -> None:
    for doc in documents(path):
        if doc["kind"] == "Kustomization":  # not a Kubernetes object: kustomize's own file
            listed = {*doc["resources"]}
            assert listed == {p.name for p in K8S.glob("*.yaml")} - {
                path.name,
                "secret.example.yaml",
            }
            continue
        kubernetes_validate.validate(doc, VERSION, strict=True)


def test_an_invalid_manifest_is_refused() -> None:
    (deployment,) = by_kind("Deployment")
    broken = yaml.safe_load(yaml.safe_dump(deployment))
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, VERSION, strict=True)


def bot_container() -> dict[str, Any]:
    (deployment,) = by_kind("Deployment")
    assert deployment["spec"]["replicas"] == 2
    (bot,) = [c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "bot"]
    return bot


def env_of(container: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container["env"]}


def test_the_probes_and_ports_are_what_the_bot_serves() -> None:
    bot = bot_container()
    env = env_of(bot)
    ports = {port["name"]: port["containerPort"] for port in bot["ports"]}
    assert ports == {
        "slack": int(env["BRIEFING_SLACK__HTTP_PORT"]),
        "telegram": int(env["BRIEFING_TELEGRAM__WEBHOOK_PORT"]),
        "metrics": int(env["BRIEFING_METRICS__PORT"]),
    }
    assert bot["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "metrics"}
    assert bot["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
    services = by_kind("Service")
    targets = {port["targetPort"] for service in services for port in service["spec"]["ports"]}
    assert targets == set(ports)  # a Service per HTTP port
    selector = by_kind("PodDisruptionBudget")[0]["spec"]["selector"]["matchLabels"]
    (deployment,) = by_kind("Deployment")
    assert selector == deployment["spec"]["template"]["metadata"]["labels"]
    assert all(service["spec"]["selector"] == selector for service in services)


def test_every_variable_is_one_the_bot_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    bot = bot_container()
    for name, value in env_of(bot).items():
        section, _, key = name.removeprefix("BRIEFING_").lower().partition("__")
        assert name.startswith("BRIEFING_") and section in Settings.model_fields, name
        model = Settings.model_fields[section].annotation
        assert model is not None and key in model.model_fields, name  # type: ignore[union-attr]
        monkeypatch.setenv(name, value)
    read = Settings()  # the values validate, read from the environment as the bot reads them
    assert read.metrics.port == 9100 and read.log.format == "json"
    assert str(read.bot.content_dir) == env_of(bot)["BRIEFING_BOT__CONTENT_DIR"]
    secrets = {name.upper() for name in Secrets.model_fields}
    for platform in PLATFORMS:
        if (model := platform.secrets[0]) is not None:
            secrets |= {(f.alias or name).upper() for name, f in model.model_fields.items()}
    (secret,) = by_kind("Secret")
    assert set(secret["stringData"]) <= secrets
    assert {"DATABASE_URL", "TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN"} <= set(secret["stringData"])
    assert bot["envFrom"] == [{"secretRef": {"name": secret["metadata"]["name"]}}]


def test_the_content_comes_from_git_sync_through_a_shared_volume() -> None:
    (deployment,) = by_kind("Deployment")
    pod = deployment["spec"]["template"]["spec"]
    syncs = [c for c in [*pod["initContainers"], *pod["containers"]] if "git-sync" in c["image"]]
    assert len(syncs) == 2 and "--one-time" in syncs[0]["args"]
    link = next(a.split("=", 1)[1] for a in syncs[1]["args"] if a.startswith("--link="))
    root = next(a.split("=", 1)[1] for a in syncs[1]["args"] if a.startswith("--root="))
    content_dir = env_of(bot_container())["BRIEFING_BOT__CONTENT_DIR"]
    assert content_dir.startswith(f"{root}/{link}/")  # through the link the watcher follows
    mounts = {m["name"]: m["mountPath"] for m in bot_container()["volumeMounts"]}
    assert all({m["name"]: m["mountPath"] for m in c["volumeMounts"]} == {"content": root}
               for c in syncs) and mounts["content"] == root  # fmt: skip


def test_compose_mounts_the_content_into_both_replicas() -> None:
    (compose,) = documents(ROOT / "deploy" / "compose.yaml")
    bots = [name for name in compose["services"] if name.startswith("bot-")]
    assert len(bots) == 2
    for name in bots:
        service = compose["services"][name]
        volumes = service["volumes"]
        assert any(v.startswith("../content:") for v in volumes), volumes
        target = next(v.split(":")[1] for v in volumes if v.startswith("../content:"))
        assert service["environment"]["BRIEFING_BOT__CONTENT_DIR"] == target


def test_the_alert_rules_parse_and_use_only_the_bots_metrics() -> None:
    rules = documents(ROOT / "deploy" / "alerts.yaml")[0]
    (group,) = rules["groups"]
    names = {sample for family in Metrics().registry.collect() for sample in
             [family.name, f"{family.name}_total", f"{family.name}_bucket"]}  # fmt: skip
    assert len(group["rules"]) >= 4
    for rule in group["rules"]:
        assert {"alert", "expr", "labels", "annotations"} <= rule.keys()
        used = set(re.findall(r"\bbriefing_[a-z_]+", rule["expr"]))
        assert used and used <= names, (rule["alert"], used - names)
