"""Keeps the model build scripts out of the wheel; everything else is in pyproject.toml.

``fidelity._shipped`` is the repository's ``models/`` folder (the shipped model, Punkt
parameters and word lists), which also holds the scripts that build those files
(``models/build.py``, ``_train.py``, ...).  setuptools would install every ``*.py`` of a
package's folder, and pyproject.toml cannot leave modules out, so this ``build_py`` does.
"""

from setuptools import setup
from setuptools.command.build_py import build_py

#: Packages whose folder ships data files only.
DATA_ONLY = ("fidelity._shipped",)


class BuildPy(build_py):
    """``build_py`` that builds no module of the :data:`DATA_ONLY` packages."""

    def find_package_modules(self, package, package_dir):
        if package in DATA_ONLY:
            return []
        return super().find_package_modules(package, package_dir)


setup(cmdclass={"build_py": BuildPy})
