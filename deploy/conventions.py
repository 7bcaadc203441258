"""Kulturbro's deployment conventions, beyond what the schemas check: every service has its
compose entry, image stage and k8s manifests, each shaped alike (see deploy/validate.sh, step 4)."""

import json
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from jsonschema import Draft202012Validator


def _text(path: str) -> str:
    with open(path) as file:
        return file.read()


SERVICES = {
    "gateway": 8000,
    "directory": 8001,
    "catalog": 8002,
    "booking": 8003,
    "allocation": 8004,
    "transport": 8005,
    "notify": 8006,
    "stats": 8007,
    "web": 8008,
}
HPA = {"gateway", "directory", "catalog", "booking", "web"}  # on CPU
KEDA = {"allocation", "transport", "notify", "stats"}  # bursty consumers: on Kafka lag
SCRAPER = "prometheus"
JOBS = {"kulturbro-topics", "kulturbro-database-logins"}
SCALED_OBJECT_SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "keda-scaledobject.json").read_text()
)
INFRA = {"kafka": "apache/kafka:3.9.0", "postgres": "postgres:16", "redis": "redis:7"}
OBSERVABILITY = {"otel-collector", "jaeger", "prometheus", "grafana"}
PUBLISHED = {"gateway", "grafana"}  # Grafana for the developer looking at traces and dashboards
OTLP_ENDPOINT = "http://otel-collector:4318"
ROOT = Path(__file__).resolve().parent.parent
# The release each image is pinned to: its service's version.
RELEASE = {
    name: tomllib.loads((ROOT / "services" / name / "pyproject.toml").read_text())["project"][
        "version"
    ]
    for name in SERVICES
}
ENV = {
    "DATABASE_URL",
    "REDIS_URL",
    "KAFKA_BOOTSTRAP_SERVERS",
    "KULTURBRO_ENV",
    "KULTURBRO_SECRET_KEY",
    "HTTP_PORT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
}
failed = False


def report(label, problems, summary):
    global failed
    if problems:
        failed = True
        print("\n".join("      " + p for p in problems))
        print(f"FAIL  {label}: {len(problems)} convention problem(s)")
    else:
        print(f"ok    {label}: {summary}")


def check_image(where, image):
    """Pinned: a tag that is not latest; Kulturbro's own images at their service's release."""
    repository, _, tag = image.rpartition(":")
    if not repository or "/" in tag or tag == "latest":
        return [f"{where}: image {image} must be pinned to a release, not latest or untagged"]
    own = repository.removeprefix("kulturbro/")
    if own != repository and RELEASE.get(own) != tag:
        return [f"{where}: image {image} must be the release kulturbro/{own}:{RELEASE.get(own)}"]
    return []


