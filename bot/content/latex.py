"""Show inline TeX (`$\\text{depth} = \\alpha_\\phi$`) as readable Unicode (`depth = α_φ`).

Only the table's subset is translated; TeX with any other command (`\\frac{a}{b}`) is kept
as written, `$` included, and the parser warns (`unrenderable`), since dropping the command
would show a different formula (`fracab`).

Braces that group keep their meaning: the argument of `^`, `_` or `\\sqrt` becomes superscript
or subscript characters when every character has one (`x^{2}` → `x²`, `a_{ij}` → `aᵢⱼ`), else
stays one piece: `x^{2k}` → `x^(2k)`, `\\sqrt{x^2+y^2}` → `√(x²+y²)`; a one-character argument
needs no parentheses (`e^{\\pi}` → `e^π`, `\\sqrt{2}` → `√2`). Superscript letters are only the
true ones (ⁱ, ⁿ): the other modifier letters (ᵏ) read as small raised letters in many fonts.
Braces that group nothing (`{abc}`) are dropped.
"""

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
_SCRIPTS = {
    "^": dict(zip("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ", strict=True)),
    "_": dict(zip("0123456789+-=()aehijklmnoprstuvx",
                  "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)),
}  # fmt: skip
_SCRIPT_CHARS = "".join(c for table in _SCRIPTS.values() for c in table.values())
_ATOM = re.compile(rf"(?:\d+(?:\.\d+)?|\S)[{re.escape(_SCRIPT_CHARS)}]*")  # √ needs no (…)
_ESCAPES = {",": " ", "{": "{", "}": "}"}  # `\,` a thin space, `\{` a brace shown
_TEXT_COMMAND = re.compile(r"\\(?:text|mathrm|mathbf|mathit|operatorname)\{([^{}]*)\}")
_COMMAND = re.compile(r"\\([A-Za-z]+)")
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)")


def unrenderable(tex: str) -> list[str]:
    """The commands in `tex` that `tex_to_text` has no rendering for (`["frac"]`)."""
    names = _COMMAND.findall(_TEXT_COMMAND.sub("", tex))
    return [name for name in names if name not in _SYMBOLS]


def tex_to_text(tex: str) -> str:
    """Translate the small subset of TeX that newsletters use (check `unrenderable` first)."""
    return _render(_TEXT_COMMAND.sub(lambda m: m.group(1), tex))


def _render(tex: str) -> str:
    out: list[str] = []
    at = 0
    while at < len(tex):
        char = tex[at]
        if char in _SCRIPTS:
            argument, at = _argument(tex, at + 1)
            out.append(_script(char, argument))
        elif char == "\\" and (command := _COMMAND.match(tex, at)):
            at = command.end()
            if command.group(1) == "sqrt":
                argument, at = _argument(tex, at)
                whole = not argument or _ATOM.fullmatch(argument)
                out.append("√" + (argument if whole else f"({argument})"))
            else:
                out.append(_SYMBOLS.get(command.group(1), command.group(1)))
        elif char == "\\" and tex[at + 1 : at + 2] in _ESCAPES:
            out.append(_ESCAPES[tex[at + 1]])
            at += 2
        elif char == "{":
            inner, at = _group(tex, at)
            out.append(_render(inner))  # braces that group nothing are dropped
        else:
            out.append("" if char == "}" else char)  # an unmatched `}` is dropped too
            at += 1
    return "".join(out)


def _argument(tex: str, at: int) -> tuple[str, int]:
    """The rendered argument that starts at `at` (a `{…}` group, a command or one character;
    "" at the end) and where it ends."""
    while at < len(tex) and tex[at] == " ":
        at += 1
    if at == len(tex):
        return "", at
    if tex[at] == "{":
        inner, end = _group(tex, at)
        return _render(inner).strip(), end
    command = _COMMAND.match(tex, at)
    end = command.end() if command else at + (2 if tex[at] == "\\" else 1)
    return _render(tex[at:end]), end


def _group(tex: str, at: int) -> tuple[str, int]:
    """The text inside the `{` at `at` and the index after its `}` (the end if unclosed)."""
    depth, i = 0, at
    while i < len(tex):
        if tex[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        if depth == 0:
            return tex[at + 1 : i], i + 1
        i += 1
    return tex[at + 1 :], len(tex)


def _script(mark: str, argument: str) -> str:
    """`argument` raised or lowered: in script characters if each has one, else after `mark`,
    in parentheses when it is more than one character."""
    table = _SCRIPTS[mark]
    chars = argument.replace(" ", "")
    if chars and all(c in table for c in chars):
        return "".join(table[c] for c in chars)
    return mark + (argument if len(argument) <= 1 else f"({argument})")
