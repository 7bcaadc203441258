#!/usr/bin/env bash
# Offline validation of the deployment files. From the repository root:
#
#   PATH=.venv/bin:$PATH bash deploy/validate.sh
#
# 1. docker-compose.yml against the Compose specification schema
#    (check-jsonschema's vendored copy: no network needed).
# 2. Each kustomization rendered with deploy/render_kustomize.py; if kubectl
#    or kustomize is installed, its rendering must be identical.
# 3. Every rendered manifest with kubernetes-validate (strict, K8S_VERSION).
# 4. Kulturbro conventions (deploy/conventions.py): every service has its compose
#    entry, Dockerfile stage, Deployment, Service, ServiceAccount, probes,
#    resource limits, a non-root, read-only securityContext, pinned images, an
#    autoscaler (KEDA ScaledObjects checked against deploy/schemas), a
#    PodDisruptionBudget and NetworkPolicies; topics have a partition for every
#    replica the autoscalers may start.
# 5. The Dockerfile's build stage replayed for every service without Docker,
#    with pip's index switched off (deploy/replay_dockerfile.py): every
#    internal package must come from the repository. Its first run downloads
#    the third-party wheels from PyPI once, into .kulturbro/.
# 6. Observability (deploy/observability): promtool check rules, promtool test
#    rules, promtool check config for compose and k8s; the Grafana dashboards
#    are what deploy/dashboards.py makes, follow Grafana's JSON model and, like
#    the alert rules, name only metrics the services export
#    (deploy/check_dashboards.py).
#
# Needs on PATH: check-jsonschema, kubernetes-validate, python3 with PyYAML,
# and promtool (Debian: apt-get install -y prometheus).
# Prints one line per check; exits non-zero if any check fails.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.31.0}"
KUSTOMIZATIONS=(deploy/k8s/base deploy/k8s/overlays/dev deploy/k8s/overlays/dev-osrm)

cd "$(dirname "${BASH_SOURCE[0]}")/.."

failures=0
ok() { printf 'ok    %s\n' "$*"; }
fail() {
  printf 'FAIL  %s\n' "$*"
  failures=$((failures + 1))
}
indent() { sed 's/^/      /'; }

for tool in check-jsonschema kubernetes-validate python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "deploy/validate.sh: '$tool' not found on PATH (put .venv/bin on PATH)" >&2
    exit 2
  fi
done
if ! command -v promtool >/dev/null 2>&1; then
  echo "deploy/validate.sh: 'promtool' not found on PATH (Debian: apt-get install -y prometheus)" >&2
  exit 2
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "deploy/validate.sh: python3 on PATH has no PyYAML (put .venv/bin on PATH)" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- 1. docker compose -----------------------------------------------------
if out="$(check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml 2>&1)"; then
  ok "docker-compose.yml: Compose specification schema (check-jsonschema vendor.compose-spec)"
else
  head -n 40 <<<"$out" | indent
  fail "docker-compose.yml: does not match the Compose specification schema (first 40 lines above)"
fi

# --- 2. and 3. render and validate each kustomization ----------------------
reference=""
if command -v kustomize >/dev/null 2>&1; then
  reference="kustomize build"
elif command -v kubectl >/dev/null 2>&1; then
  reference="kubectl kustomize"
fi

rendered_args=()
for dir in "${KUSTOMIZATIONS[@]}"; do
  rendered="$work/$(basename "$dir").yaml"
  if ! python3 deploy/render_kustomize.py "$dir" >"$rendered" 2>"$work/err"; then
    indent <"$work/err"
    fail "$dir: deploy/render_kustomize.py cannot render it"
    continue
  fi
  count="$(grep -c '^kind:' "$rendered" || true)"

  if [[ -n "$reference" ]]; then
    # shellcheck disable=SC2086 # $reference is a command plus subcommand
    if ! $reference "$dir" >"$work/reference.yaml" 2>"$work/err"; then
      indent <"$work/err"
      fail "$dir: '$reference' cannot render it"
      continue
    fi
    if ! python3 deploy/same_resources.py "$rendered" "$work/reference.yaml" >"$work/err" 2>&1; then
      indent <"$work/err"
      fail "$dir: deploy/render_kustomize.py disagrees with '$reference'"
      continue
    fi
    ok "$dir: rendered $count resources, identical to '$reference'"
  else
    ok "$dir: rendered $count resources (kubectl/kustomize not installed: no cross-check)"
  fi

  # kubernetes-validate exits 0 on kinds it has no schema for (it only warns),
  # so anything but an INFO line counts as a failure. KEDA's ScaledObjects are
  # the exception: step 4 holds them to KEDA's schema (deploy/schemas).
  status=0
  out="$(kubernetes-validate -k "$K8S_VERSION" --strict "$rendered" 2>&1)" || status=$?
  problems="$(printf '%s\n' "$out" | grep -v '^INFO ' |
    grep -v "Couldn't find schema for kind ScaledObject with api version keda.sh/v1alpha1" |
    grep . || true)"
  if [[ "$status" -eq 0 && -z "$problems" ]]; then
    ok "$dir: kubernetes-validate -k $K8S_VERSION --strict ($count resources)"
  else
    printf '%s\n' "${problems:-$out}" | sed "s|$rendered|$dir (rendered)|g" | indent
    fail "$dir: kubernetes-validate -k $K8S_VERSION --strict found problems"
  fi
  rendered_args+=("$dir=$rendered")
done

# --- 4. Kulturbro conventions ---------------------------------------------
if ! python3 deploy/conventions.py docker-compose.yml Dockerfile "${rendered_args[@]}"; then
  failures=$((failures + 1))
fi

# --- 5. the Dockerfile, replayed with no package index ---------------------
if ! python3 deploy/replay_dockerfile.py; then
  failures=$((failures + 1))
fi

# --- 6. observability: alert rules, Prometheus configs, dashboards --------
observability=deploy/observability
run_check() { # label, then the command; prints its output only when it fails
  local label="$1"
  shift
  if out="$("$@" 2>&1)"; then
    ok "$label"
  else
    head -n 40 <<<"$out" | indent
    fail "$label"
  fi
}
run_check "$observability/prometheus/alerts.yml: promtool check rules" \
  promtool check rules "$observability/prometheus/alerts.yml"
run_check "$observability/prometheus/alerts-test.yml: promtool test rules (the alerts fire)" \
  promtool test rules "$observability/prometheus/alerts-test.yml"
run_check "$observability/prometheus/compose.yml: promtool check config" \
  promtool check config "$observability/prometheus/compose.yml"
cp "$observability/prometheus/alerts.yml" "$work/alerts.yml"
if python3 deploy/without_kubernetes_sd.py "$observability/prometheus/k8s.yml" \
  >"$work/k8s.yml" 2>"$work/err"; then
  run_check "$observability/prometheus/k8s.yml: promtool check config (Kubernetes discovery checked apart: Debian's promtool lacks it)" \
    promtool check config "$work/k8s.yml"
else
  indent <"$work/err"
  fail "$observability/prometheus/k8s.yml: deploy/without_kubernetes_sd.py refused it"
fi
if ! python3 deploy/dashboards.py; then
  failures=$((failures + 1))
fi
if ! python3 deploy/check_dashboards.py \
  "$observability/grafana/provisioning/datasources/datasources.yml" \
  "$observability/prometheus/alerts.yml" "$observability"/grafana/dashboards/*.json; then
  failures=$((failures + 1))
fi

if [[ "$failures" -gt 0 ]]; then
  echo "deploy/validate.sh: $failures check(s) failed" >&2
  exit 1
fi
echo "deploy/validate.sh: all checks passed"
