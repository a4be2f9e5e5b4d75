#include "tables/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace nimbus::tables {
namespace {

Value N(const std::string& text) {
  return Value::N(*Decimal::Parse(text));
}

std::string Enc(const Value& v) {
  std::string out;
  AppendKeyValue(v, &out);
  return out;
}

// DynamoDB's key order for values of one type.
int KeyOrder(const Value& a, const Value& b) {
  if (a.is(ValueType::kN)) return a.n().Compare(b.n());
  const std::string& x = a.is(ValueType::kS) ? a.s() : a.b();
  const std::string& y = b.is(ValueType::kS) ? b.s() : b.b();
  int c = x.compare(y);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int Sign(int c) {
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string RandomBytes(std::mt19937_64& rng) {
  // Few distinct bytes, including 0x00, 0x01 and 0xFF, so that prefixes and
  // escapes collide often.
  static const char kAlphabet[] = {'\x00', '\x01', '\xFF', 'a', 'b', '\x7F', '\x80'};
  std::uniform_int_distribution<int> len(0, 6), pick(0, sizeof(kAlphabet) - 1);
  std::string s;
  int n = len(rng);
  for (int i = 0; i < n; ++i) s.push_back(kAlphabet[pick(rng)]);
  return s;
}

Value RandomNumber(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> len(1, 6), digit(0, 9), exp(-5, 5), sign(0, 3);
  if (sign(rng) == 0) return N("0");
  std::string text = sign(rng) == 1 ? "-" : "";
  int n = len(rng);
  for (int i = 0; i < n; ++i) text.push_back(static_cast<char>('0' + digit(rng)));
  text += "e" + std::to_string(exp(rng));
  return N(text);
}

Value RandomKey(std::mt19937_64& rng, ValueType type) {
  if (type == ValueType::kN) return RandomNumber(rng);
  std::string bytes = RandomBytes(rng);
  return type == ValueType::kS ? Value::S(bytes) : Value::B(bytes);
}

TEST(KeyCodecTest, SingleValuesSortLikeDynamoDb) {
  std::mt19937_64 rng(1);
  for (ValueType type : {ValueType::kS, ValueType::kB, ValueType::kN}) {
    for (int i = 0; i < 3000; ++i) {
      Value a = RandomKey(rng, type), b = RandomKey(rng, type);
      EXPECT_EQ(Sign(Enc(a).compare(Enc(b))), KeyOrder(a, b)) << TypeName(type);
    }
  }
}

TEST(KeyCodecTest, CompositeKeysSortByPartitionThenSortKey) {
  std::mt19937_64 rng(2);
  const ValueType types[] = {ValueType::kS, ValueType::kN, ValueType::kB};
  for (ValueType ht : types) {
    for (ValueType rt : types) {
      for (int i = 0; i < 1000; ++i) {
        Value h1 = RandomKey(rng, ht), h2 = i % 3 == 0 ? h1 : RandomKey(rng, ht);
        Value r1 = RandomKey(rng, rt), r2 = RandomKey(rng, rt);
        int expected = KeyOrder(h1, h2);
        if (expected == 0) expected = KeyOrder(r1, r2);
        EXPECT_EQ(Sign(EncodeKey(h1, &r1).compare(EncodeKey(h2, &r2))), expected);
      }
    }
  }
}

TEST(KeyCodecTest, PartitionEncodingPrefixesItsKeys) {
  Value h = Value::S("user");
  std::string prefix = EncodeKey(h);
  Value r = N("5");
  EXPECT_EQ(EncodeKey(h, &r).rfind(prefix, 0), 0u);
  Value other = Value::S("user2");
  EXPECT_NE(EncodeKey(other, &r).rfind(prefix, 0), 0u);
}

TEST(KeyCodecTest, RoundTrip) {
  std::mt19937_64 rng(3);
  const ValueType types[] = {ValueType::kS, ValueType::kN, ValueType::kB};
  for (ValueType ht : types) {
    for (ValueType rt : types) {
      KeySchema schema{{"pk", ht}, KeyAttribute{"sk", rt}};
      for (int i = 0; i < 300; ++i) {
        Value h = RandomKey(rng, ht), r = RandomKey(rng, rt);
        auto decoded = DecodeKey(schema, EncodeKey(h, &r));
        ASSERT_TRUE(decoded.ok());
        EXPECT_EQ(decoded->first, h);
        ASSERT_TRUE(decoded->second.has_value());
        EXPECT_EQ(*decoded->second, r);
      }
    }
    KeySchema hash_only{{"pk", ht}, std::nullopt};
    Value h = RandomKey(rng, ht);
    auto decoded = DecodeKey(hash_only, EncodeKey(h));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded->first, h);
    EXPECT_FALSE(decoded->second.has_value());
  }
}

TEST(KeyCodecTest, RejectsCorruptKeys) {
  KeySchema schema{{"pk", ValueType::kS}, KeyAttribute{"sk", ValueType::kN}};
  EXPECT_FALSE(DecodeKey(schema, "").ok());
  EXPECT_FALSE(DecodeKey(schema, "abc").ok());                           // no terminator
  EXPECT_FALSE(DecodeKey(schema, std::string("a\0\x05", 3)).ok());       // bad escape
  EXPECT_FALSE(DecodeKey(schema, std::string("a\0\x01", 3)).ok());       // missing sort key
  EXPECT_FALSE(DecodeKey(schema, std::string("a\0\x01\x02x", 5)).ok());  // trailing byte
  KeySchema bad_type{{"pk", ValueType::kBool}, std::nullopt};
  EXPECT_FALSE(DecodeKey(bad_type, "x").ok());
}

TEST(KeyCodecTest, BeginsWithPrefix) {
  std::string prefix = EncodeKeyPrefix(Value::S(std::string("a\0", 2)));
  for (const char* tail : {"", "b", "\x01", "\xff"}) {
    std::string full = std::string("a\0", 2) + tail;
    EXPECT_EQ(Enc(Value::S(full)).rfind(prefix, 0), 0u);
  }
  EXPECT_NE(Enc(Value::S("a")).rfind(prefix, 0), 0u);
}

}  // namespace
}  // namespace nimbus::tables
