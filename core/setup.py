"""Builds the C++ search core with the compiler on the machine (g++ from Debian)."""

from pybind11.setup_helpers import Pybind11Extension, build_ext
from setuptools import setup

setup(
    ext_modules=[
        Pybind11Extension(
            "beredt_core._core",
            ["src/beredt_core/core.cpp", "src/beredt_core/pricing.cpp"],
            cxx_std=17,
            extra_compile_args=["-O2"],
        )
    ],
    cmdclass={"build_ext": build_ext},
)
