"""The official Python client (Debian's python3-kubernetes) against a kplane server.

Usage: python3 python-client.py <kubeconfig> <scratch dir>. Prints one `ok <what>` line per check;
any failure raises, so the exit code is non-zero. test/e2e/python-client.test.ts runs it.
"""

import os
import sys
import time

from kubernetes import client, config, watch
from kubernetes.dynamic import DynamicClient

NAMESPACE = "py-client"


def ok(what):
    print(f"ok {what}", flush=True)


def wait_for(what, probe, timeout=20.0):
    """Polls `probe` until it returns a truthy value; raises after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def main(kubeconfig, scratch):
    config.load_kube_config(config_file=kubeconfig)
    core = client.CoreV1Api()

    version = client.VersionApi().get_code()
    assert version.major == "1" and version.git_version.startswith("v1."), version
    ok(f"version {version.git_version}")

    names = [ns.metadata.name for ns in core.list_namespace().items]
    assert "default" in names and "kube-system" in names, names
    ok("list_namespace")

    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NAMESPACE)))
    assert core.read_namespace(NAMESPACE).status.phase == "Active"
    core.patch_namespace(NAMESPACE, {"metadata": {"labels": {"team": "py"}}})
    assert core.read_namespace(NAMESPACE).metadata.labels["team"] == "py"
    ok("namespace create/read/patch")

    service = client.V1Service(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1ServiceSpec(
            selector={"app": "web"}, ports=[client.V1ServicePort(port=80, target_port=8080)]
        ),
    )
    created = core.create_namespaced_service(NAMESPACE, service)
    assert created.spec.cluster_ip, created.spec
    core.patch_namespaced_service("web", NAMESPACE, {"metadata": {"labels": {"tier": "front"}}})
    read = core.read_namespaced_service("web", NAMESPACE)
    assert read.metadata.labels == {"tier": "front"} and read.spec.ports[0].target_port == 8080, read
    ok(f"service create/read/patch clusterIP={created.spec.cluster_ip}")

    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(name="web", labels={"app": "web"}),
        spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="nginx:1.25")]),
    )
    core.create_namespaced_pod(NAMESPACE, pod)
    running = wait_for(
        "the pod to run",
        lambda: core.read_namespaced_pod("web", NAMESPACE).status.phase == "Running",
    )
    assert running
    ok("pod create/read Running")

    stream = watch.Watch()
    added = None
    for event in stream.stream(core.list_namespaced_pod, NAMESPACE, timeout_seconds=10):
        if event["type"] == "ADDED" and event["object"].metadata.name == "web":
            added = event["object"]
            stream.stop()
    assert added is not None and added.kind == "Pod", added
    ok("watch ADDED web")

    log = wait_for(
        "the pod's log",
        lambda: "Started container web" in (text := core.read_namespaced_pod_log("web", NAMESPACE)) and text,
    )
    assert log.splitlines()[0] == 'Pulling image "nginx:1.25"', log
    ok(f"read_namespaced_pod_log {len(log.splitlines())} lines")

    dynamic = DynamicClient(client.ApiClient(), cache_file=os.path.join(scratch, "discovery.json"))
    pods = dynamic.resources.get(api_version="v1", kind="Pod")
    assert pods.name == "pods" and pods.namespaced, pods
    ingresses = dynamic.resources.search(kind="Ingress")
    assert [r.group_version for r in ingresses] == ["networking.k8s.io/v1"], ingresses
    listed = pods.get(namespace=NAMESPACE)
    assert [p.metadata.name for p in listed.items] == ["web"], listed
    ok("dynamic discovery pods, ingresses")

    core.delete_namespaced_pod("web", NAMESPACE)
    core.delete_namespaced_service("web", NAMESPACE)
    wait_for("the pod to go", lambda: not core.list_namespaced_pod(NAMESPACE).items)
    core.delete_namespace(NAMESPACE)
    ok("delete pod, service, namespace")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
