#include "base/coding.h"

#include <gtest/gtest.h>

#include <string>

namespace ckpt::coding {
namespace {

TEST(Coding, FixedWidthIsLittleEndian) {
  std::string s;
  PutFixed16(&s, 0x0102);
  PutFixed32(&s, 0x03040506u);
  PutFixed64(&s, 0x0708090a0b0c0d0eull);
  EXPECT_EQ(s, std::string("\x02\x01\x06\x05\x04\x03\x0e\x0d\x0c\x0b\x0a\x09\x08\x07", 14));
  EXPECT_EQ(DecodeFixed16(s.data()), 0x0102);
  EXPECT_EQ(DecodeFixed32(s.data() + 2), 0x03040506u);
  EXPECT_EQ(DecodeFixed64(s.data() + 6), 0x0708090a0b0c0d0eull);
}

TEST(Coding, EncodeIntoABufferMatchesPut) {
  char buf[8];
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0x80}, uint64_t{0xffffffff}, uint64_t{0x8000000000000000},
                     ~uint64_t{0}}) {
    std::string put;
    PutFixed64(&put, v);
    EncodeFixed64(buf, v);
    EXPECT_EQ(std::string(buf, 8), put);
    EXPECT_EQ(DecodeFixed64(buf), v);
    const auto v32 = static_cast<uint32_t>(v);
    EncodeFixed32(buf, v32);
    EXPECT_EQ(DecodeFixed32(buf), v32);
    const auto v16 = static_cast<uint16_t>(v);
    EncodeFixed16(buf, v16);
    EXPECT_EQ(DecodeFixed16(buf), v16);
  }
}

TEST(Coding, HighBytesDecodeWithoutSignExtension) {
  const std::string ff(8, '\xff');
  EXPECT_EQ(DecodeFixed16(ff.data()), 0xffff);
  EXPECT_EQ(DecodeFixed32(ff.data()), 0xffffffffu);
  EXPECT_EQ(DecodeFixed64(ff.data()), ~uint64_t{0});
  const std::string high("\x80\x00\x00\x80", 4);
  EXPECT_EQ(DecodeFixed32(high.data()), 0x80000080u);
}

TEST(Coding, VarintRoundTripAndLength) {
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{300}, uint64_t{1} << 35, ~uint64_t{0}}) {
    std::string s;
    PutVarint64(&s, v);
    EXPECT_EQ(static_cast<int>(s.size()), VarintLength(v));
    const char* p = s.data();
    uint64_t got = 0;
    ASSERT_TRUE(GetVarint64(&p, s.data() + s.size(), &got));
    EXPECT_EQ(got, v);
    EXPECT_EQ(p, s.data() + s.size());
  }
}

TEST(Coding, VarintDecodingStopsAtTheLimitAndRejectsOverflow) {
  std::string s;
  PutVarint64(&s, 300);
  const char* p = s.data();
  uint64_t v = 0;
  EXPECT_FALSE(GetVarint64(&p, s.data() + 1, &v));  // cut short
  const std::string too_long(10, '\xff');
  p = too_long.data();
  EXPECT_FALSE(GetVarint64(&p, too_long.data() + too_long.size(), &v));
  const std::string overflow = std::string(9, '\xff') + '\x02';  // bit 64 set
  p = overflow.data();
  EXPECT_FALSE(GetVarint64(&p, overflow.data() + overflow.size(), &v));
}

}  // namespace
}  // namespace ckpt::coding