def check_compose(path):
    problems = []
    services = (yaml.safe_load(_text(path)) or {}).get("services") or {}
    expected = set(SERVICES) | set(INFRA) | OBSERVABILITY | {"mailpit", "topics", "database-logins"}
    for name in sorted(expected):
        if name not in services:
            problems.append(f"service {name} missing")
    for name, svc in services.items():
        if "image" in svc:
            problems += check_image(name, svc["image"])
        for dep, cond in (svc.get("depends_on") or {}).items():
            if dep not in services:
                problems.append(f"{name}: depends_on unknown service {dep}")
            elif cond.get("condition") == "service_healthy" and "healthcheck" not in services[dep]:
                problems.append(
                    f"{name}: waits for {dep} to be healthy, but {dep} has no healthcheck"
                )
        if svc.get("ports") and name not in PUBLISHED:
            problems.append(f"{name}: publishes ports; only {' and '.join(sorted(PUBLISHED))} may")
        if any(not str(p).startswith("127.0.0.1:") for p in svc.get("ports") or []):
            problems.append(f"{name}: publish on 127.0.0.1 only")
    for name, image in INFRA.items():
        if name in services and services[name].get("image") != image:
            problems.append(f"{name}: image must be {image}")
    for name, port in SERVICES.items():
        svc = services.get(name)
        if not svc:
            continue
        env = svc.get("environment") or {}
        if not isinstance(env, dict):
            problems.append(f"{name}: environment must be a mapping")
            continue
        missing = (ENV | ({"SMTP_URL"} if name == "notify" else set())) - set(env)
        if missing:
            problems.append(f"{name}: environment lacks {sorted(missing)}")
        if env.get("OTEL_EXPORTER_OTLP_ENDPOINT") != OTLP_ENDPOINT:
            problems.append(f"{name}: OTEL_EXPORTER_OTLP_ENDPOINT must be {OTLP_ENDPOINT}")
        if str(env.get("HTTP_PORT")) != str(port):
            problems.append(f"{name}: HTTP_PORT must be {port}")
        if ((svc.get("build") or {}).get("args") or {}).get("SERVICE") != name:
            problems.append(f"{name}: build.args.SERVICE must be {name}")
        if "/healthz" not in str((svc.get("healthcheck") or {}).get("test")):
            problems.append(f"{name}: healthcheck must call /healthz")
        deps = svc.get("depends_on") or {}
        for dep, cond in {
            "postgres": "service_healthy",
            "redis": "service_healthy",
            "kafka": "service_healthy",
            "topics": "service_completed_successfully",
            "database-logins": "service_completed_successfully",
        }.items():
            if (deps.get(dep) or {}).get("condition") != cond:
                problems.append(f"{name}: must depend on {dep} with condition {cond}")
    owner = ((services.get("postgres") or {}).get("environment") or {}).get("POSTGRES_USER")
    urls = {
        name: str((services.get(name, {}).get("environment") or {}).get("DATABASE_URL"))
        for name in SERVICES
    }
    problems += check_own_logins(urls, owner)
    logins = services.get("database-logins") or {}
    logins_env = logins.get("environment") or {}
    if (logins.get("command") or [])[:2] != ["database", "logins"] or set(
        logins["command"][2:]
    ) != set(SERVICES):
        problems.append(
            f"database-logins: command must be [database, logins, {', '.join(SERVICES)}]"
        )
    for name, url in urls.items():
        if logins_env.get(f"{name.upper()}_DATABASE_URL") != url:
            problems.append(
                f"database-logins: {name.upper()}_DATABASE_URL must be {name}'s DATABASE_URL"
            )
    if not any(
        f":{SERVICES['gateway']}" in str(p) for p in services.get("gateway", {}).get("ports") or []
    ):
        problems.append(f"gateway: must publish port {SERVICES['gateway']}")
    report(
        path,
        problems,
        f"conventions: {len(SERVICES)} services, healthchecks, depends_on, traces to the "
        "collector, images pinned, only the gateway and Grafana published",
    )


def check_own_logins(urls, owner):
    """Each service signs in as itself: not as the database's owner, nor as another service."""
    problems, seen = [], {}
    for name, url in urls.items():
        user = urlsplit(url).username
        if not user or user == owner:
            problems.append(
                f"{name}: DATABASE_URL must sign in as {name}'s own login, not {user or 'nobody'}"
            )
        elif user in seen:
            problems.append(
                f"{name}: DATABASE_URL signs in as {seen[user]} does; give {name} its own login"
            )
        seen.setdefault(user, name)
    return problems


def check_dockerfile(path):
    problems = []
    text = _text(path)
    stages = {
        m.group(1): m.group(2)
        for m in re.finditer(
            r"^FROM runtime AS service-(\S+)\n(.*?)(?=^FROM |\Z)", text, re.M | re.S
        )
    }
    for name, port in SERVICES.items():
        body = stages.get(name)
        if body is None:
            problems.append(f"no stage service-{name}")
        elif f"EXPOSE {port}\n" not in body or f'CMD ["service", "{name}"]' not in body:
            problems.append(
                f'stage service-{name} must EXPOSE {port} and CMD ["service", "{name}"]'
            )
    for needle in (
        'ENTRYPOINT ["kulturbro"]',
        "HEALTHCHECK",
        "/healthz",
        "pip install -c constraints.txt",
        "FROM service-${SERVICE}",
    ):
        if needle not in text:
            problems.append(f"missing {needle!r}")
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    if not users or users[-1].split(":")[0] in ("0", "root"):
        problems.append("must switch to a non-root USER")
    report(
        path,
        problems,
        "conventions: a stage per service with its port and CMD, non-root USER, HEALTHCHECK",
    )


