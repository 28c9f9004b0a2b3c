"""The data are found the same way from an installed wheel as from a clone."""

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import npstudy, pathlib, sys
home = pathlib.Path(sys.prefix).resolve()
assert home in pathlib.Path(npstudy.__file__).resolve().parents, npstudy.__file__
assert home in npstudy.data_dir().resolve().parents, npstudy.data_dir()
assert len(npstudy.load_practices()) == 50
assert len(npstudy.load_source()) == 3097
assert npstudy.validate() == []
print("ok", npstudy.data_dir().name)
"""


def test_wheel_install_finds_data(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                    str(ROOT)], check=True)
    [wheel] = wheels.glob("npstudy-*.whl")
    env_dir = tmp_path / "venv"
    # Reuse this interpreter's pandas etc.; the wheel itself goes into the venv.
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                    "--no-index", "-q", str(wheel)], check=True)
    environ = {k: v for k, v in os.environ.items() if k != "NPSTUDY_DATA"}
    out = subprocess.run([str(python), "-c", CHECK], cwd=tmp_path, env=environ,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok _data"
    cli = subprocess.run([str(python), "-m", "npstudy", "validate"], cwd=tmp_path, env=environ,
                         capture_output=True, text=True)
    assert cli.returncode == 0 and "OK" in cli.stdout
