"""Drives a Kubus gateway with the official Kubernetes Python client (Debian's python3-kubernetes).

Run by OfficialPythonClientTest with a kubeconfig for the test's gateway. Each step prints one JSON line,
{"step": NAME, ...what the client returned...}; the Java test checks them. A step that raises prints
{"step": NAME, "error": ...} and the script goes on, so one failure does not hide the others.
"""
import json
import sys
import threading
import time
import traceback

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

NS = "default"


def report(step, **fields):
    print(json.dumps(dict(step=step, **fields)), flush=True)


def run(step, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - reported, and the Java side fails on it
        report(step, error=repr(e), trace=traceback.format_exc())


def api_error(e):
    """What an ApiException carries: the HTTP status and reason phrase, and the Status body's fields."""
    body = json.loads(e.body) if e.body else {}
    return dict(status=e.status, http_reason=e.reason, kind=body.get("kind"), reason=body.get("reason"),
                message=body.get("message"), details=body.get("details"), code=body.get("code"))


def main(kubeconfig):
    config.load_kube_config(config_file=kubeconfig)
    v1 = client.CoreV1Api()
    apps = client.AppsV1Api()

    def create():
        cm = v1.create_namespaced_config_map(NS, {"apiVersion": "v1", "kind": "ConfigMap",
                                                  "metadata": {"name": "py-one"}, "data": {"a": "1"}})
        report("create", name=cm.metadata.name, uid=cm.metadata.uid, resourceVersion=cm.metadata.resource_version,
               data=cm.data, kind=cm.kind)

    def list_():
        cms = v1.list_namespaced_config_map(NS)
        report("list", kind=cms.kind, resourceVersion=cms.metadata.resource_version,
               names=[i.metadata.name for i in cms.items])

    def watch_from_list():
        rv = v1.list_namespaced_config_map(NS).metadata.resource_version
        seen = []
        w = watch.Watch()

        def changes():
            time.sleep(0.5)
            v1.create_namespaced_config_map(NS, {"metadata": {"name": "py-watched"}, "data": {"v": "1"}})
            v1.patch_namespaced_config_map("py-watched", NS, {"data": {"v": "2"}})
            v1.delete_namespaced_config_map("py-watched", NS)

        writer = threading.Thread(target=changes)
        writer.start()
        # The client sends watch=True; timeout_seconds bounds the test if an event never comes.
        for event in w.stream(v1.list_namespaced_config_map, NS, resource_version=rv, timeout_seconds=20):
            obj = event["object"]
            seen.append([event["type"], obj.metadata.name, (obj.data or {}).get("v")])
            if event["type"] == "DELETED":
                w.stop()
        writer.join()
        report("watch", fromResourceVersion=rv, events=seen)

    def patch_strategic():
        # A dict body: the client sends application/strategic-merge-patch+json.
        d = apps.create_namespaced_deployment(NS, {
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "py-web"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "py"}},
                     "template": {"metadata": {"labels": {"app": "py"}},
                                  "spec": {"containers": [{"name": "c", "image": "busybox:1"}]}}}})
        patched = apps.patch_namespaced_deployment("py-web", NS, {"spec": {"template": {"spec": {"containers": [
            {"name": "c", "image": "busybox:2"}, {"name": "side", "image": "busybox:1"}]}}}})
        report("patch-strategic", before=d.metadata.resource_version, after=patched.metadata.resource_version,
               containers=[[c.name, c.image] for c in patched.spec.template.spec.containers])

    def patch_json():
        # A list body: application/json-patch+json.
        patched = v1.patch_namespaced_config_map("py-one", NS, [
            {"op": "add", "path": "/data/b", "value": "2"}, {"op": "remove", "path": "/data/a"}])
        report("patch-json", data=patched.data)

    def delete():
        v1.delete_namespaced_config_map("py-one", NS)
        try:
            v1.read_namespaced_config_map("py-one", NS)
            report("delete", gone=False)
        except ApiException as e:
            report("delete", gone=e.status == 404)

    def not_found():
        try:
            apps.read_namespaced_deployment("ghost", NS)
            report("not-found", raised=False)
        except ApiException as e:
            report("not-found", raised=True, **api_error(e))

    def invalid():
        try:
            v1.create_namespaced_config_map(NS, {"metadata": {"name": "Not_Valid"}})
            report("invalid", raised=False)
        except ApiException as e:
            report("invalid", raised=True, **api_error(e))

    for name, step in [("create", create), ("list", list_), ("watch", watch_from_list),
                       ("patch-strategic", patch_strategic), ("patch-json", patch_json), ("delete", delete),
                       ("not-found", not_found), ("invalid", invalid)]:
        run(name, step)


if __name__ == "__main__":
    main(sys.argv[1])