def check_container(where, container, pod_security):
    problems = []
    sc = container.get("securityContext") or {}
    if not sc.get("runAsNonRoot", pod_security.get("runAsNonRoot")):
        problems.append(f"{where}: runAsNonRoot must be true")
    if sc.get("readOnlyRootFilesystem") is not True:
        problems.append(f"{where}: readOnlyRootFilesystem must be true")
    if sc.get("allowPrivilegeEscalation") is not False:
        problems.append(f"{where}: allowPrivilegeEscalation must be false")
    if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
        problems.append(f"{where}: capabilities.drop must contain ALL")
    return problems


def check_pod(where, pod, database=None):
    problems = []
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    for c in (pod.get("initContainers") or []) + pod.get("containers", []):
        problems += check_container(
            f"{where} container {c['name']}", c, pod.get("securityContext") or {}
        )
        refs = {
            (k, v["name"])
            for e in c.get("envFrom") or []
            for k, v in e.items()
            if k in ("configMapRef", "secretRef")
        }
        if not {("configMapRef", "kulturbro-config"), ("secretRef", "kulturbro-secrets")} <= refs:
            problems.append(
                f"{where} container {c['name']}: envFrom needs ConfigMap "
                "kulturbro-config and Secret kulturbro-secrets"
            )
        if database and ("secretRef", f"{database}-database") not in refs:
            problems.append(
                f"{where} container {c['name']}: envFrom needs Secret "
                f"{database}-database (its own DATABASE_URL)"
            )
        tmp = [m for m in c.get("volumeMounts") or [] if m.get("mountPath") == "/tmp"]
        if not tmp or "emptyDir" not in volumes.get(tmp[0]["name"], {}):
            problems.append(f"{where} container {c['name']}: needs an emptyDir mounted at /tmp")
    return problems


def selects(selector, labels):
    """Whether a label selector picks a pod with these labels (In and NotIn expressions)."""
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for e in selector.get("matchExpressions") or []:
        inside = labels.get(e["key"]) in e.get("values", [])
        if {"In": not inside, "NotIn": inside}.get(e["operator"], True):
            return False
    return True


def ingress_peers(docs, labels):
    """Every peer allowed to reach a pod with these labels, and whether anyone may."""
    peers, anyone = [], False
    for d in docs:
        if d["kind"] != "NetworkPolicy" or not selects(d["spec"]["podSelector"], labels):
            continue
        for rule in d["spec"].get("ingress") or []:
            anyone = anyone or not rule.get("from")
            peers += rule.get("from") or []
    return peers, anyone


def peer_names(peers):
    """The app.kubernetes.io/name values the in-namespace pod peers allow (None: any pod)."""
    names = set()
    for peer in peers:
        if "namespaceSelector" in peer or "ipBlock" in peer:
            continue
        selector = peer.get("podSelector") or {}
        named = (selector.get("matchLabels") or {}).get("app.kubernetes.io/name")
        values = [
            e["values"]
            for e in selector.get("matchExpressions") or []
            if e["key"] == "app.kubernetes.io/name" and e["operator"] == "In"
        ]
        if named is None and not values:
            return None
        names |= {named} if named else set(values[0])
    return names


def check_ingress(name, docs, labels):
    """Only the gateway takes traffic from outside; the rest only from it and Prometheus."""
    peers, anyone = ingress_peers(docs, labels)
    if name == "gateway":
        return [] if anyone else ["gateway: a NetworkPolicy must let traffic from outside in"]
    names = peer_names(peers)
    if (
        not peers
        or anyone
        or names is None
        or names - {"gateway", SCRAPER}
        or any("namespaceSelector" in p or "ipBlock" in p for p in peers)
    ):
        return [f"{name}: NetworkPolicies must let in only the gateway and {SCRAPER}"]
    return []


