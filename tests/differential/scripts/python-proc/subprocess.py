import subprocess, sys, os, signal
r = subprocess.run(["/usr/bin/echo", "hello", "from", "echo"], capture_output=True)
print(r.returncode, r.stdout, r.stderr)
print(subprocess.check_output(["/usr/bin/sort", "-r"], input=b"b\na\nc\n"))
r = subprocess.run(["/usr/bin/bash", "-c", "echo out; echo err >&2; exit 3"], capture_output=True, text=True)
print(r.returncode, repr(r.stdout), repr(r.stderr))
p = subprocess.Popen(["/usr/bin/cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
out, _ = p.communicate(b"x" * 300000)
print("cat roundtrip", len(out), p.returncode)
p = subprocess.Popen(["/usr/bin/sleep", "10"]); p.terminate(); print("terminated", p.wait())
p = subprocess.Popen(["/usr/bin/sleep", "10"]); p.send_signal(signal.SIGKILL); print("killed", p.wait())
# (sorted: proot reorders the environment it passes on)
print(sorted(subprocess.run(["/usr/bin/env"], env={"A": "1", "B": "two"}, capture_output=True).stdout.split()))
print(subprocess.run(["/usr/bin/pwd"], cwd="/usr/share", capture_output=True).stdout)
# (A missing program is tested in test_linux_contract.py: proot reports it itself instead of
# failing the execve.)
try:
    subprocess.run(["/usr/bin/sleep", "5"], timeout=0.3)
except subprocess.TimeoutExpired:
    print("timeout expired")
try:
    subprocess.check_call(["/usr/bin/false"])
except subprocess.CalledProcessError as e:
    print("CalledProcessError", e.returncode)
ps = [subprocess.Popen(["/usr/bin/expr", str(i), "*", str(i)], stdout=subprocess.PIPE) for i in range(10)]
print([int(p.communicate()[0]) for p in ps])
p1 = subprocess.Popen(["/usr/bin/seq", "1", "1000"], stdout=subprocess.PIPE)
p2 = subprocess.Popen(["/usr/bin/grep", "-c", "3"], stdin=p1.stdout, stdout=subprocess.PIPE)
p1.stdout.close()
print("pipeline", p2.communicate()[0], p1.wait(), p2.returncode)
print("posix_spawn", os.waitpid(os.posix_spawn("/usr/bin/true", ["true"], {}), 0)[1])
