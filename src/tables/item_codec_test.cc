#include "tables/item_codec.h"

#include <gtest/gtest.h>

#include <random>

namespace nimbus::tables {
namespace {

Value N(const std::string& text) {
  return Value::N(*Decimal::Parse(text));
}

Value RandomValue(std::mt19937_64& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 3 ? 7 : 9), small(0, 4), byte(0, 255);
  auto bytes = [&] {
    std::string s;
    int n = small(rng);
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(byte(rng)));
    return s;
  };
  auto number = [&] {
    return N(std::to_string(byte(rng) - 128) + "e" + std::to_string(small(rng) - 2));
  };
  switch (kind(rng)) {
    case 0:
      return Value::S(bytes());
    case 1:
      return number();
    case 2:
      return Value::B(bytes());
    case 3:
      return Value::Bool(small(rng) % 2 == 0);
    case 4:
      return Value::Null();
    case 5:
      return Value::SS({bytes(), bytes()});
    case 6:
      return Value::NS({number().n(), number().n()});
    case 7:
      return Value::BS({bytes(), bytes(), bytes()});
    case 8: {
      Value::List l;
      int n = small(rng);
      for (int i = 0; i < n; ++i) l.push_back(RandomValue(rng, depth + 1));
      return Value::L(std::move(l));
    }
    default: {
      Value::Map m;
      int n = small(rng);
      for (int i = 0; i < n; ++i) m.emplace(bytes(), RandomValue(rng, depth + 1));
      return Value::M(std::move(m));
    }
  }
}

Item RandomItem(std::mt19937_64& rng) {
  Item item;
  std::uniform_int_distribution<int> n(0, 6);
  int count = n(rng);
  for (int i = 0; i < count; ++i) item.emplace("attr" + std::to_string(i), RandomValue(rng, 0));
  return item;
}

TEST(ItemCodecTest, RoundTripsEveryType) {
  Item item{{"s", Value::S("héllo")},
            {"empty", Value::S("")},
            {"n", N("-123.45e-3")},
            {"zero", N("0")},
            {"b", Value::B(std::string("\x00\xff", 2))},
            {"t", Value::Bool(true)},
            {"f", Value::Bool(false)},
            {"null", Value::Null()},
            {"m", Value::M({{"x", Value::L({N("1"), Value::S("y")})}})},
            {"l", Value::L({})},
            {"ss", Value::SS({"a", ""})},
            {"ns", Value::NS({*Decimal::Parse("1"), *Decimal::Parse("-1e100")})},
            {"bs", Value::BS({"", std::string("\0", 1)})},
            {"", Value::S("empty name")}};
  auto back = DecodeItem(EncodeItem(item));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, item);
  EXPECT_EQ(EncodeItem(item)[0], '\x01');  // the format version
}

TEST(ItemCodecTest, RandomRoundTrips) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) {
    Item item = RandomItem(rng);
    auto back = DecodeItem(EncodeItem(item));
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(*back, item);
  }
}

TEST(ItemCodecTest, RejectsCorruptInput) {
  EXPECT_FALSE(DecodeItem("").ok());
  EXPECT_FALSE(DecodeItem("\x02").ok());                      // unknown version
  EXPECT_FALSE(DecodeItem("\x01").ok());                      // no count
  EXPECT_FALSE(DecodeItem(std::string("\x01\x01", 2)).ok());  // missing attribute
  EXPECT_FALSE(DecodeItem(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11)).ok());
  // One attribute "a" of an unknown type tag.
  EXPECT_FALSE(DecodeItem(std::string("\x01\x01\x01"
                                      "a\x0b",
                                      5))
                   .ok());
  // A BOOL whose byte is 2.
  EXPECT_FALSE(DecodeItem(std::string("\x01\x01\x01"
                                      "a\x04\x02",
                                      6))
                   .ok());
  // A string claiming more bytes than there are.
  EXPECT_FALSE(DecodeItem(std::string("\x01\x01\x01"
                                      "a\x01\x10x",
                                      7))
                   .ok());
  // Names out of order.
  Item two{{"a", Value::Null()}, {"b", Value::Null()}};
  std::string encoded = EncodeItem(two);
  std::swap(encoded[3], encoded[6]);
  EXPECT_FALSE(DecodeItem(encoded).ok());
  // An empty set.
  EXPECT_FALSE(DecodeItem(std::string("\x01\x01\x01"
                                      "a\x08\x00",
                                      6))
                   .ok());
  // Trailing bytes.
  EXPECT_FALSE(DecodeItem(EncodeItem(two) + "x").ok());
}

TEST(ItemCodecTest, RejectsExcessiveNesting) {
  Value v = Value::Null();
  for (int i = 0; i < 100; ++i) v = Value::L({v});
  auto decoded = DecodeItem(EncodeItem({{"deep", v}}));
  EXPECT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), Code::kInternal);
}

TEST(ItemCodecTest, EveryTruncationAndBitFlipFailsCleanly) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 200; ++i) {
    std::string encoded = EncodeItem(RandomItem(rng));
    for (size_t cut = 0; cut < encoded.size(); ++cut) {
      EXPECT_FALSE(DecodeItem(encoded.substr(0, cut)).ok());
    }
    for (size_t k = 0; k < encoded.size(); ++k) {
      std::string flipped = encoded;
      flipped[k] = static_cast<char>(flipped[k] ^ (1 << (k % 8)));
      auto decoded = DecodeItem(flipped);  // either an error or some valid item
      if (decoded.ok()) {
        auto again = DecodeItem(EncodeItem(*decoded));
        ASSERT_TRUE(again.ok());
        EXPECT_EQ(*again, *decoded);
      }
    }
  }
}

}  // namespace
}  // namespace nimbus::tables