def check_reached_only_by_kulturbro(infra, docs):
    """The dev cluster's PostgreSQL, Redis and Kafka: only Kulturbro's services and Jobs (and
    KEDA's operator, from its own namespace, reading lag) may connect."""
    peers, anyone = ingress_peers(docs, {"app.kubernetes.io/name": infra})
    names = peer_names([p for p in peers if "namespaceSelector" not in p])
    if not peers or anyone or names is None or names - set(SERVICES) - JOBS:
        return [f"{infra}: NetworkPolicies must let in only Kulturbro's services"]
    return []


def check_disruption_budget(name, objects, labels):
    pdb = objects.get(("PodDisruptionBudget", name))
    if (
        not pdb
        or pdb["apiVersion"] != "policy/v1"
        or not selects(pdb["spec"].get("selector") or {}, labels)
        or pdb["spec"].get("maxUnavailable") != 1
    ):
        return [f"{name}: needs a policy/v1 PodDisruptionBudget with maxUnavailable 1"]
    return []


def check_scaled_object(name, objects):
    scaled = objects.get(("ScaledObject", name))
    if name not in KEDA:
        return [f"{name}: unexpected ScaledObject (it scales on CPU)"] if scaled else []
    if not scaled:
        return [f"{name}: needs a KEDA ScaledObject (Kafka lag)"]
    problems = [
        f"{name}: ScaledObject {'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in Draft202012Validator(SCALED_OBJECT_SCHEMA).iter_errors(scaled)
    ]
    spec = scaled["spec"]
    target = spec.get("scaleTargetRef") or {}
    if (target.get("kind", "Deployment"), target.get("name")) != ("Deployment", name):
        problems.append(f"{name}: ScaledObject must scale Deployment {name}")
    kafka = [t for t in spec.get("triggers") or [] if t.get("type") == "kafka"]
    if not kafka or any(t["metadata"].get("consumerGroup") != name for t in kafka):
        problems.append(f"{name}: ScaledObject needs a kafka trigger on consumer group {name}")
    return problems


def check_partitions(config, docs):
    """Topics need a partition for every replica that may consume: KAFKA_TOPIC_PARTITIONS is
    the ScaledObjects' largest maxReplicaCount, and no HorizontalPodAutoscaler goes past it."""
    partitions = int(config.get("KAFKA_TOPIC_PARTITIONS") or 0)
    most = {
        f"{d['kind']}/{d['metadata']['name']}": d["spec"].get("maxReplicaCount")
        or d["spec"].get("maxReplicas")
        for d in docs
        if d["kind"] in ("ScaledObject", "HorizontalPodAutoscaler")
    }
    keda = [v for k, v in most.items() if k.startswith("ScaledObject/")]
    if not keda or partitions != max(keda) or any(v > partitions for v in most.values()):
        return [
            f"kulturbro-config KAFKA_TOPIC_PARTITIONS ({partitions}) must be the ScaledObjects' "
            f"largest maxReplicaCount and no autoscaler may exceed it: {most}"
        ]
    return []


