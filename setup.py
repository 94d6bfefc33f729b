"""Build hook only (the metadata is in pyproject.toml): the wheel carries compiled catalogs.

The .mo files are not in the repository; ``build_py`` compiles every app's .po with
polib (a build requirement) before setuptools collects ``locale/**/*`` as package data.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogs(build_py):
    def run(self) -> None:
        root = Path(__file__).resolve().parent
        spec = importlib.util.spec_from_file_location("catalogs", root / "clinic" / "catalogs.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.compile_all(root)
        super().run()


setup(cmdclass={"build_py": BuildPyWithCatalogs})
