#include "ckpt/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace ckpt {
namespace {

// Decodes the whole of `s` as one sequence: the code point, or -1 when `s`
// is not exactly one well-formed sequence.
int64_t DecodeOne(const std::string& s) {
  size_t pos = 0;
  uint32_t cp = 0;
  if (!DecodeUtf8(s, &pos, &cp)) {
    EXPECT_EQ(pos, 1u) << "a failed decode moves on by one byte";
    return -1;
  }
  return pos == s.size() ? static_cast<int64_t>(cp) : -1;
}

bool IsScalarValue(uint32_t cp) { return cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF); }

TEST(Utf8, EncodeDecodeRoundTripForEveryScalarValue) {
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (!IsScalarValue(cp)) continue;
    std::string s;
    AppendUtf8(cp, &s);
    ASSERT_EQ(s.size(), cp < 0x80 ? 1u : cp < 0x800 ? 2u : cp < 0x10000 ? 3u : 4u) << cp;
    ASSERT_EQ(DecodeOne(s), cp) << cp;
    ASSERT_TRUE(IsValidUtf8(s)) << cp;
  }
}

// Every 2- and 3-byte string (lead byte >= 0x80) is well-formed exactly when
// it is the encoding of the scalar value it spells: this rules out overlong
// forms, surrogates and stray continuation bytes without a second decoder.
TEST(Utf8, ShortSequencesAreWellFormedExactlyWhenCanonical) {
  for (uint32_t b0 = 0x80; b0 <= 0xFF; ++b0) {
    for (uint32_t b1 = 0; b1 <= 0xFF; ++b1) {
      const std::string two{static_cast<char>(b0), static_cast<char>(b1)};
      const int64_t cp = DecodeOne(two);
      if (cp >= 0) {
        std::string again;
        AppendUtf8(static_cast<uint32_t>(cp), &again);
        EXPECT_EQ(again, two);
      } else {
        EXPECT_FALSE(b0 >= 0xC2 && b0 <= 0xDF && b1 >= 0x80 && b1 <= 0xBF) << b0 << " " << b1;
      }
      if (b0 < 0xE0 || b0 > 0xEF) continue;
      for (uint32_t b2 = 0; b2 <= 0xFF; ++b2) {
        const std::string three = two + static_cast<char>(b2);
        const uint32_t spelled = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
        const bool canonical = (b1 & 0xC0) == 0x80 && (b2 & 0xC0) == 0x80 && spelled >= 0x800 && IsScalarValue(spelled);
        EXPECT_EQ(DecodeOne(three), canonical ? static_cast<int64_t>(spelled) : -1) << b0 << " " << b1 << " " << b2;
      }
    }
  }
}

TEST(Utf8, FourByteBoundaries) {
  EXPECT_EQ(DecodeOne("\xf0\x90\x80\x80"), 0x10000);
  EXPECT_EQ(DecodeOne("\xf4\x8f\xbf\xbf"), 0x10FFFF);
  EXPECT_EQ(DecodeOne("\xf0\x9f\x98\x80"), 0x1F600);
  EXPECT_EQ(DecodeOne("\xf0\x8f\xbf\xbf"), -1);  // overlong U+FFFF
  EXPECT_EQ(DecodeOne("\xf4\x90\x80\x80"), -1);  // U+110000
  EXPECT_EQ(DecodeOne("\xf5\x80\x80\x80"), -1);  // lead byte beyond F4
  EXPECT_EQ(DecodeOne("\xf0\x90\x80\x7f"), -1);  // last byte not a continuation
  EXPECT_EQ(DecodeOne("\xf0\x90\x80"), -1);      // cut short
  EXPECT_EQ(DecodeOne("\xc0\x80"), -1);          // overlong NUL
  EXPECT_EQ(DecodeOne("\xed\xa0\x80"), -1);      // surrogate U+D800
}

TEST(Utf8, FindInvalidGivesTheFirstBadByte) {
  constexpr size_t kOk = std::string_view::npos;
  EXPECT_EQ(FindInvalidUtf8(""), kOk);
  EXPECT_EQ(FindInvalidUtf8("plain ascii"), kOk);
  EXPECT_EQ(FindInvalidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), kOk);
  EXPECT_EQ(FindInvalidUtf8(std::string_view("a\0b", 3)), kOk);  // NUL is a character
  EXPECT_EQ(FindInvalidUtf8("ab\xc3"), 2u);
  EXPECT_EQ(FindInvalidUtf8("\x80"), 0u);
  EXPECT_EQ(FindInvalidUtf8("ok\xe2\x82\xac\xff"), 5u);
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));
}

TEST(Utf8, DecodingSkipsOneByteOfABrokenSequence) {
  // "\xe2\x82" is a cut-short euro sign followed by 'x': two bad bytes, then 'x'.
  const std::string s = "\xe2\x82x";
  size_t pos = 0;
  uint32_t cp = 0;
  EXPECT_FALSE(DecodeUtf8(s, &pos, &cp));
  EXPECT_EQ(pos, 1u);
  EXPECT_FALSE(DecodeUtf8(s, &pos, &cp));
  EXPECT_EQ(pos, 2u);
  EXPECT_TRUE(DecodeUtf8(s, &pos, &cp));
  EXPECT_EQ(cp, uint32_t{'x'});
  EXPECT_EQ(pos, 3u);
}

TEST(Utf8, AppendEncodesSurrogatesAsThreeBytes) {
  // A lone surrogate (a lenient JSON reader may pass one on) is encoded, not dropped.
  std::string s;
  AppendUtf8(0xDC00, &s);
  EXPECT_EQ(s, "\xed\xb0\x80");
  EXPECT_FALSE(IsValidUtf8(s));
}

}  // namespace
}  // namespace ckpt