def check_k8s(label, path):
    problems = []
    docs = [d for d in yaml.safe_load_all(_text(path)) if d]
    objects = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    for d in docs:  # every container of every workload gets requests, limits and a pinned image
        pod = (((d.get("spec") or {}).get("template") or {}).get("spec")) or {}
        for c in (pod.get("initContainers") or []) + (pod.get("containers") or []):
            problems += check_image(f"{d['kind']}/{d['metadata']['name']} {c['name']}", c["image"])
            res = c.get("resources") or {}
            if not all(
                (res.get(k) or {}).get(r) for k in ("requests", "limits") for r in ("cpu", "memory")
            ):
                problems.append(
                    f"{d['kind']}/{d['metadata']['name']} container {c['name']}: "
                    "needs cpu/memory requests and limits"
                )
    for name, port in SERVICES.items():
        sa, svc, dep = (objects.get((k, name)) for k in ("ServiceAccount", "Service", "Deployment"))
        if not sa or sa.get("automountServiceAccountToken") is not False:
            problems.append(
                f"{name}: needs a ServiceAccount with automountServiceAccountToken: false"
            )
        if not dep:
            problems.append(f"{name}: no Deployment")
            continue
        pod = dep["spec"]["template"]["spec"]
        labels = dep["spec"]["template"]["metadata"].get("labels") or {}
        if (
            not svc
            or svc["spec"].get("type", "ClusterIP") != "ClusterIP"
            or [p["port"] for p in svc["spec"]["ports"]] != [port]
        ):
            problems.append(f"{name}: needs a ClusterIP Service on port {port}")
        elif not svc["spec"].get("selector") or any(
            labels.get(k) != v for k, v in svc["spec"]["selector"].items()
        ):
            problems.append(f"{name}: Service selector does not match the pod labels")
        if pod.get("serviceAccountName") != name:
            problems.append(f"{name}: pod must use ServiceAccount {name}")
        if any(
            not c.get("image", "").startswith(f"kulturbro/{name}:")
            for c in pod.get("initContainers", []) + pod["containers"]
        ):
            problems.append(f"{name}: every container must run the image kulturbro/{name}")
        if not any(c.get("args") == ["migrate", name] for c in pod.get("initContainers") or []):
            problems.append(f"{name}: needs an initContainer with args [migrate, {name}]")
        main = [c for c in pod["containers"] if c.get("args") == ["service", name]]
        if len(main) != 1:
            problems.append(f"{name}: needs one container with args [service, {name}]")
            continue
        ports = {p.get("name"): p["containerPort"] for p in main[0].get("ports") or []}
        env = {e["name"]: e.get("value") for e in main[0].get("env") or []}
        if port not in ports.values() or env.get("HTTP_PORT") != str(port):
            problems.append(f"{name}: container must listen on {port} and set HTTP_PORT={port}")
        for probe, path_ in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            get = (main[0].get(probe) or {}).get("httpGet") or {}
            if get.get("path") != path_ or ports.get(get.get("port"), get.get("port")) != port:
                problems.append(f"{name}: {probe} must GET {path_} on port {port}")
        problems += check_pod(name, pod, database=name)
        problems += check_disruption_budget(name, objects, labels)
        problems += check_scaled_object(name, objects)
        problems += check_ingress(name, docs, labels)
        hpa = objects.get(("HorizontalPodAutoscaler", name))
        if name in KEDA and "replicas" in dep["spec"]:
            problems.append(f"{name}: Deployment must not set replicas (KEDA owns them)")
        if name in HPA:
            target = (hpa or {}).get("spec", {}).get("scaleTargetRef") or {}
            if (
                not hpa
                or hpa["apiVersion"] != "autoscaling/v2"
                or (target.get("kind"), target.get("name")) != ("Deployment", name)
            ):
                problems.append(
                    f"{name}: needs an autoscaling/v2 HorizontalPodAutoscaler for Deployment {name}"
                )
            if "replicas" in dep["spec"]:
                problems.append(f"{name}: Deployment must not set replicas (the HPA owns them)")
        elif hpa:
            problems.append(f"{name}: unexpected HorizontalPodAutoscaler")
    deny = objects.get(("NetworkPolicy", "kulturbro-default-deny")) or {}
    if deny.get("spec") != {"podSelector": {}, "policyTypes": ["Ingress"]}:
        problems.append("needs NetworkPolicy kulturbro-default-deny: no ingress unless allowed")
    config = (objects.get(("ConfigMap", "kulturbro-config")) or {}).get("data")
    problems += check_partitions(config or {}, docs)
    if config is None:
        problems.append("no ConfigMap kulturbro-config")
    elif {"DATABASE_URL", "KULTURBRO_SECRET_KEY", "SMTP_URL"} & set(config):
        problems.append("kulturbro-config holds secrets: move them to the Secret kulturbro-secrets")
    elif not config.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        problems.append("kulturbro-config needs OTEL_EXPORTER_OTLP_ENDPOINT (the collector)")
    job = objects.get(("Job", "kulturbro-topics"))
    if not job:
        problems.append("no Job kulturbro-topics")
    else:
        pod = job["spec"]["template"]["spec"]
        if not any(c.get("args") == ["topics", "create"] for c in pod["containers"]):
            problems.append("Job kulturbro-topics must run [topics, create]")
        problems += check_pod("Job kulturbro-topics", pod)
    if label.endswith("/base"):
        extra = sorted(
            f"{k}/{n}" for k, n in objects if k in ("StatefulSet", "Secret") or n in INFRA
        )
        if extra:
            problems.append(
                f"base must not contain infrastructure or secrets (production is managed): {extra}"
            )
    else:
        for name in sorted(OBSERVABILITY):
            if ("Deployment", name) not in objects or ("Service", name) not in objects:
                problems.append(f"needs the Deployment and Service {name} (deploy/observability)")
        for name in INFRA:
            problems += check_reached_only_by_kulturbro(name, docs)
        for name, image in INFRA.items():
            sts = objects.get(("StatefulSet", name))
            if not sts or [c["image"] for c in sts["spec"]["template"]["spec"]["containers"]] != [
                image
            ]:
                problems.append(f"needs a StatefulSet {name} running {image}")
            if ("Service", name) not in objects:
                problems.append(f"needs a Service {name}")
        secret = objects.get(("Secret", "kulturbro-secrets")) or {}
        keys = set(secret.get("stringData") or {}) | set(secret.get("data") or {})
        if not {"KULTURBRO_SECRET_KEY", "SMTP_URL"} <= keys:
            problems.append(
                "needs a Secret kulturbro-secrets with KULTURBRO_SECRET_KEY and SMTP_URL"
            )
        if "DATABASE_URL" in keys:
            problems.append(
                "kulturbro-secrets holds a DATABASE_URL for every service: "
                "give each its own in Secret NAME-database"
            )
        owner = (
            (objects.get(("Secret", "postgres-credentials")) or {}).get("stringData") or {}
        ).get("POSTGRES_USER")
        urls = {
            name: str(
                ((objects.get(("Secret", f"{name}-database")) or {}).get("stringData") or {}).get(
                    "DATABASE_URL"
                )
            )
            for name in SERVICES
        }
        problems += check_own_logins(urls, owner)
        job = objects.get(("Job", "kulturbro-database-logins"))
        if not job:
            problems.append("needs a Job kulturbro-database-logins")
        else:
            pod = job["spec"]["template"]["spec"]
            for c in pod["containers"]:
                problems += check_container(
                    f"Job kulturbro-database-logins container {c['name']}",
                    c,
                    pod.get("securityContext") or {},
                )
                args, env = c.get("args") or [], {e["name"]: e for e in c.get("env") or []}
                if args[:2] != ["database", "logins"] or set(args[2:]) != set(SERVICES):
                    problems.append(
                        "Job kulturbro-database-logins must run "
                        f"[database, logins, {', '.join(SERVICES)}]"
                    )
                for name in SERVICES:
                    ref = (
                        (env.get(f"{name.upper()}_DATABASE_URL") or {}).get("valueFrom") or {}
                    ).get("secretKeyRef") or {}
                    if (ref.get("name"), ref.get("key")) != (f"{name}-database", "DATABASE_URL"):
                        problems.append(
                            f"Job kulturbro-database-logins: {name.upper()}_DATABASE_URL "
                            f"must come from Secret {name}-database"
                        )
    report(
        label,
        problems,
        f"conventions: {len(SERVICES)} services with Deployment, Service, ServiceAccount, "
        "probes, limits, non-root read-only, an autoscaler (KEDA ScaledObjects valid against "
        "deploy/schemas/keda-scaledobject.json), a PodDisruptionBudget, NetworkPolicies, "
        "partitions for the replicas",
    )


check_compose(sys.argv[1])
check_dockerfile(sys.argv[2])
for arg in sys.argv[3:]:
    label, path = arg.split("=", 1)
    check_k8s(label, path)
sys.exit(1 if failed else 0)
