#include "core/encoding.h"

#include <gtest/gtest.h>

namespace nimbus {
namespace {

TEST(EncodingTest, HexRoundTrip) {
  EXPECT_EQ(Hex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(*Unhex("00ff10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(Unhex("abc").has_value());
  EXPECT_FALSE(Unhex("zz").has_value());
}

TEST(EncodingTest, Base64RoundTripsEveryLength) {
  std::string data;
  for (int i = 0; i < 40; ++i) {
    data.push_back(static_cast<char>(i * 37));
    auto decoded = Base64Decode(Base64Encode(data));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, data);
  }
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
}

TEST(EncodingTest, Base64RejectsGarbage) {
  EXPECT_FALSE(Base64Decode("abc").has_value());
  EXPECT_FALSE(Base64Decode("ab=c").has_value());
  EXPECT_FALSE(Base64Decode("a b=").has_value());
  EXPECT_EQ(*Base64Decode(""), "");
}

TEST(EncodingTest, UriEncodeMatchesSigV4Rules) {
  EXPECT_EQ(UriEncode("a b/c:d~e", false), "a%20b%2Fc%3Ad~e");
  EXPECT_EQ(UriEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(PercentDecode("a%3Ab+c%zz"), "a:b+c%zz");
  EXPECT_EQ(FormDecode("a+b%21"), "a b!");
}

}  // namespace
}  // namespace nimbus
