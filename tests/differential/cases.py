"""A differential case and how to run it: the same argv, stdin, environment and working directory
under the reference and under skiff; stdout, stderr and exit status must match."""
import dataclasses
import glob
import os
import random

import harness

SCRATCH = "/tmp/skiff-diff"  # per-case working directories live below this, inside the root


@dataclasses.dataclass
class Case:
    id: str
    argv: list
    stdin: bytes = None
    env: dict = None
    root: str = "debian"          # debian | busybox | isa
    reference: str = "qemu"       # qemu | proot
    scratch: bool = False         # run in a fresh empty working directory SCRATCH/<id>
    workdir: str = "/"            # the working directory otherwise
    status: int = 0               # what the reference must return (checked, so a broken case shows)
    stderr: bool = True           # compare stderr too
    skiff_options: tuple = ()     # extra `skiff run` options (--network none)
    proot_options: tuple = ()     # extra proot options for the reference (-0: fake root)

    def __str__(self):
        return self.id


def ids(cases):
    return [c.id for c in cases]


def run(case, roots):
    root = roots[case.root]
    workdir = case.workdir
    if case.scratch:
        workdir = f"{SCRATCH}/{case.id}"
    results = []
    for side in (case.reference, "skiff"):
        if case.scratch:
            harness.clean_guest_path(root, workdir)
            os.makedirs(os.path.join(root, workdir.lstrip("/")))
        if side == "skiff":
            r = harness.skiff(root, case.argv, stdin=case.stdin, env=case.env, workdir=workdir,
                              reference=case.reference, options=case.skiff_options)
        elif side == "proot":
            r = harness.proot(root, case.argv, stdin=case.stdin, env=case.env, workdir=workdir,
                              options=case.proot_options)
        else:
            r = harness.qemu(root, case.argv, stdin=case.stdin, env=case.env, workdir=workdir)
        results.append(r)
        if case.scratch:
            harness.clean_guest_path(root, workdir)
    ref, got = results
    assert ref.status == case.status, "the reference did not behave as the case expects:\n" + ref.describe()
    harness.assert_same(ref, got, stderr=case.stderr)


def script_cases(subdir, make_argv, suffix="", **kw):
    """One case per file in tests/differential/scripts/SUBDIR: make_argv(text) gives the argv.
    Directives in the first two lines: `status: N` sets the reference's expected status,
    `reference: proot` selects proot + qemu as the reference, `proot: OPTIONS` gives proot
    more options (`-0`: the guest may switch users without really changing the host's),
    `network: host` leaves the case out where skiff_options choose another network."""
    out = []
    for path in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "scripts", subdir, "*"))):
        text = open(path).read()
        head = "\n".join(text.splitlines()[:2])
        opts = dict(kw)
        if "status:" in head:
            opts["status"] = int(head.split("status:")[1].split()[0])
        if "reference: proot" in head:
            opts["reference"] = "proot"
        if "proot:" in head:
            opts["proot_options"] = tuple(head.split("proot:")[1].split("\n")[0].split())
        if "network: host" in head and "--network" in kw.get("skiff_options", ()):
            continue   # a case only the host's network can show: the reference sees the host's
        name = f"{subdir}-{os.path.splitext(os.path.basename(path))[0]}{suffix}"
        out.append(Case(name, make_argv(text), **opts))
    return out


def data(seed, size, alphabet=None):
    """Deterministic test data: random bytes, or random text over `alphabet` split into lines."""
    rng = random.Random(seed)
    if alphabet is None:
        return bytes(rng.getrandbits(8) for _ in range(size))
    words = []
    n = 0
    while n < size:
        w = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
        words.append(w + ("\n" if rng.random() < 0.15 else " "))
        n += len(words[-1])
    return "".join(words).encode()
