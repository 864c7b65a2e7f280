// Text from captures and label files, made safe to print for people (tables, reports on stderr).
#pragma once

#include <string>
#include <string_view>

namespace sg {

// Attacker-chosen text must not drive the terminal that shows it: ESC starts colour, cursor, title and
// clipboard sequences (some terminals answer them into the shell's input), CR and BS overwrite what was
// printed before, BEL rings, NUL truncates, TAB and LF break the columns of a table, and bidirectional
// overrides make a line read differently from its bytes. Those (C0, DEL, C1, U+202A..E, U+2066..9) and
// every byte that is not valid UTF-8 become the four characters \xNN, one per byte; other valid UTF-8 is
// kept as it is, so names in any script still read as names.
std::string term_safe(std::string_view s);

}  // namespace sg
