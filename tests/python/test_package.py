"""The distribution: sdist and wheel from a clean copy of the tree, built by
real pip/build with scikit-build-core; the installed executable, ``python -m
devwatch`` and ``devwatch.client`` against it; the missing-dependency message."""

from __future__ import annotations

import re
import tarfile
import textwrap
import zipfile

from conftest import ROOT, build_env, check_run, env_without_devwatch_bin, run


def test_sdist_carries_the_cmake_project(sdist_and_wheel):
    with tarfile.open(sdist_and_wheel["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for needed in ("pyproject.toml", "CMakeLists.txt", "LICENSE", "server/CMakeLists.txt", "server/main.cpp",
                   "src/devwatch/__init__.py", "src/devwatch/django/reloader.py"):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "editors/", "build")) for n in names)


def test_wheel_is_tagged_for_the_platform_and_ships_only_the_executable(wheel):
    assert re.fullmatch(r"devwatch-0\.1\.0-py3-none-linux_x86_64\.whl", wheel.name), wheel.name
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    assert "devwatch-0.1.0.data/scripts/devwatch" in names
    assert "devwatch/client.py" in names and "devwatch/django/apps.py" in names
    assert not any("_tests" in n or n.endswith((".a", ".o")) for n in names), names


def test_package_version_matches_cmake():
    cmake_version = re.search(r"project\(devwatch VERSION ([\d.]+)", (ROOT / "CMakeLists.txt").read_text()).group(1)
    pyproject = (ROOT / "python" / "pyproject.toml").read_text()
    assert f'version = "{cmake_version}"' in pyproject
    init = (ROOT / "python" / "src" / "devwatch" / "__init__.py").read_text()
    assert f'__version__ = "{cmake_version}"' in init


def test_installed_executable_and_python_m(venv52):
    bindir = venv52.parent
    env = env_without_devwatch_bin()
    assert check_run([bindir / "devwatch", "--version"], env=env).stdout.strip() == "devwatch 0.1.0"
    assert check_run([venv52, "-m", "devwatch", "--version"], env=env).stdout.strip() == "devwatch 0.1.0"
    found = check_run([venv52, "-c", "import devwatch; print(devwatch.find_devwatch_bin())"], env=env).stdout
    assert found.strip() == str(bindir / "devwatch")


def test_client_against_the_installed_binary(venv52, tmp_path):
    script = textwrap.dedent("""
        import os, sys, time
        from devwatch.client import Client, FilesDidChange
        root = sys.argv[1]
        with Client([root]) as dw:
            assert dw.version == "0.1.0", dw.version
            sid = dw.subscribe("**/*.py")
            watcher = dw.wait_until_watching()
            assert watcher["backend"] == "inotify", watcher
            with open(os.path.join(root, "new.py"), "w") as f:
                f.write("x = 1\\n")
            deadline = time.monotonic() + 30
            for note in dw.notifications(timeout=30):
                if isinstance(note, FilesDidChange) and note.subscription_id == sid:
                    assert [(c.path, c.type) for c in note.changes] == [(os.path.join(root, "new.py"), 1)], note
                    break
                assert time.monotonic() < deadline
            else:
                raise SystemExit("no didChange")
        print("exit", dw.proc.returncode)
    """)
    p = check_run([venv52, "-c", script, tmp_path], env=env_without_devwatch_bin(), timeout=120)
    assert p.stdout.strip() == "exit 0"


def test_missing_build_dependencies_are_named(tmp_path):
    """A source build without the C++ dependencies stops at CMake with the
    Debian packages to install (simulated by hiding them from CMake)."""
    hide = ["-DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON", "-DCMAKE_DISABLE_FIND_PACKAGE_spdlog=ON",
            "-DCMAKE_IGNORE_PATH=/usr/include;/usr/local/include"]
    p = run(["cmake", "-S", ROOT, "-B", tmp_path / "b", "-G", "Ninja", *hide], env=build_env())
    assert p.returncode != 0
    for name in ("nlohmann-json3-dev", "libspdlog-dev", "libasio-dev"):
        assert name in p.stderr, p.stderr
    words = " ".join(p.stderr.split())  # CMake wraps messages
    assert "sudo apt-get install nlohmann-json3-dev libasio-dev libspdlog-dev" in words
