"""What the WASI benchmarks (wasi-startup.py, wasi-pack.py) share: the skiff binary, a scratch
folder with a private $SKIFF_HOME, the WASI test programs built into it, the wasmtime CLI."""
import os
import subprocess
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class WasiBench:
    def __init__(self, prefix):
        self.skiff = os.environ.get("SKIFF") or os.path.join(REPO, ".build", "release", "skiff")
        self.work = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
        programs = subprocess.run([os.path.join(REPO, "tests", "wasi", "build-programs.sh"), os.path.join(self.work, "p")],
                                  stdout=subprocess.PIPE, text=True, check=True).stdout.split()[-1]
        self.module = os.path.join(programs, "wasi-probe.wasm")
        self.env = dict(os.environ, SKIFF_HOME=os.path.join(self.work, "home"))
        os.makedirs(self.env["SKIFF_HOME"])
        self.wasmtime = subprocess.run([os.path.join(REPO, "wasm", "wasmtime-cli.sh")], stdout=subprocess.PIPE,
                                       text=True, check=True).stdout.strip()
