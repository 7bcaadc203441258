#!/usr/bin/env python3
"""Print a Prometheus config with its kubernetes_sd_configs taken out, for Debian's promtool.

    python3 deploy/without_kubernetes_sd.py prometheus/k8s.yml > checkable.yml

Debian builds Prometheus without Kubernetes discovery, so its `promtool check config` refuses
the key; the rest of the config (relabelling, rule files) is still worth checking. The
discovery itself is then checked here: role pod, in Prometheus's own namespace.
"""

import sys

import yaml


def main(path: str) -> int:
    with open(path) as file:
        config = yaml.safe_load(file)
    for job in config.get("scrape_configs") or []:
        for sd in job.pop("kubernetes_sd_configs", []):
            if sd != {"role": "pod", "namespaces": {"own_namespace": True}}:
                print(f"{path}: job {job['job_name']}: expected role pod in its own namespace")
                return 1
        job.setdefault("static_configs", [])
    yaml.safe_dump(config, sys.stdout, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
