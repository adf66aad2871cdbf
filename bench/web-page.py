"""Timings of a site made by `skiff convert --web`, in headless Chromium (Selenium + chromium-driver),
for bench/web.sh:

  page-load URL RUNS     the page's load to the first shell prompt: "cold" in a fresh browser
                         profile each time (nothing cached: the module is fetched and compiled),
                         "warm" by reloading in one browser (HTTP revalidation, V8's code cache);
                         prints the median and the range of each, in seconds.
  coremark URL           runs coremark in the page; prints its Iterations/Sec.
  pull URL IMAGE RUNS    opens URL?image=IMAGE (pulled from its registry in the page) running
                         `python3 -c 'print(6*7)'`, in a fresh profile each time; the time to its
                         output and the module's memory afterwards.
"""
import re
import shutil
import statistics
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

PROMPT = "bench-ready$"
TEXT = """const b = window.term && (window.term.buffer.active || window.term.buffer), lines = [];
          if (!b) return "";
          for (let i = 0; i < b.length; i++) lines.push(b.getLine(i).translateToString(true));
          return lines.join('\\n');"""


def browser(profile):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=900,600", f"--user-data-dir={profile}"):
        options.add_argument(a)
    return webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=options)


def wait_for(driver, predicate, timeout=600):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise SystemExit(f"timed out; screen:\n{driver.execute_script(TEXT)}")


def load_to_prompt(driver, url):
    start = time.perf_counter()
    driver.get(url + "?cmd=/bin/sh&env=PS1=" + PROMPT.replace("$", "%24"))
    wait_for(driver, lambda: PROMPT in driver.execute_script(TEXT))
    return time.perf_counter() - start


def summary(name, times):
    print(f"{name}: median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}, {len(times)} runs)")


def page_load(url, runs):
    cold = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as profile:
            driver = browser(profile)
            try:
                cold.append(load_to_prompt(driver, url))
            finally:
                driver.quit()
    warm = []
    with tempfile.TemporaryDirectory() as profile:
        driver = browser(profile)
        try:
            load_to_prompt(driver, url)   # fills the caches
            time.sleep(1)                 # V8 stores the compiled module's code after it ran a while
            load_to_prompt(driver, url)
            for _ in range(runs):
                warm.append(load_to_prompt(driver, url))
        finally:
            driver.quit()
    summary("cold (fresh profile)", cold)
    summary("warm (reload)", warm)


def coremark(url):
    with tempfile.TemporaryDirectory() as profile:
        driver = browser(profile)
        try:
            driver.get(url + "?cmd=coremark")
            text = wait_for(driver, lambda: re.search(r"Iterations/Sec\s*:\s*([\d.]+)", driver.execute_script(TEXT)))
            print(text.group(1))
        finally:
            driver.quit()


def pull(url, image, runs):
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as profile:
            driver = browser(profile)
            try:
                start = time.perf_counter()
                driver.get(f"{url}?image={image}&cmd=python3&cmd=-c&cmd=print(6*7)")
                wait_for(driver, lambda: driver.execute_script("return window.skiff && window.skiff.state !== 'loading' && window.skiff.state !== 'running'"))
                state = driver.execute_script("return window.skiff")
                if state["status"] != 0 or not re.search(r"^42$", driver.execute_script(TEXT), re.M):
                    raise SystemExit(f"the pulled image did not print 42: {state}; screen:\n{driver.execute_script(TEXT)}")
                times.append(time.perf_counter() - start)
            finally:
                driver.quit()
    summary("page load, pull and python3 -c (fresh profile)", times)


if __name__ == "__main__":
    if sys.argv[1] == "page-load":
        page_load(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "pull":
        pull(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        coremark(sys.argv[2])
