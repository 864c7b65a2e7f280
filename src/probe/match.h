// Service detection verdicts. Detection runs on a stream prefix that may still be growing (scanners and
// evasion tests send one byte per segment), so "not decided yet" is an answer of its own.
#pragma once

namespace sg {

enum class Match { no, need_more, yes };

}  // namespace sg
