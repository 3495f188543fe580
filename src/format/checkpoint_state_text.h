// Text helpers of the `checkpoint` state file: the exact spellings Python
// uses (protobuf text_format, repr) so that our output is byte-identical to
// TensorFlow's. The public printer/parser are declared in
// include/ckpt/checkpoint_state.h; these pieces are shared with the state
// file module and its tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ckpt::format {

// Python repr(float): shortest round-trip digits; fixed notation with at
// least one fractional digit ("1712345678.0", "0.0001") when the decimal
// exponent is in [-4, 15], else "1e+16" / "1.5e-05"; "inf", "-inf", "nan".
std::string PyFloatRepr(double v);

// Python repr(str) of a UTF-8 string (used only in error messages): single
// quotes unless the text contains ' and no ", backslash escapes for the
// quote, \\, \t, \n, \r and \xNN for other control bytes. Bytes >= 0x80 are
// copied through.
std::string PyStrRepr(std::string_view s);

// Python repr of a list of strings / floats: "['a', 'b']", "[1.0, 2.5]".
std::string PyListRepr(const std::vector<std::string>& v);
std::string PyListRepr(const std::vector<double>& v);

// Python protobuf text_format string escaping with as_utf8=True (the
// default of the protobuf release TensorFlow 2.21 uses): printable ASCII
// as-is except " ' \ -> \" \' \\; \n \r \t; other ASCII control bytes as
// 3-digit octal; well-formed UTF-8 sequences copied unchanged; any byte that
// is not part of well-formed UTF-8 as 3-digit octal.
std::string TextFormatEscape(std::string_view bytes);

}  // namespace ckpt::format
