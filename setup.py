"""The package list and a ``build_py`` that keeps the model build scripts out of the wheel;
everything else is in pyproject.toml.

``fidelity._shipped`` is the repository's ``models/`` folder (the shipped model, Punkt
parameters and word lists), which also holds the scripts that build those files
(``models/build.py``, ``_train.py``, ...).  setuptools would install every ``*.py`` of a
package's folder, and pyproject.toml cannot leave modules out, so this ``build_py`` does.
pyproject.toml cannot list ``fidelity``'s subpackages by discovery beside a package mapped to
another folder either, so :func:`packages` finds them here (a new one ships without a line).
"""

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

#: Packages whose folder ships data files only.
DATA_ONLY = ("fidelity._shipped",)


def packages() -> list[str]:
    """``fidelity`` and each of its subpackages (folders with ``__init__.py``), and the data."""
    return sorted(find_packages(include=["fidelity", "fidelity.*"])) + list(DATA_ONLY)


class BuildPy(build_py):
    """``build_py`` that builds no module of the :data:`DATA_ONLY` packages."""

    def find_package_modules(self, package, package_dir):
        if package in DATA_ONLY:
            return []
        return super().find_package_modules(package, package_dir)


if __name__ == "__main__":  # also how setuptools' build backend runs this file
    setup(packages=packages(), cmdclass={"build_py": BuildPy})
