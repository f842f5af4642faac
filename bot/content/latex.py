"""Show inline TeX (`$\\text{depth} = \\alpha_\\phi$`) as readable Unicode (`depth = α_φ`).

Only the table's subset is translated; TeX with any other command (`\\frac{a}{b}`) is kept
as written, `$` included, and the parser warns (`unrenderable`), since dropping the command
would show a different formula (`fracab`)."""

from __future__ import annotations

import re

_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ",
    "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "cdot": "·", "times": "×", "approx": "≈", "neq": "≠", "ne": "≠", "leq": "≤", "le": "≤",
    "geq": "≥", "ge": "≥", "infty": "∞", "sum": "∑", "prod": "∏", "in": "∈", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "pm": "±", "sqrt": "√", "partial": "∂", "nabla": "∇",
}  # fmt: skip
_SUPERSCRIPTS = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_TEXT_COMMAND = re.compile(r"\\(?:text|mathrm|mathbf|mathit|operatorname)\{([^{}]*)\}")
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_SUPERSCRIPT = re.compile(r"\^(\{[0-9+\-=()n]+\}|[0-9n])")
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)")


def unrenderable(tex: str) -> list[str]:
    """The commands in `tex` that `tex_to_text` has no rendering for (`["frac"]`)."""
    names = _COMMAND.findall(_TEXT_COMMAND.sub("", tex))
    return [name for name in names if name not in _SYMBOLS]


def tex_to_text(tex: str) -> str:
    """Translate the small subset of TeX that newsletters use (check `unrenderable` first)."""
    out = _TEXT_COMMAND.sub(lambda m: m.group(1), tex)
    out = _SUPERSCRIPT.sub(lambda m: m.group(1).strip("{}").translate(_SUPERSCRIPTS), out)
    out = _COMMAND.sub(lambda m: _SYMBOLS.get(m.group(1), m.group(1)), out)
    return out.replace("{", "").replace("}", "").replace("\\,", " ")
