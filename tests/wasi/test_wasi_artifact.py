"""The CNCF wasm OCI artifact (a raw module as the layer, `application/wasm`, with an
`application/vnd.wasm.config.v0+json` config: no tar, no rootfs, no entrypoint), built here as an
OCI layout, pushed to a real registry (Debian's docker-registry) with skopeo, then pulled into an
empty store, run, saved, pushed again and converted (docs/wasi-workloads.md)."""
import hashlib
import importlib.util
import json
import os
import subprocess
import tarfile

import pytest

from conftest import REPO, Skiff, containers_conftest, skiff_binary

_spec = importlib.util.spec_from_file_location("wasm_runtimes", os.path.join(REPO, "tests", "containers", "wasm_runtimes.py"))
wasm_runtimes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wasm_runtimes)

WASM_CONFIG = "application/vnd.wasm.config.v0+json"


def write_blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


def make_artifact(layout, module_bytes, tag="1", title="probe.wasm", layer_type="application/wasm", config=None):
    """An OCI layout holding one wasm artifact, as `regctl artifact put`/wkg write it."""
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    layer = {"mediaType": layer_type, **write_blob(layout, module_bytes)}
    if title:
        layer["annotations"] = {"org.opencontainers.image.title": title}
    if config is None:
        config = {"created": "2026-12-05T00:00:00Z", "author": "skiff tests", "architecture": "wasm", "os": "wasip1",
                  "layerDigests": [layer["digest"]]}
    config_desc = {"mediaType": WASM_CONFIG, **write_blob(layout, json.dumps(config).encode())}
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "artifactType": WASM_CONFIG, "config": config_desc, "layers": [layer]}
    manifest_desc = {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                     **write_blob(layout, json.dumps(manifest).encode()),
                     "annotations": {"org.opencontainers.image.ref.name": tag}}
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [manifest_desc]}, f)
    return manifest


def skopeo_raw(ref):
    r = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--raw", f"docker://{ref}"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture
def registry(tmp_path):
    r = containers_conftest.Registry(str(tmp_path / "registry"))
    yield r
    r.stop()


@pytest.fixture
def fresh(tmp_path):
    home = tmp_path / "fresh"
    home.mkdir()
    return Skiff(skiff_binary(), str(home))


def test_artifact_pull_run_save_push_convert(fresh, registry, probe, tmp_path):
    layout = str(tmp_path / "artifact")
    with open(probe, "rb") as f:
        module = f.read()
    manifest = make_artifact(layout, module)
    registry.push(layout, "1", "wasm/artifact:1")
    ref = f"{registry.host}/wasm/artifact:1"
    assert skopeo_raw(ref)["config"]["mediaType"] == WASM_CONFIG

    r = fresh("pull", "-q", ref)
    assert r.status == 0, r
    r = fresh("run", "--rm", ref, "hello")
    assert (r.status, r.out) == (0, "hello from wasi\n"), r
    r = fresh("run", "--rm", ref, "args", "x")
    assert r.out.splitlines() == ["argc=3", "argv[0]=/probe.wasm", "argv[1]=args", "argv[2]=x"], r
    r = fresh("run", "--rm", ref, "ls", "/")
    assert (r.status, r.out.split()) == (0, ["probe.wasm"]), r
    r = fresh("run", "--rm", ref, "exit", "7")
    assert r.status == 7, r

    # save: an OCI layout tar with the artifact's blobs unchanged; imported into another store, it runs.
    saved = str(tmp_path / "artifact.tar")
    r = fresh("save", "-o", saved, ref)
    assert r.status == 0, r
    with tarfile.open(saved) as t:
        names = t.getnames()
    assert f"blobs/sha256/{manifest['layers'][0]['digest'][7:]}" in names
    assert f"blobs/sha256/{manifest['config']['digest'][7:]}" in names
    home = tmp_path / "imported"
    home.mkdir()
    other = Skiff(skiff_binary(), str(home))
    r = other("import", saved, "again:1")
    assert r.status == 0, r
    r = other("run", "--rm", "again:1", "hello")
    assert (r.status, r.out) == (0, "hello from wasi\n"), r

    # push: the registry gets the same manifest (config media type and layer kept).
    copy = f"{registry.host}/wasm/copy:1"
    r = fresh("push", "-q", ref, copy)
    assert r.status == 0, r
    pushed = skopeo_raw(copy)
    assert pushed["config"] == manifest["config"] and pushed["layers"] == manifest["layers"], pushed

    # convert: the module packed with the artifact's tree (just the module itself).
    out = str(tmp_path / "packed.wasm")
    r = fresh("convert", "--pull", "never", ref, out)
    assert r.status == 0, r
    status, text, err = wasm_runtimes.run_module("wasmtime", out, ["ls", "/"], separator=False)
    assert (status, text.split()) == (0, ["probe.wasm"]), err


def test_artifact_without_title_and_bad_artifacts(fresh, registry, probe, tmp_path):
    with open(probe, "rb") as f:
        module = f.read()
    # No title: the module is /module.wasm; the w3c media type is a module too.
    make_artifact(str(tmp_path / "untitled"), module, title=None, layer_type="application/vnd.w3c.wasm.module.v1+wasm")
    registry.push(str(tmp_path / "untitled"), "1", "wasm/untitled:1")
    r = fresh("run", "--rm", f"{registry.host}/wasm/untitled:1", "args")
    assert r.out.splitlines() == ["argc=2", "argv[0]=/module.wasm", "argv[1]=args"], r

    # layerDigests that disagree with the manifest: refused, nothing stored.
    make_artifact(str(tmp_path / "lying"), module, config={"created": "2026-12-05T00:00:00Z", "architecture": "wasm",
                                                            "os": "wasip1", "layerDigests": ["sha256:" + "0" * 64]})
    registry.push(str(tmp_path / "lying"), "1", "wasm/lying:1")
    r = fresh("pull", "-q", f"{registry.host}/wasm/lying:1")
    assert r.status != 0 and "layerDigests" in r.err, r

    # A wasip2 component artifact: a clear refusal (WasmKit runs preview 1 modules).
    make_artifact(str(tmp_path / "p2"), module, config={"created": "2026-12-05T00:00:00Z", "architecture": "wasm",
                                                        "os": "wasip2"})
    registry.push(str(tmp_path / "p2"), "1", "wasm/p2:1")
    r = fresh("pull", "-q", f"{registry.host}/wasm/p2:1")
    assert r.status != 0 and "wasip2/wasm" in r.err, r
    r = fresh("images")
    assert "lying" not in r.out and "p2" not in r.out, r
