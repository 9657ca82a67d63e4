"""Installs tfvgan: video GANs for TensorFlow 2 / Keras 3."""

import pathlib
import re

from setuptools import find_packages, setup

HERE = pathlib.Path(__file__).parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"', (HERE / "tfvgan" / "__init__.py").read_text(), re.M
).group(1)


def _requirements():
    lines = (HERE / "requirements.txt").read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


setup(
    name="tfvgan",
    version=VERSION,
    description="Video GANs (conditional, temporal, 3D-conv, recurrent) for TensorFlow 2 / Keras 3",
    long_description=(HERE / "README.md").read_text(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["tfvgan", "tfvgan.*"]),
    # The pretrained presets (tfvgan.pretrained): weights + metadata.
    package_data={"tfvgan": ["pretrained_weights/*.json", "pretrained_weights/*.npz"]},
    install_requires=_requirements(),
    extras_require={
        "test": [
            "pytest>=8",
            # The README's test command runs the suite on every core (-n auto).
            "pytest-xdist>=3.5",
            "scipy",
            "tensorflow-serving-api",
            "hypothesis",
            "jupytext",
            "nbclient",
            "nbformat",
            "ipykernel",
            "matplotlib",
            "selenium>=4.10",
        ],
        # tfvgan-demo: the interactive page (tfvgan.demo).
        "demo": ["gradio>=6,<7"],
        "docs": [
            "mkdocs>=1.6",
            "mkdocs-material>=9.5",
            "mkdocstrings[python]>=0.26",
            "mkdocs-jupyter>=0.25",
        ],
        "dev": ["ruff", "pre-commit", "pytest>=8", "import-linter>=2.1"],
    },
    entry_points={
        "console_scripts": [
            "tfvgan-train=tfvgan.cli.train:main",
            "tfvgan-sample=tfvgan.cli.sample:main",
            "tfvgan-export=tfvgan.cli.export:main",
            "tfvgan-eval=tfvgan.cli.evaluate:main",
            "tfvgan-demo=tfvgan.cli.demo:main",
        ]
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
