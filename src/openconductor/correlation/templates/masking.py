"""Masking of obvious variables in alert text (ids, numbers, addresses, paths, quoted and key=value values).

One generic rule set for every source tool: OpenConductor never needs per-tool regexes to recognise alert kinds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

WILDCARD = "<*>"

# Kubernetes generates pod suffixes from an alphabet without vowels and without 0, 1, 3, 8, so a suffix made
# only of these characters is almost never an English word even when it has no digit.
_K8S_SAFE = "[bcdfghjklmnpqrstvwxz2456789]"

# Alternatives are tried left to right at each position, so the specific shapes come before the generic
# "anything with a digit" rule. Each alternative is named so that quoted and key=value masks keep their frame.
_MASK_PATTERN = re.compile(
    "|".join(
        (
            r"(?P<literal><\*>)",
            r"(?P<url>\b[A-Za-z][A-Za-z0-9+.-]{1,15}://[^\s\"'<>]+)",
            r"(?P<email>\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+)",
            r"(?P<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)",
            r"(?P<mac>\b[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}\b)",
            r"(?P<ipv4>(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![\w.]))",
            r"(?P<ipv6>(?<![\w:])(?:[0-9a-fA-F]{1,4}:){2,7}(?::|[0-9a-fA-F]{1,4})(?![\w:]))",
            r"(?P<winpath>\b[A-Za-z]:\\[^\s\"']*)",
            r"(?P<path>(?<![\w.~/-])(?:/[\w.@%+~:,-]+)+/?)",
            r"(?<![\w'\"])\"(?P<dquoted>[^\"\s]{1,200})\"(?![\w\"])",
            r"(?<![\w'\"])'(?P<squoted>[^'\s]{1,200})'(?![\w'])",
            r"(?<=\w=)(?P<kvalue>[^\s,;&)\]}\"'=]+)",
            rf"(?<=[a-z0-9]-)(?P<pod>{_K8S_SAFE}{{6,10}}-{_K8S_SAFE}{{5}}|{_K8S_SAFE}{{5}})(?![\w-])",
            r"(?P<hex>\b0[xX][0-9a-fA-F]+\b)",
            # Tokens joined by . : _ / - whose parts carry digits are one value (versions, times, pod suffixes).
            r"(?P<number>(?<![\w])[-+]?[A-Za-z0-9]*\d[A-Za-z0-9]*(?:[.:_/-][A-Za-z0-9]*\d[A-Za-z0-9]*)*"
            r"|[A-Za-z0-9]*\d[A-Za-z0-9]*(?:[.:_/-][A-Za-z0-9]*\d[A-Za-z0-9]*)*)",
        )
    )
)
_QUOTED_FRAME = {"dquoted": '"', "squoted": "'"}
# Characters without which no alternative above can match (the pod suffix needs "-", quoted values a quote).
_MAY_HOLD_VARIABLE = re.compile(r"[0-9/\\='\"@<:-]")


@dataclass(frozen=True)
class MaskedText:
    """The text's whitespace tokens with variables replaced by `<*>`, and the masked values per token."""

    tokens: tuple[str, ...]
    values: tuple[tuple[str, ...], ...]

    def original_token(self, index: int) -> str:
        """The token as it was written, with its masked values put back."""
        parts = self.tokens[index].split(WILDCARD)
        values = self.values[index]
        rebuilt = [parts[0]]
        for position, part in enumerate(parts[1:]):
            rebuilt.append(values[position] if position < len(values) else WILDCARD)
            rebuilt.append(part)
        return "".join(rebuilt)


def mask_text(text: str) -> MaskedText:
    """Replace variable parts of `text` by `<*>`, keeping the masked values in order for parameters."""
    tokens: list[str] = []
    values: list[tuple[str, ...]] = []
    # Every mask lives inside one whitespace token, so plain words are skipped without running the regex.
    for token in text.split():
        if _MAY_HOLD_VARIABLE.search(token) is None:
            tokens.append(token)
            values.append(())
            continue
        masked, found = _mask_token(token)
        tokens.append(masked)
        values.append(found)
    return MaskedText(tokens=tuple(tokens), values=tuple(values))


# Distinct titles are many (a host or a number in each) but their tokens repeat ("[P2]", "p99", "2s", a
# host's id across its alert kinds: 13,370 tokens to mask in the enterprise simulation's 6,902 titles, 3,341
# of them distinct), and a token's mask depends on the token alone: each is worked out once while recent.
@lru_cache(maxsize=16_384)
def _mask_token(token: str) -> tuple[str, tuple[str, ...]]:
    """The token with its variables replaced by `<*>`, and the values replaced, in order."""
    found: list[str] = []

    def replace(match: re.Match[str]) -> str:
        kind = match.lastgroup or "number"
        frame = _QUOTED_FRAME.get(kind)
        if frame is not None:
            found.append(match.group(kind))
            return f"{frame}{WILDCARD}{frame}"
        found.append(match.group(0))
        return WILDCARD

    return _MASK_PATTERN.sub(replace, token), tuple(found)
