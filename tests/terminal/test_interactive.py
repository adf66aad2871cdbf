"""`skiff run -it` driven through a real terminal: Debian's tmux runs a host shell in a pane,
starts Skiff in it, types like a person and reads the screen back. Every wait polls the pane
with a deadline (no fixed sleeps), so a slow machine only makes the test slower."""
import os
import shlex
import signal
import subprocess
import tempfile
import time
import uuid

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = float(os.environ.get("SKIFF_TERMINAL_TIMEOUT", "60"))


def skiff_binary():
    path = os.environ.get("SKIFF") or os.path.join(REPO, ".build", "release", "skiff")
    if not os.path.exists(path):
        pytest.skip(f"no skiff binary at {path} (set SKIFF)")
    return path


def fixtures_dir():
    out = subprocess.run([os.path.join(REPO, "scripts", "fixtures.sh")], stdout=subprocess.PIPE, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


class Pane:
    """One tmux server (its own socket) with one 80x24 window running a host shell."""

    def __init__(self, workdir):
        self.socket = "skiff-tty-" + uuid.uuid4().hex[:8]
        self.workdir = workdir
        self.tmux("new-session", "-d", "-x", "80", "-y", "24", "-s", "t",
                  "env PS1='host$ ' HISTFILE=/dev/null TERM=xterm bash --norc --noprofile")
        self.tmux("set-option", "-g", "history-limit", "5000")
        self.wait_for("host$ ")

    def tmux(self, *args, env=None):
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True).stdout

    def screen(self):
        return self.tmux("capture-pane", "-p", "-J", "-S", "-5000", "-t", "t")

    def type(self, text, enter=True):
        self.tmux("send-keys", "-t", "t", "-l", text)
        if enter:
            self.tmux("send-keys", "-t", "t", "Enter")

    def key(self, name):
        self.tmux("send-keys", "-t", "t", name)

    def wait_for(self, needle, count=1, timeout=TIMEOUT):
        """Waits until `needle` appears at least `count` times on the screen (with history)."""
        deadline = time.monotonic() + timeout
        while True:
            s = self.screen()
            if s.count(needle) >= count:
                return s
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {needle!r} (x{count}); screen:\n{s}")
            time.sleep(0.05)

    def resize(self, columns, rows, timeout=TIMEOUT):
        """Resizes the window and waits until the pane's terminal has the new size (tmux applies
        pane resizes from its event loop, possibly after keys sent later)."""
        self.tmux("resize-window", "-t", "t", "-x", str(columns), "-y", str(rows))
        tty = self.tmux("display-message", "-p", "-t", "t", "#{pane_tty}").strip()
        deadline = time.monotonic() + timeout
        while subprocess.run(["stty", "-F", tty, "size"], stdout=subprocess.PIPE, text=True).stdout.strip() != f"{rows} {columns}":
            if time.monotonic() > deadline:
                raise AssertionError(f"tmux did not resize {tty} to {rows}x{columns}")
            time.sleep(0.05)

    def wait_for_any(self, needles, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            s = self.screen()
            if any(n in s for n in needles):
                return s
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for one of {needles!r}; screen:\n{s}")
            time.sleep(0.05)

    def close(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def pane():
    with tempfile.TemporaryDirectory() as d:
        p = Pane(d)
        try:
            yield p
        finally:
            p.close()


def child_pids(parent):
    """Processes whose parent is `parent` (from /proc, so procps is not needed)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                out.append(int(entry))
    return out


def prompt_word(prompt):
    """`-e PS1=PROMPT` as a shell word whose text on the screen does not contain PROMPT itself
    (`'PS1=g''uest$ '`), so waiting for the prompt cannot match the echoed command line."""
    assert "'" not in prompt
    return f"-e 'PS1={prompt[0]}''{prompt[1:]}'"


def start_guest(pane, root, command, prompt):
    """Records the host terminal settings, then starts Skiff with a terminal in the pane."""
    before = os.path.join(pane.workdir, "before")
    pane.type(f"stty -g > {before}")
    log = os.environ.get("SKIFF_TERMINAL_LOG")   # a file for Skiff's --debug trace when investigating
    head = [skiff_binary()] + (["--debug"] if log else []) + ["run", "-it", "--read-only", "--rootfs", root]
    tail = ["-e", "HISTFILE=/dev/null"] + command
    line = " ".join(shlex.quote(c) for c in head) + " " + prompt_word(prompt) + " " + " ".join(shlex.quote(c) for c in tail)
    pane.type(line + (f" 2>>{shlex.quote(log)}" if log else ""))
    pane.wait_for(prompt)
    return before


def finish_guest(pane, before):
    """`exit`, then the host terminal must be exactly as it was."""
    marks = pane.screen().count("host$ ")
    pane.type("exit")
    pane.wait_for("host$ ", count=marks + 1)
    assert terminal_state(pane, before) == "same"


def terminal_state(pane, before, prefix=""):
    """Compares the host terminal's settings (stty -g) with those saved in `before`."""
    after = os.path.join(pane.workdir, "after")
    pane.type(f"{prefix}stty -g > {after}; echo TERMINAL:$(cmp -s {before} {after} && echo same || echo changed)")
    s = pane.wait_for_any(["TERMINAL:same", "TERMINAL:changed"])
    return "same" if "TERMINAL:same" in s else "changed"


def start_job(pane, command, started):
    """Types a command that prints `started` once it runs, and waits for that."""
    marks = pane.screen().count(started)
    pane.type(command)
    pane.wait_for(started, count=marks + 1)


def run_and_see(pane, command, expected, prompt=None):
    """Types a command, waits for its output and then for the next prompt (the shell is idle
    again: readline re-reads the window size when it starts a line, which would race a resize)."""
    screen = pane.screen()
    marks = screen.count(expected)
    prompts = screen.count(prompt) if prompt else 0
    pane.type(command)
    s = pane.wait_for(expected, count=marks + 1)
    if prompt:
        s = pane.wait_for(prompt, count=prompts + 1)
    return s


def test_bash_interactive_session(pane):
    root = os.path.join(fixtures_dir(), "rootfs", "debian")
    before = start_guest(pane, root, ["/usr/bin/bash", "--norc", "--noprofile"], "guest$ ")

    # Typing, line editing (the erase key) and output.
    pane.type("echo hello $((6*7))X", enter=False)
    pane.key("BSpace")
    pane.key("Enter")
    pane.wait_for("hello 42\n")
    run_and_see(pane, "tty", "/dev/pts/0")

    # The window size comes from the host terminal and follows it.
    run_and_see(pane, "stty size", "24 80", prompt="guest$ ")
    pane.resize(100, 30)
    run_and_see(pane, "stty size", "30 100")
    run_and_see(pane, "trap 'echo WINCH-SEEN' WINCH; echo trapped", "trapped\n", prompt="guest$ ")
    pane.resize(90, 28)
    pane.type("")   # bash runs the trap when it next reads a line
    pane.wait_for("WINCH-SEEN")
    run_and_see(pane, "stty size", "28 90")

    # ^C interrupts the foreground job, not the shell. Each job announces itself once it runs
    # (bash's child takes the terminal before it executes anything), so no key is sent too early.
    start_job(pane, "bash -c 'echo go-$((1+1)); exec sleep 100'", "go-2")
    pane.key("C-c")
    run_and_see(pane, "echo status=$?", "status=130")

    # ^Z stops it, jobs lists it, fg continues it in the foreground, bg in the background.
    start_job(pane, "bash -c 'trap \"echo cont-\\$((1+2))\" CONT; echo zgo-$((1+1)); while :; do sleep 1; done'", "zgo-2")
    pane.key("C-z")
    pane.wait_for("Stopped")
    run_and_see(pane, "jobs", "Stopped", prompt="guest$ ")
    pane.type("fg")
    pane.wait_for("cont-3")
    pane.key("C-c")
    run_and_see(pane, "echo after-fg=$?", "after-fg=130")
    start_job(pane, "bash -c 'echo bgo-$((1+1)); exec sleep 100'", "bgo-2")
    stops = pane.screen().count("Stopped")
    pane.key("C-z")
    pane.wait_for("Stopped", count=stops + 1)
    run_and_see(pane, "bg", "exec sleep 100' &")
    run_and_see(pane, "jobs", "Running")
    run_and_see(pane, "kill %1; wait; echo killed", "killed\n")

    # A background job reading the terminal is stopped with SIGTTIN.
    run_and_see(pane, "cat & until jobs | grep -q Stopped; do sleep 0.1; done; echo cat-$((1+1))-stopped", "cat-2-stopped")
    run_and_see(pane, "kill -9 %1; wait; echo reaped", "reaped\n")

    # No echo from inside the guest: the typed word shows only in the program's output.
    pane.type("stty -echo; echo ready-$((40+2)); read -r secret; stty echo; echo got=$secret")
    pane.wait_for("ready-42")
    pane.type("hidden-word")
    s = pane.wait_for("got=hidden-word")
    assert s.count("hidden-word") == 1, s
    finish_guest(pane, before)


def test_busybox_sh_interactive_session(pane):
    root = os.path.join(fixtures_dir(), "rootfs", "debian")
    before = start_guest(pane, root, ["/usr/bin/busybox", "sh"], "bb$ ")
    run_and_see(pane, "echo busybox $((2+3))", "busybox 5\n")
    run_and_see(pane, "busybox stty size", "24 80")
    start_job(pane, "sh -c 'echo go-$((1+1)); exec sleep 100'", "go-2")
    pane.key("C-c")
    run_and_see(pane, "echo alive", "alive\n")
    finish_guest(pane, before)


def test_terminal_restored_when_skiff_gets_sighup(pane):
    """The host terminal hangs up: Skiff forwards SIGHUP to the guest's init, which dies of it."""
    root = os.path.join(fixtures_dir(), "rootfs", "debian")
    before = start_guest(pane, root, ["/usr/bin/bash", "--norc", "--noprofile"], "k$ ")
    shell = pane.tmux("display-message", "-p", "-t", "t", "#{pane_pid}").strip()
    children = child_pids(int(shell))
    assert len(children) == 1, children
    marks = pane.screen().count("host$ ")
    os.kill(children[0], signal.SIGHUP)
    pane.wait_for("host$ ", count=marks + 1)
    assert terminal_state(pane, before, prefix="echo status=$?; ") == "same"
    assert "status=129" in pane.screen()


def busybox_image(tmp_path, name):
    """Imports the busybox fixture tree as image `name` into a store of its own: its
    SKIFF_HOME, and an environment naming it."""
    root = os.path.join(fixtures_dir(), "rootfs", "busybox")
    tar = tmp_path / "rootfs.tar"
    subprocess.run(["tar", "-C", root, "-cf", str(tar), "."], check=True)
    home = tmp_path / "home"
    env = dict(os.environ, SKIFF_HOME=str(home))
    subprocess.run([skiff_binary(), "import", "-q", str(tar), name], env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=TIMEOUT)
    return home, env


def test_image_container_with_terminal(pane, tmp_path):
    """`skiff run -it --rm IMAGE /bin/sh` (the issue's case): an image imported from the busybox
    tree, a shell on the container's terminal, a resize, ^C, and the terminal restored."""
    home, _ = busybox_image(tmp_path, "terminal-test:1")
    before = os.path.join(pane.workdir, "before")
    pane.type(f"stty -g > {before}")
    pane.type(f"SKIFF_HOME={shlex.quote(str(home))} {shlex.quote(skiff_binary())} run -it --rm {prompt_word('img$ ')} terminal-test:1 /bin/sh")
    pane.wait_for("img$ ")
    run_and_see(pane, "echo image $((3*3))", "image 9\n", prompt="img$ ")
    run_and_see(pane, "busybox stty size", "24 80", prompt="img$ ")
    pane.resize(70, 20)
    run_and_see(pane, "busybox stty size", "20 70", prompt="img$ ")
    start_job(pane, "sh -c 'echo go-$((1+1)); exec sleep 100'", "go-2")
    pane.key("C-c")
    run_and_see(pane, "echo still-here", "still-here\n")
    finish_guest(pane, before)


def test_exec_it_into_a_detached_container(pane, tmp_path):
    """`skiff exec -it CONTAINER sh` into a container started with `run -d`: a shell on a new
    terminal of the running container's own (/dev/pts/N), editing, ^C, its exit status, and the
    host terminal restored."""
    home, env = busybox_image(tmp_path, "exec-test:1")
    subprocess.run([skiff_binary(), "run", "-d", "--name", "host", "exec-test:1", "sleep", "1000"], env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=TIMEOUT)
    try:
        before = os.path.join(pane.workdir, "before")
        pane.type(f"stty -g > {before}")
        pane.type(f"SKIFF_HOME={shlex.quote(str(home))} {shlex.quote(skiff_binary())} exec -it {prompt_word('exec$ ')} host /bin/sh")
        pane.wait_for("exec$ ")
        run_and_see(pane, "echo exec $((4*4)); busybox tty", "exec 16\n/dev/pts/", prompt="exec$ ")
        run_and_see(pane, "busybox stty size", "24 80", prompt="exec$ ")
        run_and_see(pane, "busybox ps | grep -c 'sleep 1000'", "1\n", prompt="exec$ ")
        start_job(pane, "sh -c 'echo go-$((2+1)); exec sleep 100'", "go-3")
        pane.key("C-c")
        run_and_see(pane, "echo still-here", "still-here\n", prompt="exec$ ")
        marks = pane.screen().count("host$ ")
        pane.type("exit 4")
        pane.wait_for("host$ ", count=marks + 1)
        run_and_see(pane, "echo status=$?", "status=4")
        assert terminal_state(pane, before) == "same"
    finally:
        subprocess.run([skiff_binary(), "rm", "-f", "host"], env=env, stdout=subprocess.DEVNULL, timeout=TIMEOUT)
