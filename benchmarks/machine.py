"""Which CPU a benchmark ran on: model name, SIMD level and core count, as one line.

    python -m benchmarks.machine

onnxruntime's kernels run about 4x faster per face on a CPU with AVX-512 than on one with only
AVX2 (docs/performance.md), and int8 kernels gain most where VNNI exists, so every figure a benchmark prints
must say which kind of CPU it came from. ``describe_cpu()`` gives e.g.
"AMD EPYC 7B13 (AVX2, no AVX-512), 2 cores". Reads ``/proc/cpuinfo`` on Linux, ``sysctl`` on
macOS and the registry or ``platform.processor()`` on Windows; it never fails, it says "unknown".
"""

from __future__ import annotations

import importlib
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

CPUINFO = Path("/proc/cpuinfo")


def _cpuinfo_fields(text: str) -> dict[str, str]:
    """The first processor's ``key: value`` fields of a /proc/cpuinfo text (keys lower-case)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break  # end of the first processor's block
            continue
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip().lower(), value.strip())
    return fields


def simd_level(flags: set[str], machine: str = "") -> str:
    """The widest SIMD level in a set of CPU flags (Linux /proc/cpuinfo or macOS sysctl names),
    e.g. "AVX-512, VNNI", "AVX2, no AVX-512", "NEON"."""
    lower = {flag.lower().replace(".", "_") for flag in flags}
    arm = machine.lower() in ("arm64", "aarch64") or machine.lower().startswith("arm")
    if arm or "asimd" in lower or "neon" in lower:
        extra = ", dot-product" if {"asimddp", "feat_dotprod"} & lower else ""
        return f"NEON{extra}"
    if "avx512f" in lower:
        vnni = ", VNNI" if {"avx512_vnni", "avx512vnni"} & lower else ", no VNNI"
        return f"AVX-512{vnni}"
    if "avx2" in lower:
        vnni = ", AVX-VNNI" if {"avx_vnni", "avxvnni"} & lower else ""
        return f"AVX2{vnni}, no AVX-512"
    if "avx" in lower or "avx1_0" in lower:
        return "AVX, no AVX2"
    if {"sse4_2", "sse4_1"} & lower:
        return "SSE4, no AVX"
    return "no AVX" if lower else "SIMD level unknown"


# numpy's names for what its own CPUID probe found, as /proc/cpuinfo spells them.
_NUMPY_FLAGS = {
    "AVX512F": "avx512f",
    "AVX512VNNI": "avx512_vnni",
    "AVX2": "avx2",
    "AVX": "avx",
    "SSE42": "sse4_2",
    "SSE41": "sse4_1",
    "ASIMD": "asimd",
    "ASIMDDP": "asimddp",
    "NEON": "neon",
}


def runtime_flags() -> set[str] | None:
    """SIMD flags as this process sees them (numpy asks CPUID and the OS itself), or None.

    Preferred to /proc/cpuinfo, which shows the host's flags even where the process runs under
    an emulator that hides some (``qemu-x86_64 -cpu EPYC-Milan`` shows no AVX-512 to the
    program, but /proc/cpuinfo still lists it) -- and onnxruntime picks its kernels by CPUID."""
    features: dict[str, bool] | None = None
    for module in ("numpy._core._multiarray_umath", "numpy.core._multiarray_umath"):  # numpy 2, numpy 1
        try:
            features = getattr(importlib.import_module(module), "__cpu_features__", None)
        except ImportError:
            continue
        if features is not None:
            break
    if features is None:
        return None
    return {flag for name, flag in _NUMPY_FLAGS.items() if features.get(name)}


def _linux() -> tuple[str, str] | None:
    try:
        text = CPUINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = _cpuinfo_fields(text)
    model = fields.get("model name") or fields.get("hardware") or fields.get("processor") or ""
    if not model or model.isdigit():
        model = fields.get("cpu model", "") or platform.processor() or "unknown CPU"
    if not any(ch.isdigit() for ch in model) and "cpu family" in fields and "model" in fields:
        # Virtual machines often hide the model number ("AMD EPYC"); family/model still tell
        # the generation (AMD family 25 model 17 is Zen 4).
        model = f"{model} family {fields['cpu family']} model {fields['model']}"
    flags = set((fields.get("flags") or fields.get("features") or "").split())
    seen = runtime_flags()
    if seen is not None:
        # numpy has no name for AVX-VNNI (the 256-bit VNNI of Intel CPUs without AVX-512).
        flags = seen | ({"avx_vnni"} & flags if "avx2" in seen else set())
    return model, simd_level(flags, platform.machine())


def _sysctl(name: str) -> str:
    try:
        done = subprocess.run(["sysctl", "-n", name], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _macos() -> tuple[str, str]:
    model = _sysctl("machdep.cpu.brand_string") or platform.processor() or "unknown CPU"
    flags = set(_sysctl("machdep.cpu.features").split()) | set(_sysctl("machdep.cpu.leaf7_features").split())
    if platform.machine().lower() == "arm64":
        return model, "NEON"
    return model, simd_level({f.replace(".", "_") for f in flags}, platform.machine())


def _windows_brand() -> str:
    """The marketing name ("Intel(R) Core(TM) i5-1235U"); platform.processor() gives only
    "Intel64 Family 6 Model 154 Stepping 4, GenuineIntel"."""
    try:
        winreg: Any = importlib.import_module("winreg")
        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"HARDWARE\DESCRIPTION\System\CentralProcessor\0")
        with key:
            return str(winreg.QueryValueEx(key, "ProcessorNameString")[0]).strip()
    except (ImportError, OSError):
        return ""


def _windows() -> tuple[str, str]:
    model = _windows_brand() or platform.processor() or os.environ.get("PROCESSOR_IDENTIFIER", "") or "unknown CPU"
    machine = platform.machine()
    if machine.lower() in ("arm64", "aarch64"):
        return model, "NEON"
    return model, _windows_simd()


def _windows_simd() -> str:
    """IsProcessorFeaturePresent knows AVX2 (40) and AVX-512F (41) on Windows 10 and later."""
    try:
        import ctypes

        present = ctypes.windll.kernel32.IsProcessorFeaturePresent  # type: ignore[attr-defined]
        if present(41):
            return "AVX-512"
        if present(40):
            return "AVX2, no AVX-512"
        if present(39):
            return "AVX, no AVX2"
        if present(38):
            return "SSE4, no AVX"
    except (AttributeError, OSError):
        pass
    return "SIMD level unknown"


def describe_cpu() -> str:
    """The CPU model, its SIMD level and the core count, e.g. "AMD EPYC 7B13 (AVX2, no AVX-512), 2 cores"."""
    system = platform.system()
    found: tuple[str, str] | None = None
    if system == "Linux":
        found = _linux()
    elif system == "Darwin":
        found = _macos()
    elif system == "Windows":
        found = _windows()
    if found is None:
        found = (platform.processor() or platform.machine() or "unknown CPU", "SIMD level unknown")
    model, simd = found
    model = " ".join(model.split())
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)
    return f"{model} ({simd}), {cores} core{'s' if cores != 1 else ''}"


def cpu_line() -> str:
    """``describe_cpu()`` as the line benchmarks print above their figures."""
    return f"CPU: {describe_cpu()}"


if __name__ == "__main__":
    print(cpu_line())
