#include "tables/number.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace nimbus::tables {
namespace {

constexpr char kOverflow[] =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
constexpr char kUnderflow[] =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";
constexpr char kTooManyDigits[] = "Attempting to store more than 38 significant digits in a Number";

Decimal D(std::string_view text) {
  auto d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status().message();
  return d.ok() ? *d : Decimal();
}

std::string Canonical(std::string_view text) {
  return D(text).ToString();
}

std::string ParseError(std::string_view text) {
  auto d = Decimal::Parse(text);
  EXPECT_FALSE(d.ok()) << text;
  EXPECT_EQ(d.status().code(), Code::kInvalidArgument);
  return d.ok() ? "" : d.status().message();
}

TEST(DecimalTest, CanonicalForm) {
  EXPECT_EQ(Canonical("1.50"), "1.5");
  EXPECT_EQ(Canonical("1e3"), "1000");
  EXPECT_EQ(Canonical("-0"), "0");
  EXPECT_EQ(Canonical("0.000"), "0");
  EXPECT_EQ(Canonical("+3"), "3");
  EXPECT_EQ(Canonical(".123"), "0.123");
  EXPECT_EQ(Canonical("0001.23"), "1.23");
  EXPECT_EQ(Canonical("1e+5"), "100000");
  EXPECT_EQ(Canonical("0e1000"), "0");
  EXPECT_EQ(Canonical("-17e5"), "-1700000");
  EXPECT_EQ(Canonical("-7.1234"), "-7.1234");
  EXPECT_EQ(Canonical("-17.4E37"), "-174000000000000000000000000000000000000");
  EXPECT_EQ(Canonical("5."), "5");
  EXPECT_EQ(Canonical("1.5E-3"), "0.0015");
  EXPECT_EQ(Canonical("123.456e1"), "1234.56");
  EXPECT_EQ(Canonical("0.00100"), "0.001");
  EXPECT_EQ(Canonical("1000"), "1000");
  EXPECT_EQ(Canonical("-0.0e-5"), "0");
}

TEST(DecimalTest, ExtremeMagnitudesPrintInPlainNotation) {
  EXPECT_EQ(Canonical("1e125"), "1" + std::string(125, '0'));
  EXPECT_EQ(Canonical("1e-130"), "0." + std::string(129, '0') + "1");
  EXPECT_EQ(Canonical("-9.9999999999999999999999999999999999999E+125"),
            "-99999999999999999999999999999999999999" + std::string(88, '0'));
  EXPECT_EQ(Canonical("1.00000000000000007629769841092E+50"),
            "100000000000000007629769841092" + std::string(21, '0'));
}

TEST(DecimalTest, ConversionErrors) {
  EXPECT_EQ(ParseError("abc"), "The parameter cannot be converted to a numeric value: abc");
  EXPECT_EQ(ParseError(""), "The parameter cannot be converted to a numeric value");
  for (const char* bad : {"NaN", "Infinity", "-Infinity", "-NaN", "dog", " 1", "1 ", "1e", "e5",
                          ".", "-", "+-1", "1.2.3", "1e1.5", "0x10", "1e+", "--1", "1,5"}) {
    EXPECT_EQ(ParseError(bad),
              std::string("The parameter cannot be converted to a numeric value: ") + bad);
  }
}

TEST(DecimalTest, RangeAndPrecisionErrors) {
  EXPECT_EQ(ParseError("123456789012345678901234567890123456789"), kTooManyDigits);
  EXPECT_EQ(ParseError("-1.23456789012345678901234567890123456789"), kTooManyDigits);
  EXPECT_EQ(ParseError("3.14159265358979323846264338327950288419"), kTooManyDigits);
  EXPECT_EQ(ParseError("1e126"), kOverflow);
  EXPECT_EQ(ParseError("-1e126"), kOverflow);
  EXPECT_EQ(ParseError("11e125"), kOverflow);
  EXPECT_EQ(ParseError("1e-131"), kUnderflow);
  EXPECT_EQ(ParseError("-1e-131"), kUnderflow);
  EXPECT_EQ(ParseError("0.9e-130"), kUnderflow);
  EXPECT_EQ(ParseError("1e99999999999999999999999"), kOverflow);
  EXPECT_EQ(ParseError("1e-99999999999999999999999"), kUnderflow);
  // Range is checked before precision, as DynamoDB does.
  EXPECT_EQ(ParseError("1234567890123456789012345678901234567890e200"), kOverflow);

  // The limits themselves are fine; trailing zeros are not significant.
  D("9.9999999999999999999999999999999999999E+125");
  D("1e-130");
  D("-1e-130");
  D("3.1415926535897932384626433832795028841");
  D("31415926535897932384626433832795028841e30");
  D("1" + std::string(100, '0'));
  D("0." + std::string(100, '0') + "1");
  D("1.00000000000000000000000000000000000000000000");
}

TEST(DecimalTest, CompareIsNumeric) {
  EXPECT_EQ(D("1").Compare(D("1.0")), 0);
  EXPECT_LT(D("1.2").Compare(D("1.25")), 0);
  EXPECT_GT(D("10").Compare(D("9.99")), 0);
  EXPECT_LT(D("-10").Compare(D("-9.99")), 0);
  EXPECT_LT(D("-1").Compare(D("0")), 0);
  EXPECT_GT(D("0.001").Compare(D("0")), 0);
  EXPECT_LT(D("-0.001").Compare(D("0")), 0);
  EXPECT_EQ(D("0").Compare(D("-0")), 0);
  EXPECT_TRUE(D("100") > D("99"));
  EXPECT_TRUE(D("1e-130") < D("2e-130"));
}

TEST(DecimalTest, ExactArithmetic) {
  auto sum = [](const char* a, const char* b) { return D(a).Add(D(b))->ToString(); };
  auto diff = [](const char* a, const char* b) { return D(a).Subtract(D(b))->ToString(); };
  EXPECT_EQ(sum("1", "10000000000000000000000"), "10000000000000000000001");
  EXPECT_EQ(diff("10000000000000000000000", "1"), "9999999999999999999999");
  EXPECT_EQ(sum("5.3", "0.05"), "5.35");
  EXPECT_EQ(sum("5", "1.2"), "6.2");
  EXPECT_EQ(sum("0.1", "0.2"), "0.3");
  EXPECT_EQ(sum("-1", "1"), "0");
  EXPECT_EQ(sum("-1.5", "0.25"), "-1.25");
  EXPECT_EQ(diff("1", "2"), "-1");
  EXPECT_EQ(diff("0", "5"), "-5");
  EXPECT_EQ(sum("0", "-0.5"), "-0.5");
  EXPECT_EQ(sum("99", "1"), "100");
  EXPECT_EQ(sum("9.9999999999999999999999999999999999999", "1e-37"), "10");
  EXPECT_EQ(diff("1.0000000000000000000000000000000000001", "1"),
            "0.0000000000000000000000000000000000001");
}

TEST(DecimalTest, ArithmeticErrors) {
  EXPECT_EQ(D("9e125").Add(D("9e125")).status().message(), kOverflow);
  EXPECT_EQ(D("9e125").Subtract(D("-9e125")).status().message(), kOverflow);
  // DynamoDB reports a result needing more than 38 digits as an overflow.
  EXPECT_EQ(D("1e50").Add(D("1")).status().message(), kOverflow);
  EXPECT_EQ(D("1e50").Subtract(D("1")).status().message(), kOverflow);
  EXPECT_EQ(D("2e-130").Subtract(D("1.5e-130")).status().message(), kUnderflow);
  EXPECT_EQ(D("1e125").Add(D("1e-130")).status().message(), kOverflow);
}

TEST(DecimalTest, FromInt) {
  EXPECT_EQ(Decimal::FromInt(0).ToString(), "0");
  EXPECT_EQ(Decimal::FromInt(120).ToString(), "120");
  EXPECT_EQ(Decimal::FromInt(-7).ToString(), "-7");
  EXPECT_EQ(Decimal::FromInt(INT64_MIN).ToString(), "-9223372036854775808");
  EXPECT_EQ(Decimal::FromInt(INT64_MAX).ToString(), "9223372036854775807");
}

TEST(DecimalTest, StorageSize) {
  EXPECT_EQ(D("0").StorageSize(), 1u);
  EXPECT_EQ(D("1").StorageSize(), 2u);    // one digit
  EXPECT_EQ(D("12").StorageSize(), 2u);   // one aligned pair
  EXPECT_EQ(D("1.2").StorageSize(), 3u);  // the pair straddles the point
  EXPECT_EQ(D("123").StorageSize(), 3u);
  EXPECT_EQ(D("12.3456").StorageSize(), 4u);
  EXPECT_EQ(D("-12").StorageSize(), 3u);  // negative numbers take one more
  EXPECT_EQ(D("0.012").StorageSize(), 3u);
  EXPECT_EQ(D("0.12").StorageSize(), 2u);
  EXPECT_EQ(D("11111111111111111111111111111111111111" + std::string(88, '0')).StorageSize(), 20u);
}

std::string Encode(const Decimal& d) {
  std::string out;
  d.AppendOrderedBytes(&out);
  return out;
}

TEST(DecimalTest, OrderedBytesRoundTrip) {
  for (const char* text : {"0", "1", "-1", "1.5", "-1.5", "1e125", "-1e-130", "123456789", "0.01",
                           "99999999999999999999999999999999999999"}) {
    std::string bytes = Encode(D(text));
    std::string_view in = bytes;
    auto back = Decimal::DecodeOrderedBytes(&in);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(back->ToString(), D(text).ToString());
  }
}

TEST(DecimalTest, OrderedBytesRejectCorruption) {
  for (std::string bad : {std::string(""), std::string("\x07", 1), std::string("\x03\x80", 2),
                          std::string("\x03\x80\x00", 3), std::string("\x03\x80\xC8\x00", 4),
                          std::string("\x03\x80\x0B\x01\x00", 5)}) {
    std::string_view in = bad;
    EXPECT_FALSE(Decimal::DecodeOrderedBytes(&in).ok()) << bad.size();
  }
  std::string long_digits = "\x03\x80";
  for (int i = 0; i < 25; ++i) long_digits.push_back('\x0C');
  long_digits.push_back('\0');
  std::string_view in = long_digits;
  EXPECT_FALSE(Decimal::DecodeOrderedBytes(&in).ok());
}

// Random decimals over the whole range, of every length and sign.
Decimal RandomDecimal(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> len(1, 38), digit(0, 9), exp(-130, 125), coin(0, 9);
  if (coin(rng) == 0) return Decimal();
  int n = len(rng);
  std::string text = coin(rng) < 5 ? "-" : "";
  text.push_back(static_cast<char>('1' + digit(rng) % 9));
  text.push_back('.');
  for (int i = 1; i < n; ++i) text.push_back(static_cast<char>('0' + digit(rng)));
  // Keep some values close together so that digit-level order matters.
  int e = coin(rng) < 3 ? exp(rng) % 3 : exp(rng);
  text += "e" + std::to_string(e);
  return D(text);
}

TEST(DecimalTest, OrderedBytesSortLikeNumbers) {
  std::mt19937_64 rng(42);
  std::vector<Decimal> values;
  for (int i = 0; i < 5000; ++i) values.push_back(RandomDecimal(rng));
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    const Decimal& a = values[i];
    const Decimal& b = values[i + 1];
    int numeric = a.Compare(b);
    int bytes = Encode(a).compare(Encode(b));
    EXPECT_EQ(numeric < 0, bytes < 0) << a.ToString() << " vs " << b.ToString();
    EXPECT_EQ(numeric == 0, bytes == 0) << a.ToString() << " vs " << b.ToString();
  }
  std::vector<Decimal> by_value = values, by_bytes = values;
  std::sort(by_value.begin(), by_value.end());
  std::sort(by_bytes.begin(), by_bytes.end(),
            [](const Decimal& a, const Decimal& b) { return Encode(a) < Encode(b); });
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(by_value[i], by_bytes[i]);
}

TEST(DecimalTest, ArithmeticAgreesWithComparison) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    Decimal a = RandomDecimal(rng), b = RandomDecimal(rng);
    auto sum = a.Add(b);
    if (!sum.ok()) continue;
    // a + b - b == a whenever both steps are representable.
    auto back = sum->Subtract(b);
    if (back.ok()) {
      EXPECT_EQ(*back, a) << a.ToString() << " + " << b.ToString();
    }
    if (b > Decimal()) {
      EXPECT_GT(sum->Compare(a), 0);
    } else if (b < Decimal()) {
      EXPECT_LT(sum->Compare(a), 0);
    }
    EXPECT_EQ(*sum, *b.Add(a));
  }
}

}  // namespace
}  // namespace nimbus::tables
