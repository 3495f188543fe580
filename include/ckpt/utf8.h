// UTF-8 checks and coding, as the library applies them to names and strings
// (state file paths, safetensors and npz member names, JSON text), exported so
// that the CLI and the bindings judge text exactly the way the library does.
//
// "Well-formed" is RFC 3629 / Unicode table 3-7: no overlong forms, no
// surrogate code points (U+D800..U+DFFF), nothing above U+10FFFF, and no
// sequence cut short by the end of the text.
//
// All functions are pure (no state, no allocation except in AppendUtf8's
// output) and safe to call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ckpt/export.h"

namespace ckpt {

// Decodes the well-formed UTF-8 sequence that starts at text[*pos]: stores
// its code point in *code_point, moves *pos past it and returns true. When
// no well-formed sequence starts there, returns false and moves *pos on by
// one byte only, so a caller that replaces bad bytes (with U+FFFD, or an
// escape) replaces each byte of a broken sequence once. Requires
// *pos < text.size().
CKPT_EXPORT bool DecodeUtf8(std::string_view text, size_t* pos, uint32_t* code_point);

// Offset of the first byte of `text` that is not part of a well-formed UTF-8
// sequence, or std::string_view::npos when the whole text is well-formed.
CKPT_EXPORT size_t FindInvalidUtf8(std::string_view text);

// True when the whole of `text` is well-formed UTF-8 (the empty text is).
inline bool IsValidUtf8(std::string_view text) { return FindInvalidUtf8(text) == std::string_view::npos; }

// Appends the UTF-8 encoding of `code_point` (1 to 4 bytes) to *out. The
// caller passes a code point no larger than U+10FFFF; a surrogate is encoded
// like any other value below U+10000 (3 bytes), which is not well-formed
// UTF-8, so callers that must produce well-formed text reject those first.
CKPT_EXPORT void AppendUtf8(uint32_t code_point, std::string* out);

}  // namespace ckpt
